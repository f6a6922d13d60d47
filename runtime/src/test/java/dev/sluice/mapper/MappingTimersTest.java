package dev.sluice.mapper;

import static dev.sluice.mapper.MapperHarness.await;
import static dev.sluice.mapper.MapperHarness.delivered;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.log.ShardRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retry backoff, the batching window and the record age, on the mapper's clock: the tests advance
 * it and check what is pending instead of sleeping through delays.
 */
class MappingTimersTest {

  @TempDir Path dir;
  MapperHarness h;
  String stream;
  String fn;

  @BeforeEach
  void open() throws Exception {
    h = new MapperHarness(dir);
    stream = h.stream();
    fn = h.function("fixture.BatchLog", BatchLogHandler.SOURCES);
  }

  @AfterEach
  void close() {
    h.close();
  }

  MappingRequest request(
      int batchSize, int windowSeconds, int maxRetries, int maxAgeSeconds, String onFailure) {
    return request(batchSize, windowSeconds, maxRetries, maxAgeSeconds, onFailure, false);
  }

  MappingRequest request(
      int batchSize,
      int windowSeconds,
      int maxRetries,
      int maxAgeSeconds,
      String onFailure,
      boolean bisect) {
    return new MappingRequest(
        fn,
        "arn:aws:kinesis:us-east-1:000000000000:stream/" + stream,
        true,
        batchSize,
        windowSeconds,
        "TRIM_HORIZON",
        null,
        1,
        bisect,
        maxRetries,
        maxAgeSeconds,
        onFailure,
        null,
        null,
        0,
        null,
        null);
  }

  static JsonNode awaitFailureRecord(Path dir) throws Exception {
    return awaitFailureRecords(dir, 1).get(0);
  }

  @Test
  void shardTheEngineDoesNotHoldYet_lookedForEverySecondAndDeliveredOnceHeld() throws Exception {
    h.startMappings(Duration.ofSeconds(1), Duration.ofSeconds(8));
    ShardRef shard = new ShardRef(stream, h.catalog.require(stream).shards().get(0).id());
    String uuid = h.mappings.create(request(10, 0, -1, -1, null)).config().uuid();
    h.unheld.add(shard); // as if its attaching failed on this node and is being tried again
    h.mappings.update(uuid, MappingStatesTest.change(true, 7)); // a runner starts on it
    h.put(stream, "first");

    assertThat(h.timers.awaitPending()).as("looks again a second later").isEqualTo(1000);
    h.clock.advance(1000);
    assertThat(h.timers.awaitPending()).as("still not held: again").isEqualTo(1000);
    assertThat(delivered(fn)).isEmpty();

    h.unheld.remove(shard);
    h.clock.advance(1000);
    assertThat(await(fn, 1)).hasSize(1);
  }

  @Test
  void failingBatch_retryDelaysDoubleUpToTheMax_neverRetriedEarly() throws Exception {
    h.startMappings(Duration.ofSeconds(1), Duration.ofSeconds(8));
    Path failures = Files.createTempDirectory("sluice-backoff");
    h.put(stream, "poison-1");
    h.mappings.create(request(10, 0, 5, -1, failures.toUri().toString()));
    long[] delays = {1000, 2000, 4000, 8000, 8000};
    for (int i = 0; i < delays.length; i++) {
      assertThat(await(fn, i + 1)).as("invocations").hasSize(i + 1);
      assertThat(h.timers.awaitPending()).as("delay before retry %d", i + 1).isEqualTo(delays[i]);
      h.clock.advance(delays[i] - 1);
      assertThat(h.timers.pending()).as("1 ms short").containsExactly(1L);
      assertThat(delivered(fn)).as("not retried before its delay").hasSize(i + 1);
      h.clock.advance(1);
    }
    JsonNode failure = awaitFailureRecord(failures);
    assertThat(failure.at("/requestContext/condition").asText())
        .isEqualTo("RetryAttemptsExhausted");
    assertThat(failure.at("/requestContext/approximateInvokeCount").asInt()).isEqualTo(6);
    assertThat(failure.at("/timestamp").asText())
        .as("the mapper's clock")
        .isEqualTo(java.time.Instant.ofEpochMilli(h.clock.millis()).toString());
    assertThat(delivered(fn)).as("1 call and 5 retries").hasSize(6);
    assertThat(h.timers.pending()).isEmpty();
  }

