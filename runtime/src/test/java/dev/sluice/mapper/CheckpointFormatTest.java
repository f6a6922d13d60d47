package dev.sluice.mapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.checkpoint.Checkpoint;
import dev.sluice.checkpoint.CheckpointStore;
import dev.sluice.checkpoint.WindowState;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint file: windows saved with their shard's checkpoint, old files still loading. */
class CheckpointFormatTest {

  @TempDir Path dir;

  @Test
  void load_formatOneFile_checkpointsWithoutWindows() throws Exception {
    Path file = dir.resolve("checkpoints.json");
    Files.writeString(
        file,
        "{\"shardId-000000000000\":{\"offset\":5,\"finished\":false},"
            + "\"shardId-000000000001\":{\"offset\":9,\"finished\":true}}");
    assertThat(new CheckpointStore(file).load())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "shardId-000000000000", new Checkpoint(5, false),
                "shardId-000000000001", new Checkpoint(9, true)));
  }

  @Test
  void saveThenLoad_windowStateKeptWithItsCheckpoint() {
    Map<String, String> state = new HashMap<>();
    state.put("sum", "3");
    state.put("none", null);
    WindowState window = new WindowState(60_000, 120_000, state, false);
    CheckpointStore store = new CheckpointStore(dir.resolve("checkpoints.json"));
    store.save(
        Map.of(
            "shardId-000000000000", new Checkpoint(2, false, window),
            "shardId-000000000001", new Checkpoint(7, true)));
    Map<String, Checkpoint> loaded = store.load();
    assertThat(loaded.get("shardId-000000000000").window()).isEqualTo(window);
    assertThat(loaded.get("shardId-000000000000").window().state()).containsEntry("none", null);
    assertThat(loaded.get("shardId-000000000001")).isEqualTo(new Checkpoint(7, true));
  }

  @Test
  void load_newerFormat_refusedRatherThanMisread() throws Exception {
    Path file = dir.resolve("checkpoints.json");
    Files.writeString(file, "{\"version\":3,\"shards\":{}}");
    assertThatThrownBy(() -> new CheckpointStore(file).load())
        .isInstanceOf(UncheckedIOException.class)
        .hasRootCauseMessage("checkpoint format 3 is newer than this Sluice's");
  }
}
