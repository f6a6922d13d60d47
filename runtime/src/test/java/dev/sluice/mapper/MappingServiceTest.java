package dev.sluice.mapper;

import static dev.sluice.mapper.MapperHarness.await;
import static dev.sluice.mapper.MapperHarness.delivered;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.checkpoint.Checkpoint;
import dev.sluice.checkpoint.CheckpointStore;
import dev.sluice.log.LogRecord;
import dev.sluice.log.ShardRef;
import dev.sluice.stream.HashKeys;
import dev.sluice.stream.StreamMode;
import dev.sluice.stream.StreamStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mapping service over real parts with an injected clock, for behaviour that depends on time
 * and on restarts.
 */
class MappingServiceTest {

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

  String function() {
    return h.function("fixture.Recorder", RecordingHandler.SOURCES);
  }

  static MappingRequest request(String function, String stream, Integer maxAge, String onFailure) {
    return request(function, stream, -1, maxAge, onFailure);
  }

  static MappingRequest request(
      String function, String stream, int maxRetries, Integer maxAge, String onFailure) {
    return new MappingRequest(
        function,
        "arn:aws:kinesis:us-east-1:000000000000:stream/" + stream,
        true,
        10,
        0,
        "TRIM_HORIZON",
        null,
        1,
        false,
        maxRetries,
        maxAge,
        onFailure,
        null,
        null,
        0,
        null,
        null);
  }

  @Test
  void recordsOlderThanMaximumRecordAge_skippedToOnFailureWithoutInvoking() throws Exception {
    String stream = h.stream();
    String fn = function();
    h.put(stream, "stale-1");
    h.put(stream, "stale-2");
    h.clock.advance(120_000);
    Path failures = Files.createTempDirectory("sluice-age");
    h.mappings.create(request(fn, stream, 60, failures.toUri().toString()));
    Path record = null;
    for (int i = 0; i < 1000 && record == null; i++) {
      Thread.sleep(10);
      try (Stream<Path> files = Files.list(failures)) {
        // the record is written as NAME.json.tmp first, then renamed
        record = files.filter(f -> f.toString().endsWith(".json")).findFirst().orElse(null);
      }
    }
    assertThat(record).as("failure record").isNotNull();
    JsonNode failure = new ObjectMapper().readTree(record.toFile());
    assertThat(failure.at("/requestContext/condition").asText()).isEqualTo("RecordAgeExceeded");
    assertThat(failure.at("/KinesisBatchInfo/batchSize").asInt()).isEqualTo(2);
    assertThat(delivered(fn)).as("the handler never saw the stale records").isEmpty();
    h.clock.advance(1000);
    h.put(stream, "fresh");
    assertThat(await(fn, 1)).extracting(l -> l.split("\\|")[1]).containsExactly("fresh");
  }

  @Test
  void invoke_startThrowsAnError_batchRetriedAndDelivered() throws Exception {
    String stream = h.stream();
    String fn = function();
    h.failNextStart.set(true); // no thread left for the first invocation
    h.mappings.create(request(fn, stream, null, null));
    h.put(stream, "first");

    List<String> lines = delivered(fn);
    for (int i = 0; i < 3000 && lines.isEmpty(); i++) {
      h.clock.advance(100); // the retry waits on the mapper's clock
      Thread.sleep(10);
      lines = delivered(fn);
    }
    assertThat(h.failNextStart).as("the failing start happened").isFalse();
    assertThat(lines).extracting(l -> l.split("\\|")[1]).containsExactly("first");
  }

  @Test
  void createMapping_streamStillCreating_deliversOnceTheStreamIsActive() throws Exception {
    h.close();
    CountDownLatch gate = new CountDownLatch(1);
    h = new MapperHarness(dir.resolve("gated"), gate);
    startMappings();
    String fn = function();
    String stream = "s-creating";
    h.catalog.create(stream, 1, StreamMode.PROVISIONED, Map.of()).join();
    assertThat(h.catalog.require(stream).status()).isEqualTo(StreamStatus.CREATING);

    h.mappings.create(request(fn, stream, null, null));
    gate.countDown();
    for (int i = 0; i < 6000 && h.catalog.require(stream).status() != StreamStatus.ACTIVE; i++) {
      Thread.sleep(5);
    }
    h.put(stream, "first");
    List<String> lines = delivered(fn);
    for (int i = 0; i < 3000 && lines.isEmpty(); i++) {
      h.clock.advance(100); // the processor looks for its shard's log again on a timer
      Thread.sleep(10);
      lines = delivered(fn);
    }
    assertThat(lines).extracting(l -> l.split("\\|")[1]).containsExactly("first");
  }

  @Test
  void failureRecordOverTheStreamsRecordLimit_sentWithoutItsRecords() throws Exception {
    String stream = h.stream();
    String destination = h.stream();
    String fn = function();
    String big = "x".repeat(600 * 1024);
    h.put(stream, big, big); // together over the destination stream's 1 MiB record limit
    h.clock.advance(120_000);
    h.mappings.create(request(fn, stream, 60, MapperHarness.ARNS.stream(destination)));

    JsonNode failure = landedFailureRecord(destination);
    assertThat(failure.at("/requestContext/condition").asText()).isEqualTo("RecordAgeExceeded");
    assertThat(failure.at("/KinesisBatchInfo/batchSize").asInt()).isEqualTo(2);
    assertThat(failure.path("payloadOmitted").asBoolean()).isTrue();
    assertThat(failure.has("records")).isFalse();
  }

