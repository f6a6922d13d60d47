package dev.sluice.log.file;

import static dev.sluice.log.file.LogFixtures.SHARD;
import static dev.sluice.log.file.LogFixtures.assertPayloads;
import static dev.sluice.log.file.LogFixtures.await;
import static dev.sluice.log.file.LogFixtures.files;
import static dev.sluice.log.file.LogFixtures.fill;
import static dev.sluice.log.file.LogFixtures.readAll;
import static dev.sluice.log.file.LogFixtures.record;
import static dev.sluice.log.file.LogFixtures.small;
import static dev.sluice.log.file.LogFixtures.start;
import static dev.sluice.log.file.LogFixtures.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.log.AppendResult;
import dev.sluice.log.LogListener;
import dev.sluice.log.LogRecord;
import dev.sluice.log.NewRecord;
import dev.sluice.log.ReadResult;
import dev.sluice.log.ShardNotFoundException;
import dev.sluice.log.ShardRef;
import dev.sluice.testing.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileLogEngineAppendReadTest {

  @TempDir Path dir;
  private final TestClock clock = new TestClock(1_000);
  private FileLogEngine engine;

  @AfterEach
  void closeEngine() {
    if (engine != null) {
      engine.close();
    }
  }

  private FileLogEngine open(FileLogOptions options) {
    engine = start(dir, options, clock, LogListener.NONE);
    await(engine.createShard(SHARD));
    return engine;
  }

  @Test
  void append_thenRead_returnsRecordsWithOffsetsAndArrival() {
    open(FileLogOptions.defaults());

    AppendResult first = await(engine.append(SHARD, List.of(record("a", "1"), record("b", "2"))));
    clock.advance(5);
    AppendResult second = await(engine.append(SHARD, List.of(record("ü-key", "3"))));
    ReadResult read = await(engine.read(SHARD, 0, 10, Long.MAX_VALUE));

    assertThat(first).isEqualTo(new AppendResult(0, 2, 1_000));
    assertThat(second).isEqualTo(new AppendResult(2, 1, 1_005));
    assertThat(read.records())
        .extracting(
            LogRecord::offset, LogRecord::partitionKey, LogFixtures::text, LogRecord::arrivalMillis)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(0L, "a", "1", 1_000L),
            org.assertj.core.groups.Tuple.tuple(1L, "b", "2", 1_000L),
            org.assertj.core.groups.Tuple.tuple(2L, "ü-key", "3", 1_005L));
    assertThat(read.nextOffset()).isEqualTo(3);
    assertThat(read.endOffset()).isEqualTo(3);
    assertThat(read.lastArrivalMillis()).isEqualTo(1_005);
    assertThat(read.atEnd()).isTrue();
    assertThat(engine.offsets(SHARD).endOffset()).isEqualTo(3);
  }

  @Test
  void append_acrossSegmentRolls_readsBackFromEveryOffset() throws Exception {
    open(small(400).withHotCacheBytes(0));

    fill(engine, SHARD, 60, 3);

    assertThat(files(dir, ".log")).hasSizeGreaterThan(5);
    for (long from = 0; from < 180; from += 7) {
      ReadResult r = await(engine.read(SHARD, from, 11, Long.MAX_VALUE));
      assertThat(r.records()).hasSize((int) Math.min(11, 180 - from));
      assertPayloads(r.records(), from);
      assertThat(r.nextOffset()).isEqualTo(from + r.records().size());
    }
    assertPayloads(readAll(engine, SHARD, 0, 1000), 0);
    assertThat(readAll(engine, SHARD, 0, 1000)).hasSize(180);
  }

  @Test
  void read_followingNextOffset_seesEveryRecordOnce_withAndWithoutHotCache() {
    for (long hot : new long[] {0, 1 << 20}) {
      closeEngine();
      engine =
          start(dir.resolve("h" + hot), small(500).withHotCacheBytes(hot), clock, LogListener.NONE);
      await(engine.createShard(SHARD));
      fill(engine, SHARD, 40, 5);

      List<LogRecord> all = readAll(engine, SHARD, 0, 3);

      assertThat(all).hasSize(200);
      assertPayloads(all, 0);
    }
  }

  @Test
  void read_limits_maxRecordsAndMaxBytes_butAlwaysOneRecord() {
    open(FileLogOptions.defaults());
    await(engine.append(SHARD, List.of(record("k", "aaaaaaaaaa"), record("k", "bbbbbbbbbb"))));
    await(engine.append(SHARD, List.of(record("k", "cccccccccc"))));

    ReadResult oneByCount = await(engine.read(SHARD, 0, 1, Long.MAX_VALUE));
    ReadResult oneBySize = await(engine.read(SHARD, 0, 10, 1));
    ReadResult twoBySize = await(engine.read(SHARD, 0, 10, 22));
    ReadResult fromMiddle = await(engine.read(SHARD, 1, 10, Long.MAX_VALUE));

    assertThat(oneByCount.records()).extracting(LogFixtures::text).containsExactly("aaaaaaaaaa");
    assertThat(oneByCount.nextOffset()).isEqualTo(1);
    assertThat(oneByCount.atEnd()).isFalse();
    assertThat(oneBySize.records()).hasSize(1);
    assertThat(twoBySize.records()).hasSize(2);
    assertThat(twoBySize.nextOffset()).isEqualTo(2);
    assertThat(fromMiddle.records())
        .extracting(LogFixtures::text)
        .containsExactly("bbbbbbbbbb", "cccccccccc");
  }

  @Test
  void read_pastTheEnd_readsNothing() {
    open(FileLogOptions.defaults());
    fill(engine, SHARD, 2, 2);

    ReadResult atEnd = await(engine.read(SHARD, 4, 10, Long.MAX_VALUE));
    ReadResult pastEnd = await(engine.read(SHARD, 99, 10, Long.MAX_VALUE));

    assertThat(atEnd.records()).isEmpty();
    assertThat(atEnd.nextOffset()).isEqualTo(4);
    assertThat(atEnd.atEnd()).isTrue();
    assertThat(pastEnd.records()).isEmpty();
    assertThat(pastEnd.endOffset()).isEqualTo(4);
  }

  @Test
  void append_emptyList_completesAtEndOffsetWithoutWriting() throws Exception {
    open(FileLogOptions.defaults());
    fill(engine, SHARD, 1, 3);
    long before = Files.size(files(dir, ".log").get(0));

    AppendResult empty = await(engine.append(SHARD, List.of()));

    assertThat(empty.baseOffset()).isEqualTo(3);
    assertThat(empty.count()).isZero();
    assertThat(Files.size(files(dir, ".log").get(0))).isEqualTo(before);
    assertThat(engine.offsets(SHARD).endOffset()).isEqualTo(3);
  }

  @Test
  void append_batchLargerThanSegment_getsASegmentOfItsOwn() throws Exception {
    open(small(200));
    fill(engine, SHARD, 1, 1);
    String big = "z".repeat(1_000);

    await(engine.append(SHARD, List.of(record("big", big))));
    fill(engine, SHARD, 1, 1);

    List<Path> logs = files(dir, ".log");
    assertThat(logs)
        .extracting(p -> p.getFileName().toString())
        .containsExactly(
            "00000000000000000000.log", "00000000000000000001.log", "00000000000000000002.log");
    assertThat(Files.size(logs.get(1)))
        .isEqualTo(LogFixtures.batchSize(List.of(record("big", big))));
    List<LogRecord> all = readAll(engine, SHARD, 0, 10);
    assertThat(all).extracting(LogRecord::offset).containsExactly(0L, 1L, 2L);
    assertThat(text(all.get(1))).isEqualTo(big);
  }

  @Test
  void append_arrivalTime_neverDecreases_whenTheClockGoesBack() {
    open(FileLogOptions.defaults());
    clock.set(5_000);
    AppendResult first = await(engine.append(SHARD, List.of(record("k", "a"))));
    clock.set(4_000);
    AppendResult second = await(engine.append(SHARD, List.of(record("k", "b"))));

    assertThat(first.arrivalMillis()).isEqualTo(5_000);
    assertThat(second.arrivalMillis()).isEqualTo(5_000);
  }

  @Test
  void append_concurrentProducers_shareFsync() throws Exception {
    AtomicInteger fsyncs = new AtomicInteger();
    AtomicInteger appended = new AtomicInteger();
    LogListener listener =
        new LogListener() {
          @Override
          public void onFsync(long nanos) {
            fsyncs.incrementAndGet();
          }

          @Override
          public void onAppend(ShardRef shard, int records, long bytes, long lastOffset) {
            appended.incrementAndGet();
          }
        };
    engine = start(dir, FileLogOptions.defaults().withThreads(2, 2), clock, listener);
    List<ShardRef> shards =
        List.of(
            SHARD,
            new ShardRef("orders", "shardId-000000000001"),
            new ShardRef("x", "shardId-000000000000"));
    shards.forEach(s -> await(engine.createShard(s)));
    int producers = 8;
    int perProducer = 150;
    Map<ShardRef, List<AppendResult>> results = new ConcurrentHashMap<>();
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(producers);
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      int producer = p;
      done.add(
          CompletableFuture.runAsync(
              () -> {
                awaitLatch(go);
                List<CompletableFuture<AppendResult>> mine = new ArrayList<>();
                for (int i = 0; i < perProducer; i++) {
                  ShardRef shard = shards.get((producer + i) % shards.size());
                  mine.add(
                      engine
                          .append(shard, List.of(record("p" + producer, "m" + i), record("p", "n")))
                          .whenComplete(
                              (r, e) ->
                                  results
                                      .computeIfAbsent(
                                          shard,
                                          s -> new java.util.concurrent.CopyOnWriteArrayList<>())
                                      .add(r)));
                }
                mine.forEach(LogFixtures::await);
              },
              pool));
    }
    go.countDown();
    done.forEach(LogFixtures::await);
    pool.shutdown();

    int appends = producers * perProducer;
    assertThat(appended.get()).isEqualTo(appends);
    assertThat(results.values().stream().mapToInt(List::size).sum()).isEqualTo(appends);
    for (ShardRef shard : shards) {
      List<AppendResult> sorted =
          results.get(shard).stream()
              .sorted(Comparator.comparingLong(AppendResult::baseOffset))
              .toList();
      long expected = 0;
      for (AppendResult r : sorted) {
        assertThat(r.baseOffset()).isEqualTo(expected);
        expected = r.lastOffset() + 1;
      }
      assertThat(engine.offsets(shard).endOffset()).isEqualTo(expected);
      assertThat(readAll(engine, shard, 0, 500)).hasSize((int) expected);
    }
    assertThat(fsyncs.get()).isPositive().isLessThan(appends);
  }

  @Test
  void append_futureCompletes_onlyAfterItsFsync() {
    AtomicLong fsyncs = new AtomicLong();
    LogListener listener =
        new LogListener() {
          @Override
          public void onFsync(long nanos) {
            fsyncs.incrementAndGet();
          }
        };
    engine = start(dir, FileLogOptions.defaults(), clock, listener);
    await(engine.createShard(SHARD));
    long before = fsyncs.get();

    long seenAtCompletion =
        await(engine.append(SHARD, List.of(record("k", "v"))).thenApply(r -> fsyncs.get()));

    assertThat(seenAtCompletion).isGreaterThan(before);
  }

  /**
   * An engine with one reader thread, held until the latch is counted down, and {@code n} records.
   */
  private CountDownLatch readerHeldWith(int n) {
    engine = start(dir, FileLogOptions.defaults().withThreads(1, 1), clock, LogListener.NONE);
    await(engine.createShard(SHARD));
    fill(engine, SHARD, n, 1);
    CountDownLatch release = new CountDownLatch(1);
    engine.readerPool().execute(() -> awaitLatch(release));
    return release;
  }

  @Test
  void read_runsOnTheReaderPool_notOnTheCaller() throws Exception {
    CountDownLatch release = readerHeldWith(1);

    CompletableFuture<ReadResult> read = engine.read(SHARD, 0, 10, Long.MAX_VALUE);
    CompletableFuture<Long> seek = engine.offsetForTimestamp(SHARD, 0);
    CompletableFuture<String> thread = read.thenApply(r -> Thread.currentThread().getName());

    assertThat(read).isNotDone();
    assertThat(seek).isNotDone();
    release.countDown();
    assertThat(await(thread)).startsWith("sluice-log-reader-");
    assertThat(await(read).records()).hasSize(1);
    assertThat(await(seek)).isZero();
  }

  @Test
  void read_queuedBeforeTheShardIsDeleted_shardNotFound() {
    CountDownLatch release = readerHeldWith(3);
    CompletableFuture<ReadResult> read = engine.read(SHARD, 0, 10, Long.MAX_VALUE);
    CompletableFuture<Long> seek = engine.offsetForTimestamp(SHARD, 0);

    await(engine.deleteShard(SHARD));
    release.countDown();

    // not an empty page with the old end, which tells a reader the shard goes on
    assertThat(read)
        .failsWithin(Duration.ofSeconds(10))
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(ShardNotFoundException.class);
    assertThat(seek)
        .failsWithin(Duration.ofSeconds(10))
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(ShardNotFoundException.class);
  }

  @Test
  void append_manyRecordsInOneBatch_roundTrips() {
    open(small(1 << 20).withHotCacheBytes(0));
    List<NewRecord> records = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      records.add(record("key-" + i, LogFixtures.payload(i)));
    }

    await(engine.append(SHARD, records));

    ReadResult r = await(engine.read(SHARD, 4_321, 100, Long.MAX_VALUE));
    assertPayloads(r.records(), 4_321);
    assertThat(r.records()).hasSize(100);
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      latch.await(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
