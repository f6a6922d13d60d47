package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
  void port_outOfRange_usageErrorWithoutATrace() {
    Cli.Result r = Cli.run("", "serve", "--port", "70000");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .contains("Invalid value for option '--port': must be between 0 and 65535, not 70000")
        .doesNotContain("\tat ");
  }

  @Test
  void dataDir_aFile_usageErrorWithoutATrace() throws Exception {
    Path file = Files.createTempFile("not-a-dir-", ".txt");

    Cli.Result r = Cli.run("", "serve", "--data-dir", file.toString());

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--data-dir " + file + " is not a directory");
  }

  @Test
  void dataDir_underAFile_usageErrorWithoutATrace() throws Exception {
    Path file = Files.createTempFile("not-a-dir-", ".txt");

    Cli.Result r = Cli.run("", "serve", "--data-dir", file.resolve("data").toString());

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .contains("cannot create --data-dir " + file.resolve("data"))
        .contains(file + " is not a writable directory");
  }

  @Test
  void dataDir_lockedByAnotherNode_usageErrorNamingItsPid() throws Exception {
    Path dir = Files.createTempDirectory("locked-");
    Path lockFile = dir.resolve("node.lock");
    Files.writeString(lockFile, "4242");
    try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE);
        FileLock held = ch.lock()) {

      Cli.Result r = Cli.run("", "serve", "--data-dir", dir.toString());

      assertThat(r.exit()).isEqualTo(2);
      assertThat(r.err())
          .contains("The data directory " + dir + " is in use by another Sluice node (pid 4242)")
          .doesNotContain("\tat ");
    }
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
