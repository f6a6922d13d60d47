package dev.sluice.mapper;

import static dev.sluice.mapper.MapperHarness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.search.Search;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-shard statistics, meters and stuck detection, on the mapper's clock: the tests advance it
 * instead of sleeping through delays, and poll only for the mapper's threads to catch up.
 */
class MappingStatsTest {

  static final String SHARD = "shardId-000000000000";
  static final long HOUR = 3_600_000L;

  @TempDir Path dir;
  MapperHarness h;
  String stream;

  /** What MappingStats logged during the test, as "LEVEL message". */
  final List<String> logged = new ArrayList<>();

  final Handler capture = capture(logged);

  @BeforeEach
  void open() throws Exception {
    h = new MapperHarness(dir);
    stream = h.stream();
    Logger.getLogger(MappingStats.class.getName()).addHandler(capture);
  }

  @AfterEach
  void close() {
    Logger.getLogger(MappingStats.class.getName()).removeHandler(capture);
    h.close();
  }

  MappingRequest request(String fn, int maxRetries, String onFailure) {
    return new MappingRequest(
        fn,
        "arn:aws:kinesis:us-east-1:000000000000:stream/" + stream,
        true,
        10,
        0,
        "TRIM_HORIZON",
        null,
        1,
        false,
        maxRetries,
        -1,
        onFailure,
        null,
        null,
        0,
        null,
        null);
  }

  /** The view of a mapping once {@code done} holds (or after about 10 s, for the assertion). */
  MappingService.View awaitView(String uuid, Predicate<MappingService.View> done)
      throws InterruptedException {
    MappingService.View v = h.mappings.get(uuid);
    for (int i = 0; i < 1000 && !done.test(v); i++) {
      Thread.sleep(10);
      v = h.mappings.get(uuid);
    }
    return v;
  }

  Search meter(String name, String uuid) {
    return h.meters.find(name).tag("mapping", uuid).tag("shard", SHARD).tag("stream", stream);
  }

  @Test
  void successfulRun_countsBatchesRecordsAndInvocations_andRegistersMeters() throws Exception {
    h.startMappings(Duration.ofSeconds(1), Duration.ofSeconds(8));
    String fn = h.function("fixture.BatchLog", BatchLogHandler.SOURCES);
    h.put(stream, "a", "b", "c");
    String uuid = h.mappings.create(request(fn, -1, null)).config().uuid();
    assertThat(await(fn, 1)).containsExactly("3|a,b,c");
    MappingService.View v =
        awaitView(uuid, x -> x.recordsProcessed() == 3 && x.sum(s -> s.offset()) == 3);

    assertThat(v.recordsProcessed()).isEqualTo(3);
    assertThat(v.sum(ShardStatus::batches)).isEqualTo(1);
    assertThat(v.sum(ShardStatus::invocations)).isEqualTo(1);
    assertThat(v.sum(ShardStatus::functionErrors)).isZero();
    assertThat(v.sum(ShardStatus::retries)).isZero();
    assertThat(v.sum(ShardStatus::recordsToOnFailure)).isZero();
    assertThat(v.sum(ShardStatus::batchesInFlight)).isZero();
    assertThat(v.iteratorAgeMillis()).isZero();
    assertThat(v.stuck()).isFalse();
    assertThat(v.shards()).containsOnlyKeys(SHARD);
    assertThat(v.shards().get(SHARD).offset()).isEqualTo(3);
    assertThat(v.shards().get(SHARD).finished()).isFalse();

    assertThat(meter("sluice.mapping.records", uuid).tag("function", fn).functionCounter().count())
        .isEqualTo(3.0);
    assertThat(meter("sluice.mapping.batches", uuid).functionCounter().count()).isEqualTo(1.0);
    assertThat(meter("sluice.mapping.invocations", uuid).functionCounter().count()).isEqualTo(1.0);
    assertThat(meter("sluice.mapping.iterator.age", uuid).gauge().value()).isZero();
    assertThat(meter("sluice.mapping.batches.in.flight", uuid).gauge().value()).isZero();
  }

