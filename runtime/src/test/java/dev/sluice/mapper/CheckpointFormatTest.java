package dev.sluice.mapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.checkpoint.Checkpoint;
import dev.sluice.checkpoint.CheckpointStore;
import dev.sluice.checkpoint.WindowFloor;
import dev.sluice.checkpoint.WindowState;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpoint file and the consumer-group commit: windows, their floor and the stream's
 * incarnation saved with their shard's checkpoint, old files and commits still loading.
 */
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
  void load_formatTwoFile_checkpointsNameNoIncarnation() throws Exception {
    Path file = dir.resolve("checkpoints.json");
    Files.writeString(
        file,
        "{\"version\":2,\"shards\":{\"shardId-000000000000\":{\"offset\":5,\"finished\":false,"
            + "\"window\":{\"start\":0,\"end\":60000,\"state\":{},\"terminatedEarly\":false}}}}");
    Checkpoint cp = new CheckpointStore(file).load().get("shardId-000000000000");
    assertThat(cp.offset()).isEqualTo(5);
    assertThat(cp.window().end()).isEqualTo(60_000);
    assertThat(cp.incarnation()).isNull();
  }

  @Test
  void saveThenLoad_incarnationKeptWithEachCheckpoint() throws Exception {
    Path file = dir.resolve("checkpoints.json");
    CheckpointStore store = new CheckpointStore(file);
    store.save(Map.of("shardId-000000000000", new Checkpoint(4, false).in(1_700_000_000_000L)));
    assertThat(store.load())
        .containsEntry("shardId-000000000000", new Checkpoint(4, false, null, 1_700_000_000_000L));
    assertThat(Files.readString(file)).contains("\"version\":3");
  }

  @Test
  void metadata_incarnationRoundTrips_andACommitWithoutItNamesNone() {
    Checkpoint cp = new Checkpoint(4, true).in(1_700_000_000_000L);
    assertThat(CheckpointMetadata.decode(CheckpointMetadata.encode(cp).orElseThrow()))
        .isEqualTo(cp);
    OffsetAndMetadata older = new OffsetAndMetadata(4, "{\"v\":1,\"finished\":true}");
    assertThat(CheckpointMetadata.decode(older)).isEqualTo(new Checkpoint(4, true));
  }

  @Test
  void metadata_windowFloorRoundTrips_andACommitWithoutItHasNone() {
    Checkpoint cp =
        new Checkpoint(4, false, null, 1_700_000_000_000L, new WindowFloor(120_000, 60_000));
    assertThat(CheckpointMetadata.decode(CheckpointMetadata.encode(cp).orElseThrow()))
        .isEqualTo(cp);
    OffsetAndMetadata older =
        new OffsetAndMetadata(4, "{\"v\":1,\"finished\":false,\"incarnation\":1700000000000}");
    assertThat(CheckpointMetadata.decode(older).windowFloor()).isNull();
  }

  @Test
  void load_newerFormat_refusedRatherThanMisread() throws Exception {
    Path file = dir.resolve("checkpoints.json");
    Files.writeString(file, "{\"version\":5,\"shards\":{}}");
    assertThatThrownBy(() -> new CheckpointStore(file).load())
        .isInstanceOf(UncheckedIOException.class)
        .hasRootCauseMessage("checkpoint format 5 is newer than this Sluice's");
  }
}
