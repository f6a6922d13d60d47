package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UpCommandTest {

  @Test
  void clientUri_bindAddresses_reachableUris() {
    assertThat(UpCommand.clientUri("127.0.0.1", 4566)).hasToString("http://127.0.0.1:4566/");
    assertThat(UpCommand.clientUri("0.0.0.0", 4566)).hasToString("http://127.0.0.1:4566/");
    assertThat(UpCommand.clientUri("::1", 4566)).hasToString("http://[::1]:4566/");
    assertThat(UpCommand.clientUri("::", 4566)).hasToString("http://[::1]:4566/");
    assertThat(UpCommand.clientUri("localhost", 80)).hasToString("http://localhost:80/");
  }

  @Test
  void kafkaClientConfigWithoutBootstrap_usageErrorBeforeAnyBuild() throws Exception {
    java.nio.file.Path config = java.nio.file.Files.createTempFile("client", ".properties");
    Cli.Result r =
        Cli.run("", "up", "--kafka-client-config", config.toString(), "no-such-template.yaml");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .contains("--kafka-client-config needs --kafka-bootstrap")
        .doesNotContain("no-such-template");
  }
}