  @Test
  void failingBatch_olderThanMaximumRecordAgeWhenItsRetryIsDue_skippedWithoutInvoking()
      throws Exception {
    h.startMappings(Duration.ofSeconds(10), Duration.ofSeconds(40));
    Path failures = Files.createTempDirectory("sluice-age-backoff");
    h.put(stream, "poison-1");
    h.mappings.create(request(10, 0, -1, 60, failures.toUri().toString()));
    long[] delays = {10_000, 20_000, 40_000}; // retries at 10 s and 30 s; at 70 s it is too old
    for (int i = 0; i < delays.length; i++) {
      assertThat(await(fn, i + 1)).as("invocations").hasSize(i + 1);
      assertThat(h.timers.awaitPending()).isEqualTo(delays[i]);
      h.clock.advance(delays[i]);
    }
    JsonNode failure = awaitFailureRecord(failures);
    assertThat(failure.at("/requestContext/condition").asText()).isEqualTo("RecordAgeExceeded");
    assertThat(failure.at("/KinesisBatchInfo/batchSize").asInt()).isEqualTo(1);
    assertThat(failure.at("/requestContext/approximateInvokeCount").asInt()).isEqualTo(3);
    assertThat(delivered(fn)).as("no call once the record was too old").hasSize(3);
  }

  @Test
  void bisectedHalf_olderThanMaximumRecordAgeWhenItsTurnComes_failureRecordNamesTheSplitFailure()
      throws Exception {
    h.startMappings(Duration.ofSeconds(10), Duration.ofSeconds(40));
    Path failures = Files.createTempDirectory("sluice-age-bisect");
    h.put(stream, "poison-1");
    h.put(stream, "poison-2");
    h.mappings.create(request(10, 0, -1, 60, failures.toUri().toString(), true));
    // both, then the first half alone, which waits for its retry while the second half queues
    assertThat(await(fn, 2)).hasSize(2);
    h.clock.advance(h.timers.awaitPending() + 61_000);

    List<JsonNode> records = awaitFailureRecords(failures, 2);
    assertThat(records)
        .extracting(n -> n.at("/requestContext/condition").asText())
        .containsOnly("RecordAgeExceeded");
    assertThat(records)
        .as("the half skipped without a call of its own names the failure it was split after")
        .extracting(n -> n.at("/responseContext/functionError").asText())
        .containsOnly("Unhandled");
    assertThat(delivered(fn)).hasSize(2);
  }

  static List<JsonNode> awaitFailureRecords(Path dir, int count) throws Exception {
    for (int i = 0; i < 1000; i++) {
      try (Stream<Path> files = Files.list(dir)) {
        List<Path> json = files.filter(p -> p.toString().endsWith(".json")).toList();
        if (json.size() >= count) {
          List<JsonNode> out = new java.util.ArrayList<>();
          for (Path p : json) {
            out.add(new ObjectMapper().readTree(p.toFile()));
          }
          return out;
        }
      }
      Thread.sleep(10);
    }
    throw new AssertionError("fewer than " + count + " failure records in " + dir);
  }

  @Test
  void failingBatch_trimmedByTheStreamsRetentionWhileRetried_skippedWithLambdasDefaults()
      throws Exception {
    h.startMappings(Duration.ofSeconds(10), Duration.ofSeconds(40));
    Path failures = Files.createTempDirectory("sluice-trimmed");
    h.put(stream, "poison-1");
    h.mappings.create(request(10, 0, -1, -1, failures.toUri().toString()));
    assertThat(await(fn, 1)).hasSize(1);
    long delay = h.timers.awaitPending();

    long start =
        h.engine
            .trim(new dev.sluice.log.ShardRef(stream, "shardId-000000000000"), h.clock.millis() + 1)
            .join();
    assertThat(start).as("the record left the stream").isEqualTo(1);
    h.clock.advance(delay);

    JsonNode failure = awaitFailureRecord(failures);
    assertThat(failure.at("/requestContext/condition").asText()).isEqualTo("RecordAgeExceeded");
    assertThat(failure.at("/requestContext/approximateInvokeCount").asInt()).isEqualTo(1);
    assertThat(delivered(fn)).as("not retried once it was trimmed").hasSize(1);
  }

