package dev.sluice.mapper;

import static dev.sluice.mapper.MapperHarness.await;
import static dev.sluice.mapper.MapperHarness.delivered;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.checkpoint.Checkpoint;
import dev.sluice.checkpoint.CheckpointStore;
import dev.sluice.stream.StreamMode;
import dev.sluice.stream.StreamStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mapping whose stream is deleted and created again under its name (the same ARN and shard ids,
 * offsets from 0 again): the new stream is read from its start, running or after a restart, and
 * checkpoints stored before Sluice recorded the stream's incarnation still resume where they were.
 */
class RecreatedStreamTest {

  static final String SHARD = "shardId-000000000000";

  @TempDir Path dir;
  MapperHarness h;

  @BeforeEach
  void open() {
    h = new MapperHarness(dir);
    startMappings();
  }

  void startMappings() {
    h.startMappings(Duration.ofMillis(10), Duration.ofMillis(50));
  }

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void running_streamDeletedAndCreatedAgain_deliversEveryNewRecordAndNoOldOneAgain()
      throws Exception {
    String stream = h.stream();
    String fn = function();
    String uuid = h.mappings.create(request(fn, stream, "LATEST", null)).config().uuid();
    h.put(stream, "old-0", "old-1", "old-2", "old-3", "old-4");
    await(fn, 5);
    awaitCheckpoint(uuid, cp -> cp.offset() == 5);

    recreate(stream);
    h.put(stream, "new-0", "new-1", "new-2", "new-3", "new-4", "new-5", "new-6");

    await(fn, 12);
    Thread.sleep(300); // time for a record delivered twice, were there one
    assertThat(data(fn))
        .containsExactly(
            "old-0", "old-1", "old-2", "old-3", "old-4", "new-0", "new-1", "new-2", "new-3",
            "new-4", "new-5", "new-6");
    long created = h.catalog.require(stream).createdMillis();
    awaitCheckpoint(uuid, cp -> cp.offset() == 7 && is(cp, created));
  }

  @Test
  void running_streamDeleted_reportsItUntilItIsCreatedAgain() throws Exception {
    String stream = h.stream();
    String fn = function();
    String uuid = h.mappings.create(request(fn, stream, "TRIM_HORIZON", null)).config().uuid();
    h.put(stream, "old-0");
    await(fn, 1);

    h.catalog.delete(stream).join();

    awaitResult(uuid, "PROBLEM: Stream " + stream + " not found");
    assertThat(h.mappings.get(uuid).state()).isEqualTo("Enabled");
    create(stream);
    h.put(stream, "new-0");
    await(fn, 2);
    assertThat(data(fn)).containsExactly("old-0", "new-0");
    awaitResult(uuid, "OK");
  }

  @Test
  void reenabled_afterTheStreamCameBackWhileDisabled_noLongerReportsItMissing() throws Exception {
    String stream = h.stream();
    String uuid =
        h.mappings.create(request(function(), stream, "TRIM_HORIZON", null)).config().uuid();
    h.catalog.delete(stream).join();
    awaitResult(uuid, "PROBLEM: Stream " + stream + " not found");
    h.mappings.update(uuid, MappingStatesTest.change(false, null));

    create(stream);
    h.mappings.update(uuid, MappingStatesTest.change(true, null)); // a runner of its own

    awaitResult(uuid, "No records processed");
  }

  @Test
  void rewind_whileTheStreamDoesNotExist_refusedAsInvalid() throws Exception {
    String stream = h.stream();
    String uuid =
        h.mappings.create(request(function(), stream, "TRIM_HORIZON", null)).config().uuid();
    h.catalog.delete(stream).join();
    awaitResult(uuid, "PROBLEM: Stream " + stream + " not found");

    assertThatThrownBy(() -> h.mappings.rewind(uuid, "TRIM_HORIZON", null, null))
        .isInstanceOfSatisfying(
            MappingException.class,
            e -> assertThat(e.kind()).isEqualTo(MappingException.Kind.INVALID_PARAMETER))
        .hasMessageContaining("does not exist");
    assertThat(h.mappings.get(uuid).state()).isEqualTo("Enabled");
  }

  @Test
  void rewind_toAPositionThatDoesNotExist_invalidParameterNamingTo() throws Exception {
    String stream = h.stream();
    String uuid =
        h.mappings.create(request(function(), stream, "TRIM_HORIZON", null)).config().uuid();

    assertThatThrownBy(() -> h.mappings.rewind(uuid, "EARLIEST", null, null))
        .isInstanceOfSatisfying(
            MappingException.class,
            e -> assertThat(e.kind()).isEqualTo(MappingException.Kind.INVALID_PARAMETER))
        .hasMessageContaining("To must be TRIM_HORIZON, LATEST or AT_TIMESTAMP");
  }

  @Test
  void restart_withCheckpointsOfTheDeletedStream_readsTheNewStreamFromItsStart() throws Exception {
    String stream = h.stream();
    String fn = function();
    String uuid = h.mappings.create(request(fn, stream, "LATEST", null)).config().uuid();
    h.put(stream, "old-0", "old-1", "old-2", "old-3", "old-4");
    await(fn, 5);
    awaitCheckpoint(uuid, cp -> cp.offset() == 5);
    h.mappings.close(); // the node stops: its final save is of the old stream
    Path file = checkpointFile(uuid);
    assertThat(new CheckpointStore(file).load().get(SHARD).offset()).isEqualTo(5);

    recreate(stream);
    h.put(stream, "new-0", "new-1", "new-2");
    startMappings();

    await(fn, 8);
    Thread.sleep(300);
    assertThat(data(fn))
        .containsExactly("old-0", "old-1", "old-2", "old-3", "old-4", "new-0", "new-1", "new-2");
    long created = h.catalog.require(stream).createdMillis();
    awaitStored(file, cp -> cp.offset() == 3 && is(cp, created));
  }