  @Test
  void deletedMapping_metersRemoved() throws Exception {
    h.startMappings(Duration.ofSeconds(1), Duration.ofSeconds(8));
    String fn = h.function("fixture.BatchLog", BatchLogHandler.SOURCES);
    h.put(stream, "a");
    String uuid = h.mappings.create(request(fn, -1, null)).config().uuid();
    await(fn, 1);
    assertThat(h.meters.find("sluice.mapping.records").tag("mapping", uuid).meters()).hasSize(1);
    assertThat(h.meters.getMeters()).anyMatch(m -> uuid.equals(m.getId().getTag("mapping")));

    h.mappings.delete(uuid);

    assertThat(h.meters.getMeters()).noneMatch(m -> uuid.equals(m.getId().getTag("mapping")));
  }

  @Test
  void failingBatch_retriedThenSentToOnFailure_countsErrorsRetriesAndFailureRecords()
      throws Exception {
    h.startMappings(Duration.ofSeconds(1), Duration.ofSeconds(8));
    String fn = h.function("fixture.BatchLog", BatchLogHandler.SOURCES);
    Path failures = Files.createTempDirectory("sluice-stats-onfailure");
    h.put(stream, "poison-1", "x");
    String uuid = h.mappings.create(request(fn, 2, failures.toUri().toString())).config().uuid();
    long[] delays = {1000, 2000};
    for (int i = 0; i < delays.length; i++) {
      assertThat(await(fn, i + 1)).hasSize(i + 1);
      assertThat(h.timers.awaitPending()).isEqualTo(delays[i]);
      h.clock.advance(delays[i]);
    }
    assertThat(await(fn, 3)).hasSize(3);
    MappingService.View v = awaitView(uuid, x -> x.sum(ShardStatus::recordsToOnFailure) == 2);

    assertThat(v.sum(ShardStatus::recordsToOnFailure)).as("the batch of 2").isEqualTo(2);
    assertThat(v.sum(ShardStatus::invocations)).isEqualTo(3);
    assertThat(v.sum(ShardStatus::functionErrors)).isEqualTo(3);
    assertThat(v.sum(ShardStatus::retries)).isEqualTo(2);
    assertThat(v.sum(ShardStatus::batches)).as("a retried batch counts once").isEqualTo(1);
    assertThat(v.recordsProcessed()).isZero();
    assertThat(v.lastProcessingResult()).startsWith("PROBLEM");
    assertThat(meter("sluice.mapping.records.to.on.failure", uuid).functionCounter().count())
        .isEqualTo(2.0);
    assertThat(meter("sluice.mapping.function.errors", uuid).functionCounter().count())
        .isEqualTo(3.0);
    assertThat(meter("sluice.mapping.retries", uuid).functionCounter().count()).isEqualTo(2.0);
  }

  @Test
  void failingBatch_iteratorAgeGrowsWithTheClock_zeroOnceCaughtUp() throws Exception {
    h.startMappings(Duration.ofSeconds(1), Duration.ofSeconds(8));
    String fn = h.function("fixture.BatchLog", BatchLogHandler.SOURCES);
    h.put(stream, "poison-1");
    String uuid = h.mappings.create(request(fn, 1, null)).config().uuid();
    assertThat(await(fn, 1)).hasSize(1);
    assertThat(h.timers.awaitPending()).isEqualTo(1000);
    assertThat(h.mappings.get(uuid).iteratorAgeMillis()).isZero();

    h.clock.advance(400);
    assertThat(h.mappings.get(uuid).iteratorAgeMillis()).isEqualTo(400);
    assertThat(h.mappings.get(uuid).shards().get(SHARD).iteratorAgeMillis()).isEqualTo(400);
    assertThat(meter("sluice.mapping.iterator.age", uuid).gauge().value()).isEqualTo(400.0);

    h.clock.advance(600); // the retry fails too; the batch is skipped (no destination)
    assertThat(await(fn, 2)).hasSize(2);
    MappingService.View v =
        awaitView(uuid, x -> x.sum(ShardStatus::offset) == 1 && x.iteratorAgeMillis() == 0);
    assertThat(v.sum(ShardStatus::offset)).isEqualTo(1);
    assertThat(v.iteratorAgeMillis()).as("caught up").isZero();
    h.clock.advance(5000);
    assertThat(h.mappings.get(uuid).iteratorAgeMillis()).as("still caught up").isZero();
    assertThat(v.sum(ShardStatus::recordsToOnFailure)).as("no destination").isZero();
  }

