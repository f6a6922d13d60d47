package dev.sluice.function.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.function.InvocationResult.Failure;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Errors a runtime posts: what Sluice reads from them, and what Invoke answers. */
class LambdaErrorsTest {

  @Test
  void fromPosted_emptyBody_payloadIsBuiltFromTheHeaderType() {
    Failure f = LambdaErrors.fromPosted(new byte[0], 0, "Custom.Failed", "Unhandled");

    assertThat(f.errorType()).isEqualTo("Custom.Failed");
    assertThat(new String(f.toPayload(), StandardCharsets.UTF_8))
        .contains("\"errorType\":\"Custom.Failed\"");
  }

  @Test
  void fromPosted_bodyCutAtTheSizeLimit_payloadIsBuiltFromTheFieldsNotTheCutBytes() {
    byte[] cut =
        "{\"errorMessage\":\"m\",\"errorType\":\"T\",\"stack".getBytes(StandardCharsets.UTF_8);

    Failure f = LambdaErrors.fromPosted(cut, cut.length + 1L, "Custom.Failed", "Unhandled");

    assertThat(f.errorType()).isEqualTo("Custom.Failed");
    assertThat(new String(f.toPayload(), StandardCharsets.UTF_8))
        .startsWith("{")
        .endsWith("}")
        .contains("\"errorType\":\"Custom.Failed\"");
  }
}
