package dev.sluice.log.file;

import static dev.sluice.log.file.LogFixtures.SHARD;
import static dev.sluice.log.file.LogFixtures.assertPayloads;
import static dev.sluice.log.file.LogFixtures.await;
import static dev.sluice.log.file.LogFixtures.files;
import static dev.sluice.log.file.LogFixtures.fill;
import static dev.sluice.log.file.LogFixtures.readAll;
import static dev.sluice.log.file.LogFixtures.record;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.log.AppendResult;
import dev.sluice.log.LogException;
import dev.sluice.log.LogListener;
import dev.sluice.log.ShardRef;
import dev.sluice.testing.TestClock;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileLogEngineFailureTest {

  @TempDir Path dir;
  private final AtomicBoolean failForce = new AtomicBoolean();
  private final AtomicBoolean failWrite = new AtomicBoolean();
  private final AtomicBoolean failDirSync = new AtomicBoolean();
  private final AtomicBoolean failTruncate = new AtomicBoolean();
  private final AtomicBoolean never = new AtomicBoolean();

  /** The files whose syncs went through, by name, in order. */
  private final List<String> synced = java.util.Collections.synchronizedList(new ArrayList<>());

  private final List<Path> syncedDirs = java.util.Collections.synchronizedList(new ArrayList<>());

  private final TestClock clock = new TestClock(1_000);
  private FileLogEngine engine;

  @BeforeEach
  void open() {
    ChannelOpener faulty =
        (path, options) ->
            Files.isDirectory(path)
                ? new FaultyChannel(FileChannel.open(path, options), failDirSync, never)
                    .beforeForce(() -> syncedDirs.add(path))
                : new FaultyChannel(FileChannel.open(path, options), failForce, failWrite)
                    .failTruncate(failTruncate)
                    .beforeForce(
                        () -> {
                          if (!failForce.get()) {
                            synced.add(path.getFileName().toString());
                          }
                        });
    engine = new FileLogEngine(dir, LogFixtures.small(600), clock, LogListener.NONE, faulty);
    engine.start();
    await(engine.createShard(SHARD));
  }

  @AfterEach
  void close() {
    engine.close();
  }

  private long logBytes() throws IOException {
    long total = 0;
    for (Path p : files(dir, ".log")) {
      total += Files.size(p);
    }
    return total;
  }

  private void assertRecoversAfterFailure(AtomicBoolean fault) throws IOException {
    fill(engine, SHARD, 6, 2);
    long bytes = logBytes();
    int segments = files(dir, ".log").size();
    fault.set(true);
    List<CompletableFuture<AppendResult>> failed = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      failed.add(engine.append(SHARD, List.of(record("k", "lost-" + i + "-" + "y".repeat(40)))));
    }

    for (CompletableFuture<AppendResult> f : failed) {
      assertThat(f)
          .failsWithin(Duration.ofSeconds(20))
          .withThrowableOfType(ExecutionException.class)
          .withCauseInstanceOf(LogException.class);
    }
    assertThat(engine.offsets(SHARD).endOffset()).isEqualTo(12);
    assertThat(logBytes()).isEqualTo(bytes);
    assertThat(files(dir, ".log")).hasSize(segments);
    assertThat(readAll(engine, SHARD, 0, 100)).hasSize(12);

    fault.set(false);
    fill(engine, SHARD, 6, 2);
    List<dev.sluice.log.LogRecord> all = readAll(engine, SHARD, 0, 100);
    assertThat(all).hasSize(24);
    assertPayloads(all, 0);
  }

  @Test
  void append_fsyncFails_failsTheAppendsAndTruncatesBack() throws IOException {
    assertRecoversAfterFailure(failForce);
  }

  @Test
  void append_writeFails_failsTheAppendsAndTruncatesBack() throws IOException {
    assertRecoversAfterFailure(failWrite);
  }

  @Test
  void append_afterFailedAppends_survivesRestart() throws IOException {
    assertRecoversAfterFailure(failForce);
    engine.close();

    engine = LogFixtures.start(dir, LogFixtures.small(600), new TestClock(1_000), LogListener.NONE);

    assertThat(engine.offsets(SHARD).endOffset()).isEqualTo(24);
    assertPayloads(readAll(engine, SHARD, 0, 100), 0);
  }

  @Test
  void append_directorySyncFailsWhenASegmentRolls_failsTheAppend() throws IOException {
    fill(engine, SHARD, 6, 2);
    int segments = files(dir, ".log").size();
    failDirSync.set(true);
    List<CompletableFuture<AppendResult>> appends = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      appends.add(engine.append(SHARD, List.of(record("k", "roll-" + i + "-" + "y".repeat(40)))));
    }

    // the first append that needs a new segment cannot make its directory entry durable
    assertThat(appends.get(appends.size() - 1))
        .failsWithin(Duration.ofSeconds(20))
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(LogException.class);
    // appends staged before the failing one complete later, with the rollback: counted while
    // pending they passed for acknowledged, and the test failed now and then
    appends.forEach(f -> f.handle((r, e) -> null).join());
    long acknowledged = appends.stream().filter(f -> !f.isCompletedExceptionally()).count();
    assertThat(acknowledged).isLessThan(appends.size());

    failDirSync.set(false);
    engine.close();
    engine = LogFixtures.start(dir, LogFixtures.small(600), new TestClock(1_000), LogListener.NONE);
    // every acknowledged record is back; a failed one may be too (the rollback stops short of
    // truncating when it cannot make the removal of the new segment durable first)
    assertThat(engine.offsets(SHARD).endOffset())
        .isBetween(12 + acknowledged, 12L + appends.size());
    assertPayloads(readAll(engine, SHARD, 0, 100).subList(0, 12), 0);
    assertThat(files(dir, ".log").size()).isGreaterThanOrEqualTo(segments);
  }

  /** Two records, then a batch whose sync fails, and so does the sync of its truncation. */
  private void failBatchLeavingItsTruncationUnsynced() {
    fill(engine, SHARD, 2, 1);
    failForce.set(true);
    assertThat(engine.append(SHARD, List.of(record("k", "lost"))))
        .failsWithin(Duration.ofSeconds(20))
        .withThrowableOfType(ExecutionException.class);
    failForce.set(false);
    synced.clear();
  }

  /**
   * Two records, then a batch that fails and whose rollback fails too: the failed batch stays in
   * the file, and the shard is broken.
   */
  private void breakByAFailedRollback() {
    fill(engine, SHARD, 2, 1);
    failForce.set(true);
    failTruncate.set(true);
    assertThat(engine.append(SHARD, List.of(record("k", "never-acknowledged"))))
        .failsWithin(Duration.ofSeconds(20))
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(LogException.class);
    failForce.set(false);
    failTruncate.set(false);
  }

  @Test
  void trim_shardBrokenByAFailedRollback_keepsItsFilesAndRollsNothing() throws IOException {
    breakByAFailedRollback();
    List<Path> before = files(dir, ".log");
    clock.advance(Duration.ofDays(2).toMillis());

    long start = await(engine.trim(SHARD, clock.millis() - 1));

    assertThat(start).isZero();
    assertThat(files(dir, ".log"))
        .as("no roll would make the failed batch durable")
        .containsExactlyElementsOf(before);
  }

  @Test
  void trim_directorySyncFailsWhenItRollsTheActiveSegment_rollTakenBackAndAppendsStayDurable()
      throws IOException {
    fill(engine, SHARD, 2, 1);
    List<Path> before = files(dir, ".log");
    clock.advance(Duration.ofDays(2).toMillis());
    failDirSync.set(true);

    assertThat(engine.trim(SHARD, clock.millis() - 1))
        .failsWithin(Duration.ofSeconds(20))
        .withThrowableOfType(ExecutionException.class);
    failDirSync.set(false);

    // the new segment, whose directory entry never became durable, takes no appends
    assertThat(files(dir, ".log")).containsExactlyElementsOf(before);
    assertThat(engine.append(SHARD, List.of(record("k", "after"))))
        .succeedsWithin(Duration.ofSeconds(20));
    engine.close();
    engine = LogFixtures.start(dir, LogFixtures.small(600), new TestClock(1_000), LogListener.NONE);
    assertThat(engine.offsets(SHARD).endOffset()).isEqualTo(3);
  }

  @Test
  void append_truncationOfAFailedBatchNotSynced_syncedBeforeTheNextRoll() throws IOException {
    failBatchLeavingItsTruncationUnsynced();

    // too large for what is left of the first segment: the shard rolls
    assertThat(engine.append(SHARD, List.of(record("k", "z".repeat(500)))))
        .succeedsWithin(Duration.ofSeconds(20));

    assertThat(files(dir, ".log")).hasSizeGreaterThan(1);
    assertThat(synced)
        .as("after a power loss the failed batch could come back in a segment no longer last")
        .contains(files(dir, ".log").get(0).getFileName().toString());
  }

  @Test
  void seal_truncationOfAFailedBatchNotSynced_syncedBeforeTheEndIsReported() throws IOException {
    failBatchLeavingItsTruncationUnsynced();

    assertThat(await(engine.seal(SHARD))).isEqualTo(2);

    // sealed, the shard takes no append whose sync would cover the truncation
    assertThat(synced)
        .as("after a power loss the failed batch could come back past the sealed end")
        .contains(files(dir, ".log").get(0).getFileName().toString());
  }

  @Test
  void seal_shardBrokenByAFailedRollback_sealsWithoutSyncingTheFailedBatch() throws IOException {
    breakByAFailedRollback();
    synced.clear();

    assertThat(await(engine.seal(SHARD))).isEqualTo(2);

    assertThat(synced).as("a sync would make the never-acknowledged batch durable").isEmpty();
  }

  @Test
  void deleteShard_streamKeepsOtherShards_streamDirectorySynced() {
    ShardRef other = new ShardRef(SHARD.stream(), "shardId-000000000001");
    await(engine.createShard(other));
    fill(engine, SHARD, 2, 1);
    syncedDirs.clear();

    await(engine.deleteShard(SHARD));

    // the removal of the shard's directory lasts only once its parent is synced
    assertThat(syncedDirs).contains(dir.resolve("s-" + SHARD.stream()));
  }

  @Test
  void open_emptyLastSegmentBehindALongerOne_removedAndEveryRecordKept() throws IOException {
    // a roll taken back whose removal did not last: the old segment took appends past its start
    fill(engine, SHARD, 2, 1);
    engine.close();
    Path shardDir = files(dir, ".log").get(0).getParent();
    Files.createFile(shardDir.resolve(LogLayout.segmentFile(1, Segment.logSuffix())));

    engine = LogFixtures.start(dir, LogFixtures.small(600), new TestClock(1_000), LogListener.NONE);

    assertThat(engine.offsets(SHARD).endOffset()).isEqualTo(2);
    assertPayloads(readAll(engine, SHARD, 0, 100), 0);
    assertThat(engine.append(SHARD, List.of(record("k", "after"))))
        .succeedsWithin(Duration.ofSeconds(20));
    assertThat(files(dir, ".log")).hasSize(1);
  }
}
