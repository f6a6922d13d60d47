package dev.sluice.log.file;

import static dev.sluice.log.file.LogFixtures.SHARD;
import static dev.sluice.log.file.LogFixtures.assertPayloads;
import static dev.sluice.log.file.LogFixtures.await;
import static dev.sluice.log.file.LogFixtures.batchEnds;
import static dev.sluice.log.file.LogFixtures.batchSize;
import static dev.sluice.log.file.LogFixtures.files;
import static dev.sluice.log.file.LogFixtures.fill;
import static dev.sluice.log.file.LogFixtures.flip;
import static dev.sluice.log.file.LogFixtures.readAll;
import static dev.sluice.log.file.LogFixtures.record;
import static dev.sluice.log.file.LogFixtures.small;
import static dev.sluice.log.file.LogFixtures.start;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.log.AppendResult;
import dev.sluice.log.LogException;
import dev.sluice.log.LogListener;
import dev.sluice.log.LogRecord;
import dev.sluice.log.NewRecord;
import dev.sluice.log.ShardRef;
import dev.sluice.testing.TestClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileLogEngineRecoveryTest {

  private static final int BATCHES = 40;
  private static final int PER_BATCH = 2;

  @TempDir Path dir;
  private final TestClock clock = new TestClock(1_000);
  private FileLogEngine engine;

  @AfterEach
  void closeEngine() {
    if (engine != null) {
      engine.close();
    }
  }

  /** Writes the fixture batches plus one final known batch; returns that batch. */
  private List<NewRecord> writeAndClose() {
    engine = start(dir, small(1_000), clock, LogListener.NONE);
    await(engine.createShard(SHARD));
    fill(engine, SHARD, BATCHES, PER_BATCH);
    List<NewRecord> last =
        List.of(
            record("key-80", LogFixtures.payload(80)), record("key-81", LogFixtures.payload(81)));
    await(engine.append(SHARD, last));
    engine.close();
    return last;
  }

  private Path lastSegment() throws IOException {
    List<Path> logs = files(dir, ".log");
    return logs.get(logs.size() - 1);
  }

  private FileLogEngine reopen() {
    engine = start(dir, small(1_000), clock, LogListener.NONE);
    return engine;
  }

  /** Everything before the final batch reads back, the final batch is gone, appends go on. */
  private void assertLastBatchDropped(long expectedLength) throws IOException {
    Path last = lastSegment();
    reopen();

    assertThat(Files.size(last)).isEqualTo(expectedLength);
    assertThat(engine.offsets(SHARD).endOffset()).isEqualTo(BATCHES * PER_BATCH);
    List<LogRecord> all = readAll(engine, SHARD, 0, 7);
    assertThat(all).hasSize(BATCHES * PER_BATCH);
    assertPayloads(all, 0);

    AppendResult next =
        await(engine.append(SHARD, List.of(record("key-80", LogFixtures.payload(80)))));
    assertThat(next.baseOffset()).isEqualTo(BATCHES * PER_BATCH);
    assertPayloads(readAll(engine, SHARD, 0, 100), 0);
  }

  @Test
  void recover_lastBatchTruncatedMidway_dropsTheTornBatch() throws IOException {
    List<NewRecord> last = writeAndClose();
    Path segment = lastSegment();
    long length = Files.size(segment);
    try (var ch = java.nio.channels.FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.truncate(length - 5);
    }

    assertLastBatchDropped(length - batchSize(last));
  }

  @Test
  void recover_byteFlippedInLastBatch_dropsThatBatch() throws IOException {
    List<NewRecord> last = writeAndClose();
    Path segment = lastSegment();
    long length = Files.size(segment);
    flip(segment, length - 3);

    assertLastBatchDropped(length - batchSize(last));
  }

  @Test
  void recover_garbageAfterLastBatch_isCutOff() throws IOException {
    writeAndClose();
    Path segment = lastSegment();
    long length = Files.size(segment);
    Files.write(
        segment,
        new byte[] {0, 0, 0, 40, 1, 2, 3, 4, 1, 9, 9, 9, 9, 9, 9, 9, 9},
        StandardOpenOption.APPEND);

    reopen();

    assertThat(Files.size(segment)).isEqualTo(length);
    List<LogRecord> all = readAll(engine, SHARD, 0, 1_000);
    assertThat(all).hasSize(BATCHES * PER_BATCH + 2);
    assertPayloads(all, 0);
    assertThat(await(engine.append(SHARD, List.of(record("k", "v")))).baseOffset())
        .isEqualTo(BATCHES * PER_BATCH + 2);
  }

  @Test
  void recover_corruptBatchInsideLastSegment_leavesTheFileAndFailsTheShard() throws IOException {
    writeAndClose();
    Path segment = lastSegment();
    List<Long> ends = batchEnds(segment);
    assertThat(ends).hasSizeGreaterThan(2);
    long length = Files.size(segment);
    flip(segment, ends.get(0) + 12);

    reopen();

    assertThat(Files.size(segment)).isEqualTo(length);
    assertThat(engine.append(SHARD, List.of(record("k", "v"))))
        .failsWithin(Duration.ofSeconds(20))
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isExactlyInstanceOf(LogException.class)
        .withMessageContaining("is corrupt at position " + ends.get(0));
  }

  @Test
  void restart_oldSegmentsIndexedOnlyAtPositionZero_indexSizeUnchanged() throws IOException {
    FileLogOptions options =
        FileLogOptions.defaults().withSegmentBytes(1_000).withIndexIntervalBytes(1 << 20);
    engine = start(dir, options, clock, LogListener.NONE);
    await(engine.createShard(SHARD));
    fill(engine, SHARD, BATCHES, PER_BATCH);
    engine.close();
    List<Path> indexes = files(dir, ".index");
    assertThat(indexes).hasSizeGreaterThan(2);
    long firstSize = Files.size(indexes.get(0));
    assertThat(firstSize).isEqualTo(OffsetIndex.ENTRY_SIZE);

    for (int i = 0; i < 3; i++) {
      engine = start(dir, options, clock, LogListener.NONE);
      engine.close();
    }

    for (Path index : indexes) {
      assertThat(Files.size(index)).as("%s", index).isEqualTo(OffsetIndex.ENTRY_SIZE);
    }
    engine = start(dir, options, clock, LogListener.NONE);
    assertPayloads(readAll(engine, SHARD, 0, 1_000), 0);
  }

  @Test
  void recover_missingOrTornIndexOfEarlierSegments_isRebuilt() throws IOException {
    writeAndClose();
    List<Path> indexes = files(dir, ".index");
    assertThat(indexes).hasSizeGreaterThan(2);
    long firstSize = Files.size(indexes.get(0));
    long secondSize = Files.size(indexes.get(1));
    Files.delete(indexes.get(0));
    try (var ch = java.nio.channels.FileChannel.open(indexes.get(1), StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 20);
    }

    reopen();

    assertThat(Files.size(indexes.get(0))).isEqualTo(firstSize);
    assertThat(Files.size(indexes.get(1))).isEqualTo(secondSize);
    for (long from = 0; from < BATCHES * PER_BATCH; from += 5) {
      assertPayloads(await(engine.read(SHARD, from, 3, Long.MAX_VALUE)).records(), from);
    }
  }

  @Test
  void recover_strayFiles_areRemovedOrIgnored() throws IOException {
    writeAndClose();
    Path shardDir = lastSegment().getParent();
    Files.writeString(shardDir.resolve("00000000000000000000.log.tmp"), "junk");
    Files.writeString(shardDir.resolve("00000000000000009999.index"), "junk");
    Files.writeString(shardDir.resolve("README"), "kept");
    Files.writeString(shardDir.resolve("99999999999999999999.index"), "past Long.MAX_VALUE");

    reopen();

    assertThat(shardDir.resolve("00000000000000000000.log.tmp")).doesNotExist();
    assertThat(shardDir.resolve("00000000000000009999.index")).doesNotExist();
    assertThat(shardDir.resolve("README")).exists();
    assertThat(shardDir.resolve("99999999999999999999.index")).exists();
    assertThat(readAll(engine, SHARD, 0, 1_000)).hasSize(BATCHES * PER_BATCH + 2);
  }

  @Test
  void start_shardDirectoryWithoutSegments_isAnEmptyShard() throws IOException {
    ShardRef ref = new ShardRef("empty", "shardId-000000000007");
    Files.createDirectories(dir.resolve("s-empty").resolve("shardId-000000000007"));
    Files.createDirectories(dir.resolve("not-a-stream").resolve("whatever"));

    reopen();

    assertThat(engine.shards()).containsExactly(ref);
    assertThat(engine.offsets(ref).endOffset()).isZero();
    assertThat(await(engine.append(ref, List.of(record("k", "v")))).baseOffset()).isZero();
  }

  @Test
  void restart_cleanShutdown_keepsOffsetsArrivalAndData() {
    writeAndClose();

    reopen();

    assertThat(engine.shards()).containsExactly(SHARD);
    assertThat(engine.offsets(SHARD).endOffset()).isEqualTo(BATCHES * PER_BATCH + 2);
    assertThat(engine.offsets(SHARD).lastArrivalMillis()).isEqualTo(1_000);
    clock.set(500);
    assertThat(await(engine.append(SHARD, List.of(record("k", "v")))).arrivalMillis())
        .isEqualTo(1_000);
  }

  @Test
  void close_finishesQueuedAppendsDurably() {
    engine = start(dir, small(1_000), clock, LogListener.NONE);
    await(engine.createShard(SHARD));
    List<java.util.concurrent.CompletableFuture<AppendResult>> pending = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      pending.add(engine.append(SHARD, List.of(record("key-" + i, LogFixtures.payload(i)))));
    }

    engine.close();

    assertThat(pending).allSatisfy(f -> assertThat(f).isCompleted().isNotCompletedExceptionally());
    reopen();
    assertPayloads(readAll(engine, SHARD, 0, 1_000), 0);
    assertThat(engine.offsets(SHARD).endOffset()).isEqualTo(200);
  }
}
