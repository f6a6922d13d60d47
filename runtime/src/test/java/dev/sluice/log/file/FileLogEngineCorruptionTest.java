package dev.sluice.log.file;

import static dev.sluice.log.file.LogFixtures.SHARD;
import static dev.sluice.log.file.LogFixtures.assertPayloads;
import static dev.sluice.log.file.LogFixtures.await;
import static dev.sluice.log.file.LogFixtures.batchEnds;
import static dev.sluice.log.file.LogFixtures.files;
import static dev.sluice.log.file.LogFixtures.fill;
import static dev.sluice.log.file.LogFixtures.flip;
import static dev.sluice.log.file.LogFixtures.readAll;
import static dev.sluice.log.file.LogFixtures.record;
import static dev.sluice.log.file.LogFixtures.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sluice.log.LogException;
import dev.sluice.log.LogListener;
import dev.sluice.log.ShardNotFoundException;
import dev.sluice.log.ShardRef;
import dev.sluice.testing.TestClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Corruption found on disk at start or at a read, as opposed to a torn write. */
class FileLogEngineCorruptionTest {

  private static final ShardRef OTHER = new ShardRef("payments", "shardId-000000000001");

  @TempDir Path dir;
  private final TestClock clock = new TestClock(1_000);
  private FileLogEngine engine;

  @AfterEach
  void closeEngine() {
    if (engine != null) {
      engine.close();
    }
  }

  private void open(FileLogOptions options) {
    engine = start(dir, options, clock, LogListener.NONE);
  }

  /** Three batches of 100 records in one segment of each shard, then a clean stop. */
  private Path writeThreeBatchesAndClose() throws IOException {
    open(FileLogOptions.defaults());
    await(engine.createShard(SHARD));
    await(engine.createShard(OTHER));
    fill(engine, SHARD, 3, 100);
    fill(engine, OTHER, 3, 100);
    engine.close();
    Path segment = files(LogLayout.shardDir(dir, SHARD), ".log").get(0);
    assertThat(batchEnds(segment)).hasSize(3);
    return segment;
  }

  /**
   * Checks the future fails with a plain LogException, which the Kinesis API answers with an
   * InternalFailure; returns that for checks of its message.
   */
  private static AbstractThrowableAssert<?, ? extends Throwable> assertFails(
      CompletableFuture<?> f) {
    ExecutionException e =
        catchThrowableOfType(() -> f.get(20, TimeUnit.SECONDS), ExecutionException.class);
    assertThat(e).as("failure of the future").isNotNull();
    return assertThat(e.getCause()).isExactlyInstanceOf(LogException.class);
  }

  /** The shard refuses appends, reads and offsets, naming where it is corrupt. */
  private void assertUnusable(ShardRef shard, String... details) {
    assertFails(engine.append(shard, List.of(record("k", "v")))).hasMessageContainingAll(details);
    assertFails(engine.read(shard, 0, 10, Long.MAX_VALUE)).hasMessageContainingAll(details);
    assertFails(engine.seal(shard)).hasMessageContainingAll(details);
    assertThatThrownBy(() -> engine.offsets(shard))
        .isExactlyInstanceOf(LogException.class)
        .hasMessageContainingAll(details);
  }

  private void assertWorks(ShardRef shard, long endOffset) {
    assertPayloads(readAll(engine, shard, 0, 1_000), 0);
    assertThat(engine.offsets(shard).endOffset()).isEqualTo(endOffset);
    assertThat(await(engine.append(shard, List.of(record("k", "v")))).baseOffset())
        .isEqualTo(endOffset);
  }

  @Test
  void recover_byteFlippedInsideAnEarlierBatchOfLastSegment_keepsTheFileAndFailsTheShard()
      throws IOException {
    Path segment = writeThreeBatchesAndClose();
    long secondBatch = batchEnds(segment).get(0);
    long length = Files.size(segment);
    flip(segment, secondBatch + 2_000);

    open(FileLogOptions.defaults());

    assertThat(Files.size(segment)).isEqualTo(length);
    assertUnusable(
        SHARD,
        segment.toString(),
        "corrupt at position " + secondBatch,
        "offsets 200 to 299",
        "offsets 100 to 199 cannot be read");
    assertWorks(OTHER, 300);
  }

  @Test
  void recover_lengthOfAnEarlierBatchOfLastSegmentCorrupted_stillFindsTheIntactBatchBehind()
      throws IOException {
    Path segment = writeThreeBatchesAndClose();
    long secondBatch = batchEnds(segment).get(0);
    long length = Files.size(segment);
    flip(segment, secondBatch + 1); // the length field: the batches no longer chain

    open(FileLogOptions.defaults());

    assertThat(Files.size(segment)).isEqualTo(length);
    assertUnusable(SHARD, "corrupt at position " + secondBatch, "offsets 200 to 299");
  }