  @Test
  void restart_withCheckpointsStoredBeforeIncarnations_resumesFromTheirOffsets() throws Exception {
    String stream = h.stream();
    String fn = function();
    String uuid = h.mappings.create(request(fn, stream, "TRIM_HORIZON", null)).config().uuid();
    h.put(stream, "a-0", "a-1", "a-2", "a-3", "a-4");
    await(fn, 5);
    h.mappings.close();
    Path file = checkpointFile(uuid);
    // as Sluice wrote it before checkpoints named the stream's incarnation
    Files.writeString(
        file, "{\"version\":2,\"shards\":{\"" + SHARD + "\":{\"offset\":3,\"finished\":false}}}");

    startMappings();
    h.put(stream, "after");

    await(fn, 8);
    Thread.sleep(300);
    assertThat(data(fn)).containsExactly("a-0", "a-1", "a-2", "a-3", "a-4", "a-3", "a-4", "after");
    long created = h.catalog.require(stream).createdMillis();
    awaitStored(file, cp -> cp.offset() == 6 && is(cp, created));
  }

  @Test
  void restart_atTimestampMapping_streamCreatedAgain_startsTheNewStreamAtTheTimestamp()
      throws Exception {
    String stream = h.stream();
    String fn = function();
    long at = h.clock.millis() + 60_000;
    h.put(stream, "old-0", "old-1", "old-2"); // before the timestamp: never delivered
    String uuid = h.mappings.create(request(fn, stream, "AT_TIMESTAMP", at)).config().uuid();
    awaitStored(checkpointFile(uuid), cp -> cp.offset() == 3);
    h.mappings.close();

    recreate(stream);
    h.put(stream, "new-early"); // the new stream's, but before the timestamp
    h.clock.set(at);
    h.put(stream, "new-0", "new-1");
    startMappings();

    await(fn, 2);
    Thread.sleep(300);
    assertThat(data(fn)).containsExactly("new-0", "new-1");
    long created = h.catalog.require(stream).createdMillis();
    awaitCheckpoint(uuid, cp -> cp.offset() == 3 && is(cp, created));
  }

  // ---- helpers ----

  String function() {
    return h.function("fixture.Recorder", RecordingHandler.SOURCES);
  }

  static MappingRequest request(String function, String stream, String position, Long at) {
    return new MappingRequest(
        function,
        MapperHarness.ARNS.stream(stream),
        true,
        10,
        0,
        position,
        at,
        1,
        false,
        -1,
        -1,
        null,
        null,
        null,
        0,
        null,
        null);
  }

  /** Deletes the stream and creates it again under its name, with one shard as before. */
  void recreate(String stream) throws Exception {
    h.catalog.delete(stream).join();
    for (int i = 0; i < 1000 && h.catalog.find(stream).isPresent(); i++) {
      Thread.sleep(5);
    }
    assertThat(h.catalog.find(stream)).as("deleted").isEmpty();
    create(stream);
  }

  void create(String stream) throws Exception {
    h.clock.advance(1_000); // a creation time of its own, as a real re-creation has
    h.catalog.create(stream, 1, StreamMode.PROVISIONED, Map.of()).join();
    for (int i = 0; i < 1000 && h.catalog.require(stream).status() != StreamStatus.ACTIVE; i++) {
      Thread.sleep(5);
    }
  }

  Path checkpointFile(String uuid) {
    return dir.resolve("mappings").resolve(uuid).resolve("checkpoints.json");
  }

  void awaitCheckpoint(String uuid, Predicate<Checkpoint> wanted) throws InterruptedException {
    Checkpoint cp = null;
    for (int i = 0; i < 1000; i++) {
      cp = h.mappings.get(uuid).checkpoints().get(SHARD);
      if (cp != null && wanted.test(cp)) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the mapping's checkpoint is " + cp);
  }

  /** Waits until the checkpoint file holds the wanted checkpoint (saves are periodic). */
  static void awaitStored(Path file, Predicate<Checkpoint> wanted) throws Exception {
    Checkpoint cp = null;
    for (int i = 0; i < 1000; i++) {
      if (Files.isRegularFile(file)) {
        cp = new CheckpointStore(file).load().get(SHARD);
        if (cp != null && wanted.test(cp)) {
          return;
        }
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the stored checkpoint is " + cp);
  }

  void awaitResult(String uuid, String result) throws InterruptedException {
    for (int i = 0; i < 1000 && !h.mappings.get(uuid).lastProcessingResult().equals(result); i++) {
      Thread.sleep(10);
    }
    assertThat(h.mappings.get(uuid).lastProcessingResult()).isEqualTo(result);
  }

  /** Whether the checkpoint names the stream created at {@code created}. */
  static boolean is(Checkpoint cp, long created) {
    return Long.valueOf(created).equals(cp.incarnation());
  }

  static List<String> data(String fn) throws Exception {
    return delivered(fn).stream().map(l -> l.split("\\|")[1]).toList();
  }
}
