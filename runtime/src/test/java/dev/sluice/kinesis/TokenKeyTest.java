package dev.sluice.kinesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.cluster.KafkaStateStore;
import dev.sluice.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token key, on one node's disk or in the state nodes share on a real broker. */
class TokenKeyTest {

  static final byte[] PAYLOAD = "shard-iterator".getBytes(StandardCharsets.UTF_8);

  final String topic = "__tk-" + UUID.randomUUID().toString().substring(0, 8) + ".state";
  final List<KafkaStateStore> stores = new ArrayList<>();

  @AfterEach
  void close() {
    stores.forEach(KafkaStateStore::close);
  }

  KafkaStateStore store() {
    KafkaStateStore s = KafkaStateStore.open(KafkaBroker.bootstrapServers(), topic, 1);
    stores.add(s);
    return s;
  }

  @Test
  void shared_tokenSignedOnOneNode_verifiesOnAnotherStartedLater() {
    KafkaStateStore a = store();
    Signer first = new Signer(TokenKey.shared(a));
    a.follow();
    KafkaStateStore b = store(); // e.g. a node started on an empty data directory
    Signer second = new Signer(TokenKey.shared(b));
    b.follow();

    assertThat(second.verify(first.sign(PAYLOAD))).isEqualTo(PAYLOAD);
  }

  @Test
  void shared_twoNodesCreatingTheKeyAtOnce_endWithTheSameKey() {
    KafkaStateStore a = store();
    KafkaStateStore b = store();
    Signer onA = new Signer(TokenKey.shared(a)); // both find no key and write one
    Signer onB = new Signer(TokenKey.shared(b));
    a.follow();
    b.follow();

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> PAYLOAD.length == lengthOf(onB.verify(onA.sign(PAYLOAD))));
    assertThat(onA.verify(onB.sign(PAYLOAD))).isEqualTo(PAYLOAD);
  }

  @Test
  void fromFile_restartedNode_keepsVerifyingItsTokens(@TempDir Path dir) {
    String token = new Signer(TokenKey.fromFile(dir.resolve("token.key"))).sign(PAYLOAD);
    Signer afterRestart = new Signer(TokenKey.fromFile(dir.resolve("token.key")));
    assertThat(afterRestart.verify(token)).isEqualTo(PAYLOAD);
    assertThat(new Signer(TokenKey.fromFile(dir.resolve("other.key"))).verify(token)).isNull();
  }

  @Test
  void fromFile_keyFileLeftEmptyByACrash_isReplacedAndTokensWork(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("token.key");
    Files.write(file, new byte[0]);

    Signer signer = new Signer(TokenKey.fromFile(file));

    assertThat(signer.verify(signer.sign(PAYLOAD))).isEqualTo(PAYLOAD);
    assertThat(Files.size(file)).isEqualTo(32);
    assertThat(new Signer(TokenKey.fromFile(file)).verify(signer.sign(PAYLOAD))).isEqualTo(PAYLOAD);
  }

  private static int lengthOf(byte[] b) {
    return b == null ? -1 : b.length;
  }
}