  @Test
  void batch_onlyItsFirstRecordsPastMaximumRecordAge_thoseSkippedAndTheYoungerOnesInvoked()
      throws Exception {
    h.startMappings(Duration.ofSeconds(1), Duration.ofSeconds(8));
    Path failures = Files.createTempDirectory("sluice-age-prefix");
    h.put(stream, "old-1");
    h.clock.advance(61_000);
    h.put(stream, "young-1", "young-2");

    h.mappings.create(request(10, 0, -1, 60, failures.toUri().toString()));

    assertThat(await(fn, 1)).containsExactly("2|young-1,young-2");
    JsonNode failure = awaitFailureRecord(failures);
    assertThat(failure.at("/requestContext/condition").asText()).isEqualTo("RecordAgeExceeded");
    assertThat(failure.at("/KinesisBatchInfo/batchSize").asInt()).isEqualTo(1);
    assertThat(failure.at("/requestContext/approximateInvokeCount").asInt())
        .as("never invoked")
        .isZero();
  }

  @Test
  void throttledCalls_retryDelaysGrowWithoutCountingAttempts() throws Exception {
    h.startMappings(Duration.ofSeconds(1), Duration.ofSeconds(8));
    h.functions.putConcurrency(fn, 0); // every call is throttled
    h.put(stream, "a");
    h.mappings.create(request(10, 0, 0, -1, null)); // no retries: throttles must not use them up

    for (long delay : new long[] {1000, 2000, 4000, 8000, 8000}) {
      assertThat(h.timers.awaitPending()).as("backoff after a throttle").isEqualTo(delay);
      h.clock.advance(delay);
    }
    // the sixth throttle first: lifted before that call, the call would run and arm no timer
    assertThat(h.timers.awaitPending()).isEqualTo(8000);
    h.functions.putConcurrency(fn, null);
    h.clock.advance(8000);

    assertThat(await(fn, 1)).containsExactly("1|a");
  }

  @Test
  void smallBatch_heldUntilTheBatchingWindowElapsesOnTheClock() throws Exception {
    h.startMappings(Duration.ofSeconds(1), Duration.ofSeconds(8));
    h.put(stream, "a", "b", "c");
    h.mappings.create(request(10, 5, -1, -1, null));
    assertThat(h.timers.awaitPending()).as("the window").isEqualTo(5000);
    h.clock.advance(4999);
    assertThat(h.timers.pending()).containsExactly(1L);
    assertThat(delivered(fn)).as("held inside the window").isEmpty();
    h.clock.advance(1);
    assertThat(await(fn, 1)).containsExactly("3|a,b,c");
  }

  @Test
  void fullBatch_sentAtOnceAndTheRestWithinTheWindowOfItsArrival() throws Exception {
    h.startMappings(Duration.ofSeconds(1), Duration.ofSeconds(8));
    String[] data = new String[12];
    for (int i = 0; i < data.length; i++) {
      data[i] = "r" + i;
    }
    h.put(stream, data);
    h.mappings.create(request(10, 300, -1, -1, null));
    assertThat(await(fn, 1))
        .as("BatchSize reached: no wait")
        .containsExactly("10|r0,r1,r2,r3,r4,r5,r6,r7,r8,r9");
    assertThat(h.timers.awaitPending())
        .as("the rest waits the window, no longer")
        .isEqualTo(300_000);
    h.clock.advance(300_000);
    assertThat(await(fn, 2)).endsWith("2|r10,r11");
  }

  @Test
  void sixMegabytesQueued_sentAtOnceWithoutWaitingForTheWindow() throws Exception {
    h.startMappings(Duration.ofSeconds(1), Duration.ofSeconds(8));
    String[] data = new String[5];
    for (int i = 0; i < data.length; i++) {
      data[i] = "big-" + i + "-" + "x".repeat(1_000_000); // 1.33 MB each in the event: 4 fit
    }
    h.put(stream, data);
    h.mappings.create(request(10_000, 300, -1, -1, null));
    List<String> first = await(fn, 1);
    assertThat(first).hasSize(1);
    assertThat(first.get(0)).as("the payload cap reached: no wait").startsWith("4|big-0-");
    assertThat(h.timers.awaitPending()).isEqualTo(300_000);
    assertThat(delivered(fn)).hasSize(1);
    h.clock.advance(300_000);
    assertThat(await(fn, 2).get(1)).startsWith("1|big-4-");
  }
}
