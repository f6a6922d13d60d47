package dev.sluice.log.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OffsetIndexTest {

  @TempDir Path dir;

  private OffsetIndex filled() throws IOException {
    OffsetIndex index = OffsetIndex.open(dir.resolve("0.index"));
    for (int i = 0; i < 100; i++) {
      // entry i: relative offset 10i at position 1000i, batches up to 50i ms
      index.stage(10 * i, 1000 * i, 50L * i);
    }
    index.flush();
    index.publish();
    return index;
  }

  @Test
  void positionFor_findsTheGreatestEntryAtOrBelow() throws IOException {
    try (OffsetIndex index = filled()) {
      assertThat(index.positionFor(0)).isZero();
      assertThat(index.positionFor(9)).isZero();
      assertThat(index.positionFor(10)).isEqualTo(1000);
      assertThat(index.positionFor(555)).isEqualTo(55_000);
      assertThat(index.positionFor(1_000_000)).isEqualTo(99_000);
    }
  }

  @Test
  void positionBefore_findsTheLastEntryEntirelyBeforeTheTimestamp() throws IOException {
    try (OffsetIndex index = filled()) {
      assertThat(index.positionBefore(0)).isZero();
      assertThat(index.positionBefore(50)).isZero();
      assertThat(index.positionBefore(51)).isEqualTo(1000);
      assertThat(index.positionBefore(Long.MAX_VALUE)).isEqualTo(99_000);
    }
  }

  @Test
  void truncateToLogSize_dropsEntriesAtOrPastTheEnd() throws IOException {
    try (OffsetIndex index = filled()) {
      index.truncateToLogSize(50_000);

      assertThat(index.entries()).isEqualTo(50);
      assertThat(Files.size(dir.resolve("0.index"))).isEqualTo(50L * OffsetIndex.ENTRY_SIZE);
      assertThat(index.last().position()).isEqualTo(49_000);
    }
  }

  @Test
  void positionFor_entriesFlushedButNotPublished_searchesOnlyThePublishedOnes() throws IOException {
    try (OffsetIndex index = filled()) {
      index.stage(1_000, 100_000, 5_000); // a batch written, its sync not done yet
      index.flush();

      assertThat(index.positionFor(2_000)).isEqualTo(99_000);
      assertThat(index.positionBefore(Long.MAX_VALUE)).isEqualTo(99_000);
      index.truncateToLogSize(100_000); // the sync failed: rolled back
      assertThat(index.positionFor(2_000)).isEqualTo(99_000);

      index.stage(1_000, 100_000, 5_000);
      index.flush();
      index.publish();
      assertThat(index.positionFor(2_000)).isEqualTo(100_000);
    }
  }

  @Test
  void open_dropsATornLastEntry() throws IOException {
    filled().close();
    try (var ch =
        java.nio.channels.FileChannel.open(
            dir.resolve("0.index"), java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 3);
    }

    try (OffsetIndex index = OffsetIndex.open(dir.resolve("0.index"))) {
      assertThat(index.entries()).isEqualTo(99);
      assertThat(index.last().relativeOffset()).isEqualTo(980);
    }
  }
}
