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
            Map.entry("library", "33.4.8-jre"),
            Map.entry("bundle", "lib-v2"),
            Map.entry("guava33", "true"));
  }
}