  @Test
  void failureRecordWhoseErrorMessageHoldsTheEvent_sentWithTheMessageCutUnderTheLimit()
      throws Exception {
    String stream = h.stream();
    String destination = h.stream();
    String fn =
        h.function(
            "fixture.Echoing::go",
            Map.of(
                "fixture.Echoing",
                "package fixture; public class Echoing { public String go(java.util.Map<String,"
                    + " Object> event) { throw new IllegalStateException(\"bad batch: \" +"
                    + " String.valueOf(event).repeat(3)); } }"));
    String big = "x".repeat(600 * 1024);
    h.put(stream, big); // its error message alone is over the 1 MiB record limit
    // no retry: to OnFailure at once
    h.mappings.create(request(fn, stream, 0, -1, MapperHarness.ARNS.stream(destination)));

    JsonNode failure = landedFailureRecord(destination);
    assertThat(failure.at("/requestContext/condition").asText())
        .isEqualTo("RetryAttemptsExhausted");
    assertThat(failure.path("payloadOmitted").asBoolean()).isTrue();
    assertThat(failure.at("/error/errorMessage").asText())
        .startsWith("bad batch: ")
        .endsWith(" more characters)")
        .hasSizeLessThan(FailureRecords.MAX_MESSAGE_CHARS + 100);
  }

  /** The one failure record that lands in stream {@code destination}, under its 1 MiB limit. */
  private JsonNode landedFailureRecord(String destination) throws Exception {
    ShardRef ref = new ShardRef(destination, h.catalog.require(destination).shards().get(0).id());
    List<LogRecord> landed = List.of();
    for (int i = 0; i < 1000 && landed.isEmpty(); i++) {
      Thread.sleep(10);
      landed = h.engine.read(ref, 0, 10, 10 << 20).join().records();
    }
    assertThat(landed).hasSize(1);
    assertThat(landed.get(0).data().length).isLessThan(1024 * 1024);
    return new ObjectMapper().readTree(landed.get(0).data());
  }

  @Test
  void restart_resumesFromTheStoredCheckpointWithoutRedelivering() throws Exception {
    String stream = h.stream();
    String fn = function();
    h.mappings.create(request(fn, stream, null, null));
    for (int i = 0; i < 5; i++) {
      h.put(stream, "before-" + i);
    }
    assertThat(await(fn, 5)).hasSize(5);
    Thread.sleep(100); // let the last checkpoint save finish before the "restart"
    h.mappings.close();
    startMappings();
    h.put(stream, "after");
    await(fn, 6);
    Thread.sleep(200);
    assertThat(delivered(fn))
        .extracting(l -> l.split("\\|")[1])
        .containsExactly("before-0", "before-1", "before-2", "before-3", "before-4", "after");
  }

  @Test
  void start_checkpointsUnreadable_otherMappingsRunAndTheStoredCheckpointsAreKept()
      throws Exception {
    String stream = h.stream();
    String other = h.stream();
    String fn = function();
    String uuid = h.mappings.create(request(fn, stream, null, null)).config().uuid();
    h.mappings.create(request(fn, other, null, null));
    h.put(stream, "before-0", "before-1");
    assertThat(await(fn, 2)).hasSize(2);
    Thread.sleep(100); // let the checkpoint save finish before the "restart"
    h.mappings.close();
    Path file = dir.resolve("mappings").resolve(uuid).resolve("checkpoints.json");
    byte[] stored = Files.readAllBytes(file);
    byte[] newer = "{\"version\":99,\"shards\":{}}".getBytes(StandardCharsets.UTF_8);
    Files.write(file, newer); // as a later Sluice, before a downgrade, would leave it
    Path damaged = dir.resolve("mappings").resolve("damaged");
    Files.createDirectories(damaged);
    Files.writeString(damaged.resolve("mapping.json"), "{\"uuid\":"); // torn by hand

    startMappings(); // the node starts all the same
    h.put(other, "other");
    assertThat(await(fn, 3)).extracting(l -> l.split("\\|")[1]).contains("other");
    assertThat(h.mappings.get(uuid).lastProcessingResult())
        .startsWith("PROBLEM: Checkpoints cannot be read");
    h.mappings.update(uuid, MappingStatesTest.change(true, 7)); // tries again, and fails again
    h.mappings.update(uuid, MappingStatesTest.change(true, 8));
    assertThat(Files.readAllBytes(file)).as("nothing saved over them").isEqualTo(newer);
    assertThat(damaged.resolve("mapping.json")).as("an unreadable mapping file, left").exists();

    Files.write(file, stored);
    h.mappings.update(uuid, MappingStatesTest.change(true, 9));
    h.put(stream, "after");
    await(fn, 4);
    Thread.sleep(200);
    assertThat(delivered(fn))
        .extracting(l -> l.split("\\|")[1])
        .containsExactlyInAnyOrder("before-0", "before-1", "other", "after");
    assertThat(h.mappings.get(uuid).lastProcessingResult()).doesNotStartWith("PROBLEM");
  }

