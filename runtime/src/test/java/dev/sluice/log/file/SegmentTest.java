package dev.sluice.log.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