  @Test
  void batchRetriedLongerThanStuckRetryAfter_stuck_recoversOnceItSucceeds() throws Exception {
    h.startMappings(Duration.ofSeconds(1), Duration.ofSeconds(4), Duration.ofSeconds(10));
    String fn = h.function("fixture.Gate", GateHandler.SOURCES);
    GateHandler.close(fn);
    h.put(stream, "a");
    String uuid = h.mappings.create(request(fn, -1, null)).config().uuid();
    long[] delays = {1000, 2000, 4000, 4000}; // failing since 0 s: 1, 3, 7, 11 s
    long failingFor = 0;
    for (int i = 0; i < delays.length; i++) {
      assertThat(await(fn, i + 1)).hasSize(i + 1);
      assertThat(h.timers.awaitPending()).isEqualTo(delays[i]);
      assertThat(h.mappings.get(uuid).stuck()).as("after %d ms", failingFor).isFalse();
      h.clock.advance(delays[i]);
      failingFor += delays[i];
    }
    assertThat(await(fn, 5)).hasSize(5);
    MappingService.View stuck = awaitView(uuid, MappingService.View::stuck);
    assertThat(stuck.stuck()).isTrue();
    assertThat(stuck.shards().get(SHARD).stuckReason())
        .isEqualTo(
            "retrying one batch for 11000 ms, longer than the 10000 ms of"
                + " sluice.mapper.stuck-retry-after");
    assertThat(h.mappings.stuck())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.uuid()).isEqualTo(uuid);
              assertThat(s.shardId()).isEqualTo(SHARD);
              assertThat(s.functionName()).isEqualTo(fn);
              assertThat(s.stream()).isEqualTo(stream);
            });

    GateHandler.open(fn);
    h.clock.advance(h.timers.awaitPending());
    assertThat(await(fn, 6)).last().isEqualTo("1|open");
    MappingService.View recovered = awaitView(uuid, x -> x.recordsProcessed() == 1);
    assertThat(recovered.stuck()).isFalse();
    assertThat(recovered.shards().get(SHARD).stuckReason()).isNull();
    assertThat(recovered.iteratorAgeMillis()).isZero();
    assertThat(recovered.sum(ShardStatus::retries)).isEqualTo(5);
    assertThat(recovered.sum(ShardStatus::functionErrors)).isEqualTo(5);
    assertThat(recovered.sum(ShardStatus::invocations)).isEqualTo(6);
    assertThat(h.mappings.stuck()).isEmpty();
  }

  @Test
  void iteratorAgePastHalfTheRetention_stuck() throws Exception {
    // retrying counts as stuck only after 2 days here: the age alone is under test
    h.startMappings(Duration.ofSeconds(1), Duration.ofSeconds(4), Duration.ofDays(2));
    String fn = h.function("fixture.Gate", GateHandler.SOURCES);
    GateHandler.close(fn);
    h.put(stream, "a");
    String uuid = h.mappings.create(request(fn, -1, null)).config().uuid();
    assertThat(await(fn, 1)).hasSize(1);
    h.clock.advance(12 * HOUR); // the stream keeps records 24 h: exactly half is not past it
    assertThat(h.mappings.get(uuid).stuck()).isFalse();
    h.clock.advance(1);

    ShardStatus s = h.mappings.get(uuid).shards().get(SHARD);

    assertThat(s.iteratorAgeMillis()).isEqualTo(12 * HOUR + 1);
    assertThat(s.stuckReason())
        .isEqualTo(
            "IteratorAge of 43200001 ms is past half the retention period of 86400000" + " ms");
    GateHandler.open(fn);
  }

  @Test
  void stuckWatch_warnsOnceWhenStuck_infoWhenRecovered_metersGoWithTheMapping() throws Exception {
    h.startMappings(Duration.ofSeconds(1), Duration.ofSeconds(4), Duration.ofSeconds(10));
    MappingStats stats = new MappingStats("m-1", stream, h.deps);
    ShardStats shard = stats.started(SHARD, "fn");
    shard.retryingSince(h.clock.millis());
    h.clock.advance(10_000);
    stats.watch("fn");
    assertThat(logged).as("exactly the limit is not past it").isEmpty();
    h.clock.advance(1);
    stats.watch("fn");
    stats.watch("fn");
    assertThat(logged)
        .containsExactly(
            "WARN Mapping m-1 (function fn): shard "
                + SHARD
                + " of stream "
                + stream
                + " is stuck: retrying one batch for 10001 ms, longer than the 10000 ms of"
                + " sluice.mapper.stuck-retry-after");
    shard.notRetrying();
    stats.watch("fn");
    assertThat(logged)
        .last()
        .isEqualTo(
            "INFO Mapping m-1: shard " + SHARD + " of stream " + stream + " is no longer stuck");
    assertThat(h.meters.find("sluice.mapping.retries").tag("mapping", "m-1").meters()).hasSize(1);
    stats.close();
    assertThat(h.meters.getMeters()).noneMatch(m -> "m-1".equals(m.getId().getTag("mapping")));
  }

  @Test
  void kafkaPartition_failingLongerThanTheStuckLimit_stuckUntilItsBatchGoesThrough() {
    h.startMappings(Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofSeconds(60));
    MappingStats stats = MappingStats.kafka("m-1", "orders", h.deps);
    SourceStats.Partition p = new SourceStats(stats, "fn").partition("orders-0");

    p.failingSince(h.clock.millis());
    h.clock.advance(59_000);
    assertThat(stats.stuck("fn")).isEmpty();
    h.clock.advance(2_000);
    assertThat(stats.stuck("fn"))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.shardId()).isEqualTo("orders-0");
              assertThat(s.reason()).startsWith("retrying one batch for 61000 ms");
            });
    p.failingSince(-1);
    assertThat(stats.stuck("fn")).isEmpty();
    p.failingSince(h.clock.millis() - 120_000);
    assertThat(stats.stuck("fn")).hasSize(1);
    p.stopped(); // moved to another node, or the mapping was disabled
    assertThat(stats.stuck("fn")).isEmpty();
  }

  @Test
  void kafkaPartition_behind_offsetLagGaugeAndAgeFromItsOldestRecordUntilCaughtUp() {
    h.startMappings(Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofSeconds(60));
    MappingStats stats = MappingStats.kafka("m-1", "orders", h.deps);
    SourceStats.Partition p = new SourceStats(stats, "fn").partition("orders-0");
    var lag = h.meters.find("sluice.mapping.offset.lag").tag("shard", "orders-0").gauge();
    assertThat(lag.value()).as("not reported yet").isNaN();

    p.behind(42, h.clock.millis() - 5_000);

    assertThat(lag.value()).isEqualTo(42);
    ShardStatus s = stats.statuses(Map.of()).get("orders-0");
    assertThat(s.offsetLag()).isEqualTo(42);
    assertThat(s.iteratorAgeMillis()).isEqualTo(5_000);
    p.behind(0, -1);
    assertThat(stats.statuses(Map.of()).get("orders-0").iteratorAgeMillis()).isZero();
    p.stopped();
    assertThat(lag.value()).as("another node reads it now").isNaN();
  }

  @Test
  void stuckWatch_kafkaPartitionRetryingTooLong_warnsNamingPartitionAndTopic() {
    h.startMappings(Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofSeconds(60));
    MappingStats stats = MappingStats.kafka("m-1", "orders", h.deps);
    SourceStats source = new SourceStats(stats, "fn");
    SourceStats.Partition p = source.partition("orders-0");

    p.failingSince(h.clock.millis());
    h.clock.advance(61_000);
    source.watch();
    p.failingSince(-1);
    source.watch();

    assertThat(logged)
        .containsExactly(
            "WARN Mapping m-1 (function fn): partition orders-0 of topic orders is stuck: retrying"
                + " one batch for 61000 ms, longer than the 60000 ms of"
                + " sluice.mapper.stuck-retry-after",
            "INFO Mapping m-1: partition orders-0 of topic orders is no longer stuck");
  }

  private static Handler capture(List<String> logged) {
    return new Handler() {
      @Override
      public void publish(LogRecord r) {
        logged.add(r.getLevel() + " " + String.format(r.getMessage(), r.getParameters()));
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
  }
}