  @Test
  void delete_stoppedAfterItsCheckpointsAreGone_theMappingDoesNotComeBack() throws Exception {
    h.mappings.close();
    Path node = dir.resolve("crashing");
    ShardLeases files = ShardLeases.files(node);
    ShardLeases crashing = new CrashAfterDelete(files);
    MappingService s = new MappingService(node, h.deps, MapperHarness.ARNS, crashing, null);
    s.start();
    String uuid;
    try {
      uuid = s.create(request(function(), h.stream(), null, null)).config().uuid();
      assertThatThrownBy(() -> s.delete(uuid)) // the node "dies" once the checkpoints are deleted
          .hasMessage("the node died here");
    } finally {
      s.close();
    }

    MappingService restarted = new MappingService(node, h.deps, MapperHarness.ARNS, files, null);
    restarted.start();
    try {
      assertThat(restarted.list(null, null)).as("mappings after the restart").isEmpty();
      assertThat(node.resolve("mappings").resolve(uuid)).as("what the crash left").doesNotExist();
    } finally {
      restarted.close();
    }
  }

  /** File leases whose delete ends as a crash right after it would: with an error. */
  private record CrashAfterDelete(ShardLeases files) implements ShardLeases {
    @Override
    public void initialize(String uuid, String stream, Map<String, Checkpoint> checkpoints) {
      files.initialize(uuid, stream, checkpoints);
    }

    @Override
    public Map<String, Checkpoint> load(String uuid, String stream) {
      return files.load(uuid, stream);
    }

    @Override
    public void rewind(String uuid, String stream, Map<String, Checkpoint> checkpoints) {
      files.rewind(uuid, stream, checkpoints);
    }

    @Override
    public void delete(String uuid) {
      files.delete(uuid);
      throw new IllegalStateException("the node died here");
    }

    @Override
    public Lease open(String uuid, String stream) {
      return files.open(uuid, stream);
    }
  }

  @Test
  void update_whileABatchIsInFlight_waitsForItInsteadOfDeliveringItAgainAtOnce() throws Exception {
    String stream = h.stream();
    String fn = function();
    String uuid = h.mappings.create(request(fn, stream, null, null)).config().uuid();
    startSlowBatch(stream, fn);
    Path spans = MapperHarness.OUT.resolve(fn + ".spans");

    h.mappings.update(uuid, MappingStatesTest.change(true, 7)); // the runner starts again
    h.put(stream, "after");
    await(fn, 2);

    assertThat(Files.readAllLines(spans)).as("one invocation over slow-1").hasSize(2);
    assertThat(delivered(fn)).extracting(l -> l.split("\\|")[1]).containsExactly("slow-1", "after");
  }

  @Test
  void update_whileAnotherMappingDrains_isNotHeldUpByIt() throws Exception {
    String slow = h.stream();
    String fn = function();
    String draining = h.mappings.create(request(fn, slow, null, null)).config().uuid();
    String other = h.mappings.create(request(function(), h.stream(), null, null)).config().uuid();
    startSlowBatch(slow, fn);

    CompletableFuture<MappingService.View> drained =
        CompletableFuture.supplyAsync(
            () -> h.mappings.update(draining, MappingStatesTest.change(true, 7)));
    awaitState(draining, "Updating");
    assertThat(h.mappings.update(other, MappingStatesTest.change(false, null)).state())
        .isEqualTo("Disabling");
    assertThat(h.mappings.get(other).state()).isEqualTo("Disabled");
    assertThat(drained).as("the first update still waits for its batch").isNotDone();

    assertThat(drained.get(30, TimeUnit.SECONDS).config().batchSize()).isEqualTo(7);
    assertThat(h.mappings.get(draining).state()).isEqualTo("Enabled");
  }

  @Test
  void update_whileAnUpdateOfTheSameMappingDrains_isRefusedAsInUse() throws Exception {
    String stream = h.stream();
    String fn = function();
    String uuid = h.mappings.create(request(fn, stream, null, null)).config().uuid();
    startSlowBatch(stream, fn);

    CompletableFuture<MappingService.View> first =
        CompletableFuture.supplyAsync(
            () -> h.mappings.update(uuid, MappingStatesTest.change(true, 7)));
    awaitState(uuid, "Updating");
    assertThatThrownBy(() -> h.mappings.delete(uuid))
        .isInstanceOf(MappingException.class)
        .hasMessageContaining("currently in Updating state")
        .extracting(e -> ((MappingException) e).kind())
        .isEqualTo(MappingException.Kind.IN_USE);

    first.get(30, TimeUnit.SECONDS);
    h.put(stream, "after");
    await(fn, 2);
    assertThat(delivered(fn)).extracting(l -> l.split("\\|")[1]).containsExactly("slow-1", "after");
    assertThat(h.mappings.delete(uuid).state()).isEqualTo("Deleting");
  }

  @Test
  void split_whileTheParentsLastBatchIsInFlight_processorWaitsWithoutSpinning() throws Exception {
    String stream = h.stream();
    String fn = function();
    h.mappings.create(request(fn, stream, null, null));
    startSlowBatch(stream, fn);
    h.catalog.split(stream, "shardId-000000000000", HashKeys.MAX.shiftRight(1)).join();
    for (int i = 0; i < 6000 && h.catalog.require(stream).status() != StreamStatus.ACTIVE; i++) {
      Thread.sleep(5);
    }

    Thread.sleep(500); // the parent is read to its final end; its batch still runs
    assertThat(h.catalog.watch().waiting(new ShardRef(stream, "shardId-000000000000")))
        .as("futures kept on the closed parent")
        .isLessThanOrEqualTo(1);
    h.put(stream, "after");
    await(fn, 2);
    assertThat(delivered(fn)).extracting(l -> l.split("\\|")[1]).containsExactly("slow-1", "after");
  }

