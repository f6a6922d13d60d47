package dev.sluice.log.file;

import static dev.sluice.log.file.LogFixtures.SHARD;
import static dev.sluice.log.file.LogFixtures.assertPayloads;
import static dev.sluice.log.file.LogFixtures.await;
import static dev.sluice.log.file.LogFixtures.files;
import static dev.sluice.log.file.LogFixtures.fill;
import static dev.sluice.log.file.LogFixtures.readAll;
import static dev.sluice.log.file.LogFixtures.small;
import static dev.sluice.log.file.LogFixtures.start;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.log.LogListener;
import dev.sluice.log.ReadResult;
import dev.sluice.testing.TestClock;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileLogEngineRetentionTest {

  @TempDir Path dir;
  private final TestClock clock = new TestClock(1_000);
  private FileLogEngine engine;

  @AfterEach
  void closeEngine() {
    if (engine != null) {
      engine.close();
    }
  }

  private void open() {
    engine = start(dir, small(400), clock, LogListener.NONE);
    await(engine.createShard(SHARD));
  }

  private static long base(Path segment) {
    return Long.parseLong(segment.getFileName().toString().substring(0, 20));
  }

  @Test
  void trim_deletesOnlyWholeExpiredSegments_andMovesTheStart() throws IOException {
    open();
    fill(engine, SHARD, 20, 2);
    long firstNew = engine.offsets(SHARD).endOffset();
    clock.set(5_000);
    fill(engine, SHARD, 20, 2);
    List<Path> before = files(dir, ".log");
    // The segment holding the first record of 5_000 may hold older ones too: it must stay.
    long keptBase =
        before.stream()
            .mapToLong(FileLogEngineRetentionTest::base)
            .filter(b -> b <= firstNew)
            .max()
            .orElseThrow();

    long start = await(engine.trim(SHARD, 2_000));

    assertThat(start).isEqualTo(keptBase).isPositive();
    assertThat(engine.offsets(SHARD).startOffset()).isEqualTo(start);
    List<Path> after = files(dir, ".log");
    assertThat(after).extracting(FileLogEngineRetentionTest::base).allMatch(b -> b >= start);
    assertThat(after).hasSize((int) before.stream().filter(p -> base(p) >= start).count());
    assertThat(files(dir, ".index")).hasSameSizeAs(after);
    ReadResult below = await(engine.read(SHARD, 0, 5, Long.MAX_VALUE));
    assertThat(below.records().get(0).offset()).isEqualTo(start);
    assertPayloads(below.records(), start);
    assertThat(await(engine.offsetForTimestamp(SHARD, 0))).isEqualTo(start);
  }

  @Test
  void trim_nothingExpired_keepsEverything() throws IOException {
    open();
    fill(engine, SHARD, 20, 2);
    int segments = files(dir, ".log").size();

    assertThat(await(engine.trim(SHARD, 1_000))).isZero();
    assertThat(files(dir, ".log")).hasSize(segments);
  }

  @Test
  void trim_activeSegmentPartlyExpired_keepsIt() throws IOException {
    open();
    fill(engine, SHARD, 20, 2);
    List<Path> before = files(dir, ".log");
    long activeBase = base(before.get(before.size() - 1));
    clock.set(5_000);
    fill(engine, SHARD, 1, 2); // a younger record in the active segment

    long start = await(engine.trim(SHARD, 2_000));

    assertThat(start).isLessThanOrEqualTo(activeBase);
    assertThat(readAll(engine, SHARD, 0, 100)).hasSize((int) (42 - start));
  }

  @Test
  void trim_everyRecordOfTheActiveSegmentExpired_emptiesTheShardAndSurvivesRestart()
      throws IOException {
    open();
    fill(engine, SHARD, 20, 2);

    long start = await(engine.trim(SHARD, Long.MAX_VALUE));

    assertThat(start).as("TRIM_HORIZON moved to the end").isEqualTo(40);
    assertThat(files(dir, ".log"))
        .extracting(FileLogEngineRetentionTest::base)
        .containsExactly(40L);
    assertThat(readAll(engine, SHARD, 0, 100)).isEmpty();
    assertThat(await(engine.trim(SHARD, Long.MAX_VALUE)))
        .as("an empty segment stays")
        .isEqualTo(40);

    engine.close();
    engine = start(dir, small(400), clock, LogListener.NONE);
    assertThat(engine.offsets(SHARD).startOffset()).isEqualTo(40);
    assertThat(engine.offsets(SHARD).endOffset()).isEqualTo(40);
    fill(engine, SHARD, 1, 2);
    assertPayloads(readAll(engine, SHARD, 0, 100), 40);
  }
}
