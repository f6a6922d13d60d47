package dev.sluice.log.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.log.LogException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A segment's files on a real directory. */
class SegmentTest {

  @TempDir Path dir;

  @Test
  void create_indexCannotBeOpened_leavesNoLogFileSoTheNextRollWorks() throws IOException {
    Path index = dir.resolve(LogLayout.segmentFile(100, ".index"));
    Files.createDirectories(index.resolve("in-the-way")); // as a failing open would
    assertThatThrownBy(() -> Segment.create(dir, 100, 4096, ChannelOpener.DEFAULT))
        .isInstanceOf(IOException.class);
    assertThat(dir.resolve(LogLayout.segmentFile(100, ".log"))).doesNotExist();

    Files.delete(index.resolve("in-the-way"));
    Files.delete(index);
    Segment again = Segment.create(dir, 100, 4096, ChannelOpener.DEFAULT);
    assertThat(dir.resolve(LogLayout.segmentFile(100, ".log"))).exists();
    again.close();
  }

  /** Writes three batches of two records from offset 100 on; returns the log file. */
  private Path writeThreeBatches() throws IOException {
    try (Segment s = Segment.create(dir, 100, 4096, ChannelOpener.DEFAULT)) {
      for (int i = 0; i < 3; i++) {
        long base = s.endOffset();
        ByteBuffer batch =
            BatchFormat.encode(
                List.of(LogFixtures.record("k", "v" + base), LogFixtures.record("k", "w")));
        BatchFormat.stamp(batch, base, 1_000);
        s.stage(batch, base, 2, 1_000);
      }
      s.flush();
      s.sync();
    }
    return dir.resolve(LogLayout.segmentFile(100, ".log"));
  }

  private Segment.Cut recover() throws IOException {
    try (Segment s = Segment.open(dir, 100, 4096, ChannelOpener.DEFAULT)) {
      Segment.Cut cut = s.recover();
      assertThat(s.endOffset()).isEqualTo(cut == null ? 106 : cut.fromOffset());
      return cut;
    }
  }

  @Test
  void recover_lastBatchTorn_cutsItAndNamesItsOffsets() throws IOException {
    Path log = writeThreeBatches();
    List<Long> ends = LogFixtures.batchEnds(log);
    try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
      ch.truncate(ends.get(2) - 3);
    }

    Segment.Cut cut = recover();

    assertThat(Files.size(log)).isEqualTo(ends.get(1));
    assertThat(cut.position()).isEqualTo(ends.get(1));
    assertThat(cut.bytes()).isEqualTo(ends.get(2) - 3 - ends.get(1));
    assertThat(cut.describe())
        .contains(log.toString(), "offsets 104 to 105", "the next append gets offset 104");
  }

  @Test
  void recover_unreadableGarbageAtTheEnd_cutsItAndNamesTheFirstOffsetCut() throws IOException {
    Path log = writeThreeBatches();
    long length = Files.size(log);
    Files.write(log, new byte[40], StandardOpenOption.APPEND);

    Segment.Cut cut = recover();

    assertThat(Files.size(log)).isEqualTo(length);
    assertThat(cut.describe())
        .contains("cut 40 bytes", "records from offset 106 on (no batch header was readable)");
  }

  @Test
  void recover_wholeFile_cutsNothing() throws IOException {
    Path log = writeThreeBatches();
    long length = Files.size(log);

    assertThat(recover()).isNull();
    assertThat(Files.size(log)).isEqualTo(length);
  }

  @Test
  void recover_intactBatchAfterABadOne_throwsAndLeavesTheLogFile() throws IOException {
    Path log = writeThreeBatches();
    List<Long> ends = LogFixtures.batchEnds(log);
    long length = Files.size(log);
    LogFixtures.flip(log, ends.get(0) + BatchFormat.HEADER_SIZE + 1);

    try (Segment s = Segment.open(dir, 100, 4096, ChannelOpener.DEFAULT)) {
      assertThatThrownBy(s::recover)
          .isInstanceOf(LogException.class)
          .hasMessageContainingAll(
              "corrupt at position " + ends.get(0),
              "position " + ends.get(1) + " (offsets 104 to 105)",
              "offsets 102 to 103 cannot be read");
    }
    assertThat(Files.size(log)).isEqualTo(length);
  }
}