  @Test
  void delete_whileItsShardIsIdle_leavesNoWaiterOnTheShard() throws Exception {
    String stream = h.stream();
    String uuid = h.mappings.create(request(function(), stream, null, null)).config().uuid();
    ShardRef ref = new ShardRef(stream, "shardId-000000000000");
    for (int i = 0; i < 3000 && h.catalog.watch().waiting(ref) == 0; i++) {
      Thread.sleep(10);
    }
    assertThat(h.catalog.watch().waiting(ref)).as("the processor waits for records").isEqualTo(1);

    h.mappings.delete(uuid);
    awaitGone(h.mappings, uuid);

    for (int i = 0; i < 500 && h.catalog.watch().waiting(ref) > 0; i++) {
      Thread.sleep(10);
    }
    assertThat(h.catalog.watch().waiting(ref)).as("kept until a record that never comes").isZero();
  }

  @Test
  void retention_expiresAParentTheMappingFinished_itsCheckpointIsForgotten() throws Exception {
    String stream = h.stream();
    String fn = function();
    String uuid = h.mappings.create(request(fn, stream, null, null)).config().uuid();
    h.put(stream, "before");
    await(fn, 1);
    h.catalog.split(stream, "shardId-000000000000", HashKeys.MAX.shiftRight(1)).join();
    String parent = "shardId-000000000000";
    for (int i = 0; i < 3000 && !finished(uuid, parent); i++) {
      Thread.sleep(10);
    }
    assertThat(finished(uuid, parent)).as("the parent read to its end").isTrue();
    Path file = dir.resolve("mappings").resolve(uuid).resolve("checkpoints.json");
    for (int i = 0; i < 500 && !savedWith(file, parent); i++) {
      Thread.sleep(10); // saves are at most five a second
    }
    assertThat(Files.readString(file)).contains(parent);

    h.clock.advance(25 * 3_600_000L); // past the 24 h retention of the closed parent
    h.catalog.applyRetention().join();

    for (int i = 0; i < 1000 && h.mappings.get(uuid).checkpoints().containsKey(parent); i++) {
      Thread.sleep(10);
    }
    assertThat(h.mappings.get(uuid).checkpoints()).doesNotContainKey(parent);
    for (int i = 0; i < 500 && savedWith(file, parent); i++) {
      Thread.sleep(10);
    }
    assertThat(Files.readString(file)).as("saved without it").doesNotContain(parent);
  }

  private static boolean savedWith(Path file, String shard) throws java.io.IOException {
    return Files.exists(file) && Files.readString(file).contains(shard);
  }

  private boolean finished(String uuid, String shard) {
    Checkpoint cp = h.mappings.get(uuid).checkpoints().get(shard);
    return cp != null && cp.finished();
  }

