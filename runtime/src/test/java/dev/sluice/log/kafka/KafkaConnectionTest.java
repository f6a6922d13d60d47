package dev.sluice.log.kafka;

import static dev.sluice.log.kafka.KafkaLogEngineSharedTest.join;
import static dev.sluice.log.kafka.KafkaLogEngineSharedTest.rec;
import static dev.sluice.log.kafka.KafkaLogEngineSharedTest.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.log.LogException;
import dev.sluice.log.LogListener;
import dev.sluice.log.LogRecord;
import dev.sluice.log.ShardRef;
import dev.sluice.testing.KafkaBroker;
import dev.sluice.testing.ScramUsers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaConnectionTest {

  static final ShardRef S0 = new ShardRef("secured", "shardId-000000000000");

  @TempDir Path dir;
  KafkaLogEngine engine;

  @AfterEach
  void close() {
    if (engine != null) {
      engine.close();
    }
  }

  @Test
  void withClientConfig_propertiesFile_addsItsSettingsToEveryClientConfig() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("client.properties"),
            "security.protocol = SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n# a comment\n");

    KafkaConnection c = KafkaConnection.withClientConfig("b1:9092,b2:9092", file);

    assertThat(c.clientConfig("sluice-x"))
        .containsEntry("bootstrap.servers", "b1:9092,b2:9092")
        .containsEntry("client.id", "sluice-x")
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .hasSize(4);
  }

  @Test
  void withClientConfig_settingSluiceOwns_isRefusedNamingFileAndKey() throws Exception {
    Path file = Files.writeString(dir.resolve("bad.properties"), "acks=1\n");

    assertThatThrownBy(() -> KafkaConnection.withClientConfig("b:9092", file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad.properties")
        .hasMessageContaining("acks");
  }

  @Test
  void withClientConfig_missingFile_failsNamingIt() {
    Path missing = dir.resolve("nope.properties");

    assertThatThrownBy(() -> KafkaConnection.withClientConfig("b:9092", missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nope.properties");
  }

  @Test
  void toString_withSecrets_showsPropertyNamesOnly() throws Exception {
    Path file = ScramUsers.clientConfig(dir, "someone", "s3cret");

    String text = KafkaConnection.withClientConfig("b:9092", file).toString();

    assertThat(text).contains("b:9092", "sasl.jaas.config").doesNotContain("s3cret");
  }

  @Test
  void logEngine_overSaslScramWithClientConfig_appendsAndReadsBack() throws Exception {
    String user = ScramUsers.create("pw-1");
    KafkaConnection c =
        KafkaConnection.withClientConfig(
            KafkaBroker.saslBootstrapServers(), ScramUsers.clientConfig(dir, user, "pw-1"));
    engine = open(c);

    join(engine.createShard(S0));
    join(engine.append(S0, List.of(rec("order-1", "OrderPlaced"), rec("order-1", "OrderShipped"))));

    List<LogRecord> read = join(engine.read(S0, 0, 10, 1 << 20)).records();
    assertThat(read)
        .extracting(KafkaLogEngineSharedTest::text)
        .containsExactly("OrderPlaced", "OrderShipped");
  }

  @Test
  void logEngine_overSaslWithWrongPassword_failsToStartWithTheAuthenticationError() {
    String user = ScramUsers.create("right");
    KafkaConnection c =
        KafkaConnection.withClientConfig(
            KafkaBroker.saslBootstrapServers(), ScramUsers.clientConfig(dir, user, "wrong"));

    assertThatThrownBy(() -> engine = open(c))
        .isInstanceOf(LogException.class)
        .hasMessageContaining("cannot open Kafka storage at " + KafkaBroker.saslBootstrapServers())
        .hasMessageContaining("Authentication failed")
        .hasMessageNotContaining("wrong");
  }

  private static KafkaLogEngine open(KafkaConnection c) {
    String prefix = "ksec-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    KafkaLogEngine e =
        new KafkaLogEngine(
            new KafkaLogOptions(c, prefix, -1, false, 1, 1, Duration.ofMillis(100), Duration.ZERO),
            Clock.systemUTC(),
            LogListener.NONE);
    e.start();
    return e;
  }
}
