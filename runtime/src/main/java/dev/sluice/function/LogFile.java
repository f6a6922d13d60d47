package dev.sluice.function;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * One kept log file and the positions of its first byte and of the byte past its last, in the
 * function's never-rotating position space.
 */
record LogFile(Path file, long start, long end) {

  /**
   * Adds the whole lines from position {@code from} on, at most {@code max}, to {@code into};
   * returns the position just past the last line added. A line still being written (no newline yet)
   * is left for the next read.
   */
  long read(long from, int max, List<String> into) {
    byte[] bytes = bytes(from - start);
    long next = from;
    int lineStart = 0;
    int added = 0;
    for (int i = 0; i < bytes.length && added < max; i++) {
      if (bytes[i] == '\n') {
        into.add(new String(bytes, lineStart, i - lineStart, StandardCharsets.UTF_8));
        added++;
        lineStart = i + 1;
        next = from + lineStart;
      }
    }
    return next;
  }

  private byte[] bytes(long offset) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long length = Math.max(0, Math.min(ch.size(), end - start) - offset);
      ByteBuffer buf = ByteBuffer.allocate((int) length);
      while (buf.hasRemaining() && ch.read(buf, offset + buf.position()) > 0) {
        // read until the buffer is full or the file ends
      }
      return buf.array();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