  @Test
  void batchOfManySmallRecordsWithLongKeys_cutBelowSixMegabytesAndDelivered() throws Exception {
    String stream = h.stream();
    String fn = function();
    String key = "customer-" + "0".repeat(190); // the key is in every record's JSON too
    List<dev.sluice.stream.StreamAppender.Entry> entries = new java.util.ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      entries.add(
          new dev.sluice.stream.StreamAppender.Entry(
              key,
              HashKeys.ofPartitionKey(key),
              ("{\"order\":" + i + ",\"pad\":\"" + "x".repeat(60) + "\"}")
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
    h.appender.append(stream, entries).join();
    MappingRequest r = request(fn, stream, null, null);
    h.mappings.create(
        new MappingRequest(
            r.functionName(),
            r.eventSourceArn(),
            true,
            10_000,
            0,
            "TRIM_HORIZON",
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null));

    assertThat(await(fn, 10_000))
        .as("every record delivered, none refused as too large")
        .hasSize(10_000);
  }

  @Test
  void create_onFailureToTheSourceStream_refused() throws Exception {
    String stream = h.stream();
    String self = "arn:aws:kinesis:us-east-1:000000000000:stream/" + stream;

    assertThatThrownBy(() -> h.mappings.create(request(function(), stream, null, self)))
        .isInstanceOf(MappingException.class)
        .hasMessageContaining("must not be the source stream");
    assertThat(h.mappings.list(null, null)).isEmpty();
  }

  @Test
  void update_ofAMappingAnotherNodeDeletedWhileItDrainsHere_notFoundAndNotWrittenBack()
      throws Exception {
    h.mappings.close(); // this test's node shares its mappings
    dev.sluice.testing.MemoryState state = new dev.sluice.testing.MemoryState();
    Path node = dir.resolve("node");
    MappingService shared =
        new MappingService(node, h.deps, MapperHarness.ARNS, ShardLeases.files(node), state);
    shared.start();
    try {
      String stream = h.stream();
      String fn = function();
      String uuid = shared.create(request(fn, stream, null, null)).config().uuid();
      startSlowBatch(stream, fn);

      CompletableFuture.runAsync(() -> state.remote("mapping/" + uuid, null)); // drains 7 s
      for (int i = 0; i < 200 && !shared.get(uuid).state().equals("Deleting"); i++) {
        Thread.sleep(10);
      }

      assertThatThrownBy(() -> shared.update(uuid, MappingStatesTest.change(true, 7)))
          .isInstanceOf(MappingException.class)
          .extracting(e -> ((MappingException) e).kind())
          .isEqualTo(MappingException.Kind.NOT_FOUND);
      assertThat(state.values).as("the deleted mapping not written back").isEmpty();
    } finally {
      shared.close();
    }
  }

  @Test
  void change_writtenAfterAnotherNodesDeletionFromAStaleView_ignoredAndItsRecordRemoved()
      throws Exception {
    h.mappings.close(); // this test's node shares its mappings
    dev.sluice.testing.MemoryState state = new dev.sluice.testing.MemoryState();
    MappingService shared = sharedNode(state, "node");
    try {
      String uuid = shared.create(request(function(), h.stream(), null, null)).config().uuid();
      byte[] config = state.values.get("mapping/" + uuid);

      // node b deletes it; node c, whose view did not have that yet, writes an update after it
      state.remote("mapping-deleted/" + uuid, grave(uuid));
      state.remote("mapping/" + uuid, null);
      awaitGone(shared, uuid);
      state.remote("mapping/" + uuid, config);

      Thread.sleep(200); // a resurrected mapping would show at once: delivery is synchronous
      assertThat(shared.list(null, null)).as("not brought back").isEmpty();
      for (int i = 0; i < 500 && state.values.containsKey("mapping/" + uuid); i++) {
        Thread.sleep(10);
      }
      assertThat(state.values)
          .as("the stale record removed again")
          .doesNotContainKey("mapping/" + uuid);
    } finally {
      shared.close();
    }
  }

  @Test
  void start_configurationOfADeletedMappingStillInTheState_notLoadedAndRemoved() throws Exception {
    h.mappings.close(); // this test's node shares its mappings
    dev.sluice.testing.MemoryState state = new dev.sluice.testing.MemoryState();
    MappingService first = sharedNode(state, "first");
    String uuid;
    try {
      uuid = first.create(request(function(), h.stream(), null, null)).config().uuid();
    } finally {
      first.close();
    }
    byte[] config = state.values.get("mapping/" + uuid);
    state.remote("mapping-deleted/" + uuid, grave(uuid));
    state.remote("mapping/" + uuid, config); // written after the deletion; compaction keeps it

    MappingService later = sharedNode(state.otherNode(), "later");
    try {
      assertThat(later.list(null, null)).as("the deleted mapping not loaded").isEmpty();
      for (int i = 0; i < 500 && state.values.containsKey("mapping/" + uuid); i++) {
        Thread.sleep(10);
      }
      assertThat(state.values).doesNotContainKey("mapping/" + uuid);
    } finally {
      later.close();
    }
  }

  @Test
  void delete_whenTheConfigurationCannotBeRemoved_deletedAndRemovedByTheNextStart()
      throws Exception {
    h.mappings.close(); // this test's node shares its mappings
    dev.sluice.testing.MemoryState state = new dev.sluice.testing.MemoryState();
    MappingService node = sharedNode(state, "node");
    MappingService other = sharedNode(state.otherNode(), "other");
    String uuid;
    try {
      uuid = node.create(request(function(), h.stream(), null, null)).config().uuid();
      state.refusedRemovals = "mapping/"; // the marker is written, the removal fails

      node.delete(uuid);

      assertThat(node.list(null, null)).as("gone on the deleting node").isEmpty();
      awaitGone(other, uuid); // its runner drains first
      assertThat(state.values).containsKey("mapping-deleted/" + uuid);
    } finally {
      node.close();
      other.close();
    }
    state.refusedRemovals = null;
    MappingService later = sharedNode(state.otherNode(), "later");
    try {
      for (int i = 0; i < 500 && state.values.containsKey("mapping/" + uuid); i++) {
        Thread.sleep(10);
      }
      assertThat(state.values).doesNotContainKey("mapping/" + uuid);
      assertThat(later.list(null, null)).isEmpty();
    } finally {
      later.close();
    }
  }

  private MappingService sharedNode(dev.sluice.cluster.StateStore state, String name) {
    Path node = dir.resolve(name);
    MappingService s =
        new MappingService(node, h.deps, MapperHarness.ARNS, ShardLeases.files(node), state);
    s.start();
    return s;
  }

  private static byte[] grave(String uuid) {
    return ("{\"uuid\":\"" + uuid + "\",\"deletedMillis\":1}").getBytes();
  }

  private static void awaitGone(MappingService s, String uuid) throws InterruptedException {
    for (int i = 0; i < 500 && !s.list(null, null).isEmpty(); i++) {
      Thread.sleep(10);
    }
    assertThat(s.list(null, null)).as("mapping %s deleted", uuid).isEmpty();
  }

  /** Puts a record the handler takes 7 s over, and waits until its batch is in flight. */
  @Test
  void assigned_backWhileItsShardStillDrains_theDrainingBatchDoesNotMoveTheCheckpointBack()
      throws Exception {
    h.mappings.close(); // this test's node takes its shards as the test says
    ScriptedLeases leases = new ScriptedLeases();
    Path node = dir.resolve("scripted");
    MappingService scripted = new MappingService(node, h.deps, MapperHarness.ARNS, leases, null);
    scripted.start();
    try {
      String stream = h.stream();
      String fn = function();
      String shard = h.catalog.require(stream).shards().get(0).id();
      long incarnation = h.catalog.require(stream).createdMillis();
      scripted.create(request(fn, stream, null, null));
      for (int i = 0; i < 500 && leases.owner == null; i++) {
        Thread.sleep(10);
      }
      leases.owner.assigned(Set.of(shard), Map.of());
      startSlowBatch(stream, fn); // offset 0, 7 s
      h.put(stream, "x", "y"); // offsets 1 and 2

      // the shard is lost (its batch drains on), another node delivers "x", then it comes back
      leases.owner.revoked(Set.of(shard));
      leases.owner.assigned(Set.of(shard), Map.of(shard, new Checkpoint(2, false).in(incarnation)));

      await(fn, 2); // "y", from the other node's checkpoint; "slow-1" still runs
      Path spans = MapperHarness.OUT.resolve(fn + ".spans");
      for (int i = 0; i < 1000 && Files.readAllLines(spans).size() < 2; i++) {
        Thread.sleep(10);
      }
      Thread.sleep(500); // time for the drained batch's report and a save
      List<Long> saved =
          leases.saves.stream()
              .map(cps -> cps.get(shard))
              .filter(java.util.Objects::nonNull)
              .map(Checkpoint::offset)
              .toList();
      assertThat(saved).as("never behind the checkpoint it came back with").allMatch(o -> o >= 2);
      assertThat(saved).last().isEqualTo(3L);
      assertThat(MapperHarness.delivered(fn))
          .extracting(l -> l.split("\\|")[1])
          .as("x, which the other node delivered, not again")
          .containsExactlyInAnyOrder("slow-1", "y");
    } finally {
      scripted.close();
    }
  }

  private void startSlowBatch(String stream, String fn) throws Exception {
    h.put(stream, "slow-1");
    Path spans = MapperHarness.OUT.resolve(fn + ".spans");
    for (int i = 0; i < 3000 && !Files.exists(spans); i++) {
      Thread.sleep(10);
    }
    assertThat(spans).as("the slow batch is in flight").exists();
  }

  private void awaitState(String uuid, String state) throws InterruptedException {
    for (int i = 0; i < 6000 && !h.mappings.get(uuid).state().equals(state); i++) {
      Thread.sleep(5);
    }
    assertThat(h.mappings.get(uuid).state()).isEqualTo(state);
  }

  @Test
  void update_whenTheLastCheckpointSaveFails_appliesTheChangeAndRepeatsRecords() throws Exception {
    String stream = h.stream();
    String fn = function();
    String uuid = h.mappings.create(request(fn, stream, null, null)).config().uuid();
    h.put(stream, "a");
    await(fn, 1);
    Thread.sleep(100); // the periodic save stores the checkpoint past "a"
    // the checkpoint file's place taken by a non-empty directory: every save of it fails
    Path file = dir.resolve("mappings").resolve(uuid).resolve("checkpoints.json");
    block(file);

    h.mappings.update(uuid, MappingStatesTest.change(false, null));

    assertThat(h.mappings.get(uuid).config().enabled()).isFalse();
    assertThat(h.mappings.get(uuid).state()).isEqualTo("Disabled");
    Files.delete(file.resolve("blocked"));
    Files.delete(file); // the checkpoint was lost: the next runner starts from TRIM_HORIZON
    h.mappings.update(uuid, MappingStatesTest.change(true, null));
    h.put(stream, "b");
    await(fn, 3);
    assertThat(delivered(fn)).extracting(l -> l.split("\\|")[1]).containsExactly("a", "a", "b");
  }

  @Test
  void checkpointSave_thatFailed_isMadeAgainWithoutNewRecords() throws Exception {
    String stream = h.stream();
    String fn = function();
    String uuid = h.mappings.create(request(fn, stream, null, null)).config().uuid();
    Path file = dir.resolve("mappings").resolve(uuid).resolve("checkpoints.json");
    Path blocked = file.resolve("blocked");
    for (int i = 0; i < 100 && !Files.isRegularFile(file); i++) {
      Thread.sleep(20); // the first save, of the starting position
    }
    block(file);

    h.put(stream, "a");
    await(fn, 1);
    Thread.sleep(300); // the save of the checkpoint past "a" fails
    Files.delete(blocked);
    Files.delete(file);
    for (int i = 0; i < 100 && !Files.isRegularFile(file); i++) {
      Thread.sleep(20); // no record comes: only a retry can save it
    }

    Map<String, Checkpoint> saved = new CheckpointStore(file).load();
    assertThat(saved).hasSize(1);
    assertThat(saved.values().iterator().next().offset()).isEqualTo(1);
  }

  /**
   * Puts a non-empty directory in the place of checkpoint file {@code file}, so that every save of
   * it fails; a save that renames the file into place meanwhile only makes it try again.
   */
  static void block(Path file) throws Exception {
    for (int i = 0; ; i++) {
      try {
        Files.deleteIfExists(file);
        Files.createDirectories(file.resolve("blocked"));
        return;
      } catch (java.nio.file.FileSystemException e) {
        if (i == 50) {
          throw e;
        }
        Thread.sleep(10);
      }
    }
  }

  @Test
  void restart_inATumblingWindow_continuesTheWindowWithItsState() throws Exception {
    String stream = h.stream();
    String fn = h.function("fixture.WindowSum", WindowSumHandler.SOURCES);
    MappingRequest r = request(fn, stream, null, null);
    String uuid = h.mappings.create(withTumblingWindow(r, 60)).config().uuid();
    h.put(stream, "{\"amount\":1}", "{\"amount\":2}");
    assertThat(await(fn, 1)).singleElement().asString().startsWith("batch|");
    Checkpoint before = awaitWindowState(uuid);
    assertThat(before.offset()).isEqualTo(2);
    assertThat(before.window().state()).containsEntry("sum", "3");

    h.mappings.close();
    JsonNode saved =
        new ObjectMapper().readTree(dir.resolve("mappings/" + uuid + "/checkpoints.json").toFile());
    assertThat(saved.at("/version").asInt()).isEqualTo(4);
    assertThat(saved.at("/shards/shardId-000000000000/window/state/sum").asText()).isEqualTo("3");
    startMappings();
    h.put(stream, "{\"amount\":4}");
    List<String> lines = await(fn, 2);
    assertThat(lines.get(1).split("\\|")[4]).as("invocations the state had seen").isEqualTo("1");
    h.timers.awaitPending();
    h.clock.advance(60_000); // past the window's end
    String[] last = await(fn, 3).get(2).split("\\|");
    assertThat(last[0]).isEqualTo("final");
    assertThat(last[3]).as("sum over the restart").isEqualTo("7");
    assertThat(last[4]).isEqualTo("2");
    assertThat(Long.parseLong(last[1])).isEqualTo(before.window().start());
  }

  @Test
  void restart_afterAWindowsFinalInvoke_theClosedWindowIsNotInvokedAgain() throws Exception {
    String stream = h.stream();
    String fn = h.function("fixture.WindowSum", WindowSumHandler.SOURCES);
    String uuid =
        h.mappings.create(withTumblingWindow(request(fn, stream, null, null), 60)).config().uuid();
    h.put(stream, "{\"amount\":1}");
    awaitWindowState(uuid);
    h.timers.awaitPending();
    h.clock.advance(60_000);
    assertThat(await(fn, 2).get(1)).startsWith("final|");
    awaitWindowClosed(uuid);

    h.mappings.close();
    startMappings();
    h.put(stream, "{\"amount\":8}");
    h.timers.awaitPending();
    h.clock.advance(60_000);
    List<String> lines = await(fn, 4);
    assertThat(lines).hasSize(4);
    assertThat(lines.get(2)).startsWith("batch|");
    assertThat(lines.get(3).split("\\|")[3]).as("only the new window's final").isEqualTo("8");
  }

  @Test
  void restart_lateRecordStampedInAClosedWindow_joinsTheNextWindowWithoutASecondFinalInvoke()
      throws Exception {
    String stream = h.stream();
    String fn = h.function("fixture.WindowSum", WindowSumHandler.SOURCES);
    String uuid =
        h.mappings.create(withTumblingWindow(request(fn, stream, null, null), 60)).config().uuid();
    long firstPut = h.clock.millis();
    h.put(stream, "{\"amount\":1}");
    awaitWindowState(uuid);
    h.timers.awaitPending();
    h.clock.advance(60_000);
    String[] closed = await(fn, 2).get(1).split("\\|");
    assertThat(closed[0]).isEqualTo("final");
    awaitWindowClosed(uuid);

    h.mappings.close();
    JsonNode saved =
        new ObjectMapper().readTree(dir.resolve("mappings/" + uuid + "/checkpoints.json").toFile());
    assertThat(saved.at("/shards/shardId-000000000000/windowFloor/floor").asText())
        .as("the closed window's end")
        .isEqualTo(closed[2]);
    h.clock.set(firstPut + 10_000); // stepped back: the next record is stamped in the closed window
    startMappings();
    h.put(stream, "{\"amount\":8}");
    String[] late = await(fn, 3).get(2).split("\\|");
    assertThat(late[0]).isEqualTo("batch");
    assertThat(late[1]).as("the window after the closed one").isEqualTo(closed[2]);
    h.timers.awaitPending();
    h.clock.advance(120_000);
    List<String> lines = await(fn, 4);
    assertThat(lines).hasSize(4);
    String[] last = lines.get(3).split("\\|");
    assertThat(last[0]).isEqualTo("final");
    assertThat(last[1]).as("not the closed window again").isEqualTo(closed[2]);
    assertThat(last[3]).isEqualTo("8");
  }

  @Test
  void finalWindowInvoke_overTheRequestLimit_stateDiscardedAndTheShardMovesOn() throws Exception {
    String stream = h.stream();
    String fn = h.function("fixture.WindowSum", WindowSumHandler.SOURCES);
    String uuid =
        h.mappings.create(withTumblingWindow(request(fn, stream, null, null), 60)).config().uuid();
    // a state the response limit lets through, but the final event around it is over 6 MiB; over
    // 1 MB, it also ends the window early, so the final invoke comes at once
    h.put(stream, "{\"amount\":1,\"pad\":6291400}");
    assertThat(await(fn, 1).get(0)).startsWith("batch|");
    awaitWindowClosed(uuid);

    h.put(stream, "{\"amount\":2}"); // joins the next window
    h.timers.awaitPending();
    h.clock.advance(120_000);
    List<String> lines = await(fn, 3);
    assertThat(lines.get(1)).startsWith("batch|");
    String[] last = lines.get(2).split("\\|");
    assertThat(last[0]).isEqualTo("final");
    assertThat(last[3]).as("the new window's sum only").isEqualTo("2");
  }

  @Test
  void windowEndedEarlyWithARetryQueued_finalInvokeFirstAndTheRetryStartsAFreshState()
      throws Exception {
    String stream = h.stream();
    String fn = h.function("fixture.WindowSum", WindowSumHandler.SOURCES);
    h.put(stream, "{\"amount\":1,\"pad\":1100000}"); // state over 1 MB: the window ends early
    h.put(stream, "{\"amount\":2,\"flaky\":true}"); // reported failed the first time
    h.mappings.create(
        reportingItemFailures(withTumblingWindow(request(fn, stream, null, null), 60)));

    List<String> lines = delivered(fn);
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (lines.size() < 3 && System.nanoTime() < deadline) {
      h.clock.advance(10); // the retry waits on the mapper's clock
      Thread.sleep(10);
      lines = delivered(fn);
    }
    assertThat(lines).as("two batches and a final invoke").hasSizeGreaterThanOrEqualTo(3);
    assertThat(lines.get(0))
        .as("both records, the second failed")
        .matches("batch\\|.*\\|2\\|0\\|true\\|1");
    String[] ended = lines.get(1).split("\\|");
    assertThat(ended[0]).isEqualTo("final");
    assertThat(ended[3]).as("the sum before the failed record").isEqualTo("1");
    assertThat(ended[6]).as("terminated early").isEqualTo("true");
    assertThat(lines.get(2))
        .as("the retry, in a fresh state")
        .matches("batch\\|.*\\|1\\|0\\|true\\|1");
    assertThat(lines.get(2).split("\\|")[1]).as("the same window").isEqualTo(ended[1]);
  }

  @Test
  void finalWindowInvoke_failingUntilRetentionTrimsTheWindow_givenUpAndTheShardMovesOn()
      throws Exception {
    String stream = h.stream();
    String fn = h.function("fixture.WindowSum", WindowSumHandler.SOURCES);
    // Lambda's defaults: retried until the records expire
    String uuid =
        h.mappings.create(withTumblingWindow(request(fn, stream, null, null), 60)).config().uuid();
    h.put(stream, "{\"amount\":1,\"failFinal\":1}");
    awaitWindowState(uuid);
    h.timers.awaitPending();
    h.clock.advance(60_000);
    assertThat(await(fn, 2).get(1)).as("the failing final invoke").startsWith("final|");
    h.timers.awaitPending(); // its retry
    long start =
        h.engine.trim(new ShardRef(stream, "shardId-000000000000"), h.clock.millis() + 1).join();
    assertThat(start).as("the window's record left the stream").isEqualTo(1);
    h.put(stream, "{\"amount\":2}");

    List<String> lines = delivered(fn);
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (finals(lines, "2") == 0 && System.nanoTime() < deadline) {
      h.clock.advance(1_000);
      Thread.sleep(10);
      lines = delivered(fn);
    }
    assertThat(finals(lines, "1"))
        .as("the first window's final: invoked, then retried once after the trim")
        .isEqualTo(2);
    assertThat(lines.get(3)).startsWith("batch|");
    assertThat(finals(lines, "2")).as("the new window's final").isEqualTo(1);
  }

  /** How many of WindowSum's lines are final invokes of a window that summed to {@code sum}. */
  private static long finals(List<String> lines, String sum) {
    return lines.stream()
        .map(l -> l.split("\\|"))
        .filter(f -> f[0].equals("final") && f[3].equals(sum))
        .count();
  }

  @Test
  void partlyFailedBatch_olderThanMaximumRecordAgeWhenItsRetryIsDue_failureRecordNamesTheFailure()
      throws Exception {
    String stream = h.stream();
    String fn = function();
    Path failures = Files.createTempDirectory("sluice-age-partial");
    h.put(stream, "reject-1"); // reported as a batch item failure every time
    MappingRequest r = request(fn, stream, 60, failures.toUri().toString());
    h.mappings.create(reportingItemFailures(r));
    h.timers.awaitPending(); // the retry after the reported failure
    h.clock.advance(61_000);

    JsonNode failure = MappingTimersTest.awaitFailureRecord(failures);
    assertThat(failure.at("/requestContext/condition").asText()).isEqualTo("RecordAgeExceeded");
    assertThat(failure.at("/responseContext/functionError").asText()).isEqualTo("Unhandled");
    assertThat(failure.at("/error/errorType").asText()).isEqualTo("BatchItemFailure");
  }

  private void awaitWindowClosed(String uuid) throws InterruptedException {
    for (int i = 0; i < 1000; i++) {
      Checkpoint cp = h.mappings.get(uuid).checkpoints().get("shardId-000000000000");
      if (cp != null && cp.window() == null) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the closed window is still in the checkpoint");
  }

  private Checkpoint awaitWindowState(String uuid) throws InterruptedException {
    for (int i = 0; i < 1000; i++) {
      Map<String, Checkpoint> cps = h.mappings.get(uuid).checkpoints();
      Checkpoint cp = cps.get("shardId-000000000000");
      if (cp != null && cp.window() != null) {
        return cp;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no window state reported");
  }

  static MappingRequest reportingItemFailures(MappingRequest r) {
    return with(r, List.of("ReportBatchItemFailures"), r.tumblingWindowSeconds());
  }

  static MappingRequest withTumblingWindow(MappingRequest r, int seconds) {
    return with(r, r.functionResponseTypes(), seconds);
  }

  /** {@code r} with other FunctionResponseTypes and TumblingWindowInSeconds. */
  private static MappingRequest with(MappingRequest r, List<String> types, Integer windowSeconds) {
    return new MappingRequest(
        r.functionName(),
        r.eventSourceArn(),
        r.enabled(),
        r.batchSize(),
        r.maxBatchingWindowSeconds(),
        r.startingPosition(),
        r.startingTimestampMillis(),
        r.parallelizationFactor(),
        r.bisectOnError(),
        r.maxRetryAttempts(),
        r.maxRecordAgeSeconds(),
        r.onFailure(),
        types,
        r.filterPatterns(),
        windowSeconds,
        r.metadataOnlyFailures(),
        null);
  }
}
