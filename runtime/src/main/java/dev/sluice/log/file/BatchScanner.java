package dev.sluice.log.file;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads batches of one segment file up to a limit with positional reads, through a read-ahead
 * window so that a forward scan costs one read per window rather than one per batch. Positional
 * reads leave the channel's position alone, so scanners may run beside the writer.
 */
final class BatchScanner {

  private static final int WINDOW = 64 * 1024;

  private final FileChannel channel;
  private final long limit;
  private ByteBuffer window;
  private long windowStart;

  BatchScanner(FileChannel channel, long limit) {
    this.channel = channel;
    this.limit = limit;
  }

  long limit() {
    return limit;
  }

  /** The header of the batch at {@code position}, or null when too few bytes remain for one. */
  BatchHeader header(long position) throws IOException {
    if (position + BatchFormat.HEADER_SIZE > limit) {
      return null;
    }
    return BatchFormat.header(position, bytes(position, BatchFormat.HEADER_SIZE));
  }

  /** The byte at {@code position}, which must lie below the limit. */
  byte byteAt(long position) throws IOException {
    if (window == null || position < windowStart || position >= windowStart + window.limit()) {
      fill(position, 1);
    }
    return window.get((int) (position - windowStart));
  }

  /**
   * The whole batch (length field first) as a buffer valid until the next call; the header must be
   * plausible for this scanner's limit.
   */
  ByteBuffer batch(BatchHeader h) throws IOException {
    return bytes(h.position(), Math.toIntExact(h.size()));
  }

  private ByteBuffer bytes(long position, int n) throws IOException {
    if (window == null || position < windowStart || position + n > windowStart + window.limit()) {
      fill(position, n);
    }
    return window.slice((int) (position - windowStart), n);
  }

  private void fill(long position, int n) throws IOException {
    int capacity = Math.max(n, WINDOW);
    if (window == null || window.capacity() < capacity) {
      window = ByteBuffer.allocate(capacity);
    }
    window.clear().limit((int) Math.min(window.capacity(), limit - position));
    windowStart = position;
    while (window.hasRemaining()) {
      if (channel.read(window, position + window.position()) < 0) {
        throw new EOFException("segment ends before " + (position + window.limit()));
      }
    }
    window.flip();
  }
}
