package dev.sluice.function.process;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An instance's stdout and stderr, which the process writes straight into this file. A write the
 * process made before it posted its response is in the file when the post arrives, so the bytes
 * between the offset where the previous report stopped (0 for the first) and the offset at the post
 * are what the runtime printed since: during init or between invocations, then in the invocation.
 */
final class InstanceLog {

  /** The most of one invocation's output kept in its report; the tail is kept, as Lambda does. */
  static final int MAX_REPORT_BYTES = 1 << 20;

  /**
   * Past this size the file is emptied between invocations, so a chatty instance cannot fill the
   * disk.
   */
  static final long MAX_FILE_BYTES = 64L << 20;

  private final Path file;

  InstanceLog(Path file) {
    this.file = file;
  }

  Path file() {
    return file;
  }

  /** The current length: a stat, cheap enough for an event loop. */
  long size() {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  /**
   * Empties the file. The process appends (O_APPEND), so its next write lands at the new end. Only
   * call it between invocations, when no offset into the file is in use.
   */
  void truncate() {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(0);
    } catch (IOException e) {
      // keep appending to the big file rather than fail an invocation over it
    }
  }

  void delete() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // scratch space: the runner's directory is removed later anyway
    }
  }

  /** The text between two offsets ({@code to < 0}: the end), at most the last 1 MiB of it. */
  String read(long from, long to) {
    if (to >= 0 && to <= from) {
      return ""; // the common case: nothing printed, no need to open the file
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long end = to < 0 ? ch.size() : Math.min(to, ch.size());
      long start = Math.max(from, end - MAX_REPORT_BYTES);
      if (end <= start) {
        return "";
      }
      ByteBuffer buf = ByteBuffer.allocate((int) (end - start));
      while (buf.hasRemaining() && ch.read(buf, start + buf.position()) > 0) {
        // keep reading
      }
      String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
      return start > from ? "[" + (start - from) + " bytes truncated]\n" + text : text;
    } catch (IOException e) {
      return "";
    }
  }
}
