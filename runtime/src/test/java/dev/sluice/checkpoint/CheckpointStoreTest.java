package dev.sluice.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tumbling windows' floor in the checkpoint file, files from before it still loading, and
 * damaged files refused.
 */
class CheckpointStoreTest {

  static final String SHARD = "shardId-000000000000";

  @TempDir Path dir;

  @Test
  void saveThenLoad_windowFloorWithNoWindowOpen_keptWithItsCheckpoint() throws Exception {
    Path file = dir.resolve("checkpoints.json");
    CheckpointStore store = new CheckpointStore(file);
    Checkpoint cp = new Checkpoint(6, false, null, 1_700_000_000_000L, new WindowFloor(120, 60));
    store.save(Map.of(SHARD, cp));
    assertThat(new CheckpointStore(file).load()).containsExactlyEntriesOf(Map.of(SHARD, cp));
    assertThat(Files.readString(file)).contains("\"version\":" + CheckpointStore.VERSION);
    assertThat(CheckpointStore.VERSION).isEqualTo(4);
  }

  @Test
  void save_noWindowFloor_writesFormatThreeThatOlderNodesRead() throws Exception {
    Path file = dir.resolve("checkpoints.json");
    Checkpoint cp = new Checkpoint(6, false, null, 1_700_000_000_000L, null);
    new CheckpointStore(file).save(Map.of(SHARD, cp));
    assertThat(Files.readString(file)).contains("\"version\":3").doesNotContain("windowFloor");
    assertThat(new CheckpointStore(file).load()).containsExactlyEntriesOf(Map.of(SHARD, cp));
  }

  @Test
  void load_formatThreeFile_checkpointsWithoutAFloor() throws Exception {
    Path file = dir.resolve("checkpoints.json");
    Files.writeString(
        file,
        "{\"version\":3,\"shards\":{\""
            + SHARD
            + "\":{\"offset\":5,\"finished\":false,\"incarnation\":1700000000000,"
            + "\"window\":{\"start\":0,\"end\":60000,\"state\":{\"sum\":\"3\"},"
            + "\"terminatedEarly\":false}}}}");
    Checkpoint cp = new CheckpointStore(file).load().get(SHARD);
    assertThat(cp.offset()).isEqualTo(5);
    assertThat(cp.incarnation()).isEqualTo(1_700_000_000_000L);
    assertThat(cp.window().state()).containsEntry("sum", "3");
    assertThat(cp.windowFloor()).isNull();
  }

  @Test
  void load_fileWithoutItsShards_failsInsteadOfLoadingNone() throws Exception {
    Path file = dir.resolve("checkpoints.json");
    for (String damaged : new String[] {"{\"version\":4}", "", "[]"}) {
      Files.writeString(file, damaged);
      assertThatThrownBy(() -> new CheckpointStore(file).load())
          .as("a file holding %s", damaged)
          .isInstanceOf(UncheckedIOException.class);
    }
  }
}
