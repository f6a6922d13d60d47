package dev.sluice.examples.libs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class VersionHandlerTest {
  @Test
  void handler_reportsBundledGuavaVersion() {
    Map<String, String> output = new VersionHandler().handleRequest(Map.of(), null);

    assertThat(output)
        .containsExactly(
            Map.entry("library", "32.1.3-jre"),
            Map.entry("bundle", "lib-v1"),
            Map.entry("guava33", "false"));
  }
}