  @Test
  void recover_everyBatchAfterTheBadOneDamaged_isATornTailAndCutOff() throws IOException {
    Path segment = writeThreeBatchesAndClose();
    List<Long> ends = batchEnds(segment);
    flip(segment, ends.get(0) + 2_000);
    flip(segment, ends.get(1) + 2_000);

    open(FileLogOptions.defaults());

    assertThat(Files.size(segment)).isEqualTo(ends.get(0));
    assertWorks(SHARD, 100);
  }

  @Test
  void start_corruptOldSegment_startsWithOnlyThatShardUnusable() throws IOException {
    open(LogFixtures.small(1_000));
    await(engine.createShard(SHARD));
    await(engine.createShard(OTHER));
    fill(engine, SHARD, 40, 2);
    fill(engine, OTHER, 40, 2);
    engine.close();
    Path first = files(LogLayout.shardDir(dir, SHARD), ".log").get(0);
    List<Long> ends = batchEnds(first);
    long lastBatch = ends.get(ends.size() - 2);
    long lastBase = 2L * (ends.size() - 1);
    // Start checks the headers from the last index entry on, which covers the last batch: with
    // its length damaged, the headers of this full segment no longer chain to its end.
    flip(first, lastBatch + 1);

    open(LogFixtures.small(1_000));

    assertThat(engine.shards()).containsExactlyInAnyOrder(SHARD, OTHER);
    assertUnusable(
        SHARD, first.toString(), "corrupt at position " + lastBatch, "offset " + lastBase);
    // retention passes over every stream: one damaged shard must not make them fail
    assertThat(await(engine.trim(SHARD, Long.MAX_VALUE))).isZero();
    assertThat(first).exists();
    assertWorks(OTHER, 80);
    await(engine.createShard(SHARD)); // as the catalog does at start: no error of its own

    await(engine.deleteShard(SHARD));
    assertThat(LogLayout.shardDir(dir, SHARD)).doesNotExist();
    assertThatThrownBy(() -> engine.offsets(SHARD)).isInstanceOf(ShardNotFoundException.class);
  }

  @Test
  void read_byteFlippedInAnOldSegment_failsNamingShardAndOffsets() throws IOException {
    open(LogFixtures.small(1_000));
    await(engine.createShard(SHARD));
    fill(engine, SHARD, 40, 2);
    engine.close();
    List<Path> segments = files(LogLayout.shardDir(dir, SHARD), ".log");
    assertThat(segments).hasSizeGreaterThan(1);
    Path first = segments.get(0);
    long secondBatch = batchEnds(first).get(0);
    // past the header, the key length (2), the key "key-2" (5) and the data length (4)
    flip(first, secondBatch + BatchFormat.HEADER_SIZE + 13);

    open(LogFixtures.small(1_000));

    assertThat(await(engine.read(SHARD, 0, 2, Long.MAX_VALUE)).records()).hasSize(2);
    assertFails(engine.read(SHARD, 0, 100, Long.MAX_VALUE))
        .hasMessageContainingAll(
            "shard " + SHARD, first.toString(), "offsets 2 to 3", "fails its CRC check");
    assertFails(engine.read(SHARD, 3, 100, Long.MAX_VALUE)).hasMessageContaining("offsets 2 to 3");
    long next = Long.parseLong(segments.get(1).getFileName().toString().substring(0, 20));
    List<dev.sluice.log.LogRecord> rest = readAll(engine, SHARD, next, 7);
    assertThat(rest).hasSize((int) (80 - next));
    assertPayloads(rest, next);
    assertThat(await(engine.append(SHARD, List.of(record("k", "v")))).baseOffset()).isEqualTo(80);
  }

  @Test
  void read_lengthOfABatchInAnOldSegmentDamaged_failsNamingShardAndPosition() throws IOException {
    open(LogFixtures.small(1_000));
    await(engine.createShard(SHARD));
    fill(engine, SHARD, 40, 2);
    engine.close();
    Path first = files(LogLayout.shardDir(dir, SHARD), ".log").get(0);
    long secondBatch = batchEnds(first).get(0);
    flip(first, secondBatch + 1); // start checks only the headers after the last index entry

    open(LogFixtures.small(1_000));

    assertFails(engine.read(SHARD, 0, 100, Long.MAX_VALUE))
        .hasMessageContainingAll(
            "shard " + SHARD,
            "batch at position " + secondBatch + " of " + first,
            "(offset 2) has no valid batch header");
  }
}
