package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code sluice serve} refuses storage options that cannot work, before starting anything. */
class ServeCommandTest {

  @Test
  void storageKafka_withoutBootstrap_isAUsageError() {
    Cli.Result r = Cli.run("", "serve", "--storage", "kafka");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--storage kafka needs --kafka-bootstrap");
  }

  @Test
  void storageKafkaFromTheConfiguration_isNotOverriddenByTheFileDefault() {
    System.setProperty("sluice.storage.type", "kafka");
    try {
      Cli.Result r = Cli.run("", "serve");

      assertThat(r.exit()).isEqualTo(2);
      assertThat(r.err()).contains("--storage kafka needs --kafka-bootstrap");
    } finally {
      System.clearProperty("sluice.storage.type");
    }
  }

  @Test
  void configured_systemPropertyElseItsEnvironmentVariable() {
    assertThat(ServeCommand.configured("sluice.no-such.key-" + System.nanoTime())).isNull();
    System.setProperty("sluice.test.key", "v");
    try {
      assertThat(ServeCommand.configured("sluice.test.key")).isEqualTo("v");
    } finally {
      System.clearProperty("sluice.test.key");
    }
    String path = System.getenv("PATH");
    assertThat(ServeCommand.configured("path")).isEqualTo(path);
  }

  @Test
  void unknownStorage_isAUsageError() {
    Cli.Result r = Cli.run("", "serve", "--storage", "s3");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--storage must be file or kafka");
  }

  @Test
  void kafkaClientConfig_withFileStorage_isAUsageError() {
    Cli.Result r = Cli.run("", "serve", "--kafka-client-config", "client.properties");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--kafka-client-config needs --storage kafka");
  }

  @Test
  void help_namesTheStorageOptions() {
    Cli.Result r = Cli.run("", "serve", "--help");

    assertThat(r.out())
        .contains("--storage")
        .contains("--kafka-bootstrap=HOST:PORT")
        .contains("--kafka-client-config=FILE");
  }
}
