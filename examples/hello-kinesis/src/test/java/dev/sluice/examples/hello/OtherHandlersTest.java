package dev.sluice.examples.hello;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.sdk.testing.TestContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OtherHandlersTest {
  @Test
  void echo_returnsInputPlusFunctionName() {
    TestContext context = TestContext.builder().functionName("echo").build();

    Map<String, Object> output =
        new EchoHandler().handleRequest(Map.of("a", 1, "b", "two"), context);

    assertThat(output)
        .containsExactlyInAnyOrderEntriesOf(Map.of("a", 1, "b", "two", "handledBy", "echo"));
  }

  @Test
  void echo_nullInput_returnsOnlyHandledBy() {
    assertThat(new EchoHandler().handleRequest(null, TestContext.create()))
        .containsExactly(Map.entry("handledBy", "test-function"));
  }

  @Test
  void failing_throwsBoom() {
    assertThatThrownBy(() -> new FailingHandler().handleRequest(Map.of(), TestContext.create()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("boom");
  }

  @Test
  void slow_sleepsAtLeastTheGivenTimeDespiteInterrupts() {
    long start = System.nanoTime();
    Thread.currentThread().interrupt();

    Map<String, Object> output =
        new SlowHandler().handleRequest(Map.of("sleepMs", 120), TestContext.create());

    assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(120);
    assertThat(output).containsEntry("sleptMs", 120L);
    assertThat(Thread.interrupted()).isTrue(); // the interrupt status is restored
  }

  @Test
  void stream_upperCasesAsciiLetters() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    new StreamHandler()
        .handleRequest(
            new ByteArrayInputStream("hello, Wörld 42\n".getBytes(StandardCharsets.UTF_8)),
            out,
            TestContext.create());

    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("HELLO, WöRLD 42\n");
  }
}
