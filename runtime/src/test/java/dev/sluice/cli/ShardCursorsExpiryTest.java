package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cli.client.SluiceClient;
import dev.sluice.testing.FreshDataDir;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code sluice tail} outlives its shard iterators: a reader stopped longer than the server's
 * iterator TTL (Ctrl-Z, a sleeping laptop) carries on where it was.
 */
@QuarkusTest
@QuarkusTestResource(FreshDataDir.class)
@TestProfile(ShardCursorsExpiryTest.ShortIteratorTtl.class)
class ShardCursorsExpiryTest {

  /** Iterators that expire within a test. */
  public static final class ShortIteratorTtl implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("sluice.kinesis.iterator-ttl", "2s");
    }
  }

  @TestHTTPResource("/")
  String root;

  @Test
  void poll_iteratorExpiredAfterARecord_readsOnAfterThatRecord() throws Exception {
    createStream("expiry-read", 1);
    put("expiry-read", "a\nb\n");
    ShardCursors cursors = ShardCursors.open(client(), "expiry-read", true);
    assertThat(data(cursors.poll())).containsExactly("a", "b");

    Thread.sleep(2_500);
    put("expiry-read", "c\n");

    assertThat(data(cursors.poll())).containsExactly("c");
  }

  @Test
  void poll_iteratorExpiredBeforeAnyRecord_readsFromWhereItStarted() throws Exception {
    createStream("expiry-empty", 1);
    ShardCursors cursors = ShardCursors.open(client(), "expiry-empty", true);
    assertThat(data(cursors.poll())).isEmpty();

    Thread.sleep(2_500);
    put("expiry-empty", "a\n");

    assertThat(data(cursors.poll())).containsExactly("a");
  }

  @Test
  void poll_latestIteratorExpiredBeforeAnyRecord_readsWhatArrivedDuringThePause() throws Exception {
    createStream("expiry-latest", 1);
    put("expiry-latest", "before\n");
    ShardCursors cursors = ShardCursors.open(client(), "expiry-latest", false);
    assertThat(data(cursors.poll())).isEmpty();

    Thread.sleep(2_500);
    put("expiry-latest", "during\n");

    assertThat(data(cursors.poll())).containsExactly("during");
  }

  private SluiceClient client() {
    return new SluiceClient(URI.create(root));
  }

  private static List<String> data(ShardCursors.Poll poll) {
    List<String> out = new ArrayList<>();
    for (JsonNode r : poll.records()) {
      out.add(RecordData.text(r.path("Data").asText()));
    }
    return out;
  }

  private void put(String stream, String lines) {
    Cli.Result r = Cli.against(root, lines, "put", stream, "--partition-key", "k");
    assertThat(r.exit()).as(r.err()).isZero();
  }

  private void createStream(String name, int shards) throws Exception {
    Cli.createStream(root, name, shards);
  }
}
