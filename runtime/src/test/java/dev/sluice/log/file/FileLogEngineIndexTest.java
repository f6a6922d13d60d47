package dev.sluice.log.file;

import static dev.sluice.log.file.LogFixtures.SHARD;
import static dev.sluice.log.file.LogFixtures.assertPayloads;
import static dev.sluice.log.file.LogFixtures.await;
import static dev.sluice.log.file.LogFixtures.files;
import static dev.sluice.log.file.LogFixtures.fill;
import static dev.sluice.log.file.LogFixtures.start;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.log.LogListener;
import dev.sluice.log.ReadResult;
import dev.sluice.testing.TestClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileLogEngineIndexTest {

  @TempDir Path dir;
  private final TestClock clock = new TestClock(10_000);
  private FileLogEngine engine;

  @AfterEach
  void closeEngine() {
    if (engine != null) {
      engine.close();
    }
  }

  private void open(FileLogOptions options) {
    engine = start(dir, options, clock, LogListener.NONE);
    await(engine.createShard(SHARD));
  }

  @Test
  void offsetForTimestamp_acrossSegments_findsFirstRecordAtOrAfter() throws IOException {
    open(LogFixtures.small(300));
    for (int i = 0; i < 30; i++) {
      clock.set(10_000 + 100L * i);
      fill(engine, SHARD, 1, 2);
    }
    assertThat(files(dir, ".log")).hasSizeGreaterThan(3);

    assertThat(await(engine.offsetForTimestamp(SHARD, 0))).isZero();
    assertThat(await(engine.offsetForTimestamp(SHARD, 10_000))).isZero();
    for (int i = 0; i < 30; i++) {
      long at = 10_000 + 100L * i;
      assertThat(await(engine.offsetForTimestamp(SHARD, at))).as("at %d", at).isEqualTo(2L * i);
      assertThat(await(engine.offsetForTimestamp(SHARD, at - 50)))
          .as("before %d", at)
          .isEqualTo(2L * i);
    }
    assertThat(await(engine.offsetForTimestamp(SHARD, 10_000 + 100L * 29 + 1))).isEqualTo(60);
  }

  @Test
  void offsetForTimestamp_manyBatchesWithTheSameArrival_findsTheFirst() {
    open(LogFixtures.small(500));
    fill(engine, SHARD, 10, 1);
    clock.advance(1);
    fill(engine, SHARD, 30, 1);
    clock.advance(1);
    fill(engine, SHARD, 5, 1);

    assertThat(await(engine.offsetForTimestamp(SHARD, 10_001))).isEqualTo(10);
    assertThat(await(engine.offsetForTimestamp(SHARD, 10_002))).isEqualTo(40);
    assertThat(await(engine.offsetForTimestamp(SHARD, 10_003))).isEqualTo(45);
  }

  @Test
  void read_seekIntoTheMiddleOfBigSegments_throughTheSparseIndex() throws IOException {
    open(
        FileLogOptions.defaults()
            .withSegmentBytes(128 * 1024)
            .withIndexIntervalBytes(1024)
            .withHotCacheBytes(0));
    fill(engine, SHARD, 4_000, 1);

    List<Path> logs = files(dir, ".log");
    List<Path> indexes = files(dir, ".index");
    assertThat(logs).hasSizeGreaterThanOrEqualTo(2);
    for (int i = 0; i < logs.size() - 1; i++) {
      long logSize = Files.size(logs.get(i));
      assertThat(Files.size(indexes.get(i)))
          .isGreaterThan(OffsetIndex.ENTRY_SIZE * 10L)
          .isLessThan(logSize / 1024 * OffsetIndex.ENTRY_SIZE + OffsetIndex.ENTRY_SIZE * 2L);
    }
    for (long from : new long[] {1, 777, 1_999, 2_345, 3_001, 3_997}) {
      ReadResult r = await(engine.read(SHARD, from, 3, Long.MAX_VALUE));
      assertThat(r.records()).hasSize((int) Math.min(3, 4_000 - from));
      assertPayloads(r.records(), from);
    }
  }
}
