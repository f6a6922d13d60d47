package dev.sluice.log.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The sparse index file of one segment: fixed 16-byte entries {@code int32 relativeOffset | int32
 * filePosition | int64 maxTimestampSoFar}, ascending in all three fields. Lookups binary-search the
 * file with positional reads, so the heap does not grow with the index.
 *
 * <p>The writer thread stages, flushes and publishes entries; readers search only the published
 * ones, which the segment publishes once their batches are synced, so a rollback never shrinks what
 * a reader searches.
 */
final class OffsetIndex implements AutoCloseable {

  static final int ENTRY_SIZE = 16;

  /** One index entry. */
  record Entry(int relativeOffset, int position, long maxTimestamp) {}

  private final Path path;
  private final FileChannel channel;
  private volatile int entries;

  /**
   * The entries readers search: those of synced and published batches. A failed sync's rollback
   * shrinks {@link #entries} and the file, which a reader searching a count taken before then would
   * run past, failing the read.
   */
  private volatile int published;

  private ByteBuffer pending = ByteBuffer.allocate(ENTRY_SIZE * 16);

  private OffsetIndex(Path path, FileChannel channel, int entries) {
    this.path = path;
    this.channel = channel;
    this.entries = entries;
    this.published = entries;
  }

  /** Lets readers search every entry written so far; call once its batches are synced. */
  void publish() {
    published = entries;
  }

  /** Opens or creates the index file; a torn last entry is dropped. */
  static OffsetIndex open(Path path) throws IOException {
    FileChannel ch =
        FileChannel.open(
            path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      long whole = ch.size() / ENTRY_SIZE;
      if (whole * ENTRY_SIZE != ch.size()) {
        ch.truncate(whole * ENTRY_SIZE);
      }
      return new OffsetIndex(path, ch, (int) whole);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  int entries() {
    return entries;
  }

  /** Queues an entry for the next {@link #flush}. Writer thread only. */
  void stage(int relativeOffset, int position, long maxTimestamp) {
    if (pending.remaining() < ENTRY_SIZE) {
      ByteBuffer bigger = ByteBuffer.allocate(pending.capacity() * 2);
      pending = bigger.put(pending.flip());
    }
    pending.putInt(relativeOffset).putInt(position).putLong(maxTimestamp);
  }

  /** Writes staged entries and publishes them to readers. Writer thread only. */
  void flush() throws IOException {
    if (pending.position() == 0) {
      return;
    }
    pending.flip();
    int added = pending.remaining() / ENTRY_SIZE;
    long at = (long) entries * ENTRY_SIZE;
    while (pending.hasRemaining()) {
      at += channel.write(pending, at);
    }
    pending.clear();
    entries += added;
  }

  void force() throws IOException {
    channel.force(false);
  }

  /** Drops every entry, written or staged. */
  void reset() throws IOException {
    pending.clear();
    entries = 0;
    published = 0;
    channel.truncate(0);
  }

  /** Drops entries pointing at or past {@code logSize}, e.g. after the log was truncated. */
  void truncateToLogSize(long logSize) throws IOException {
    pending.clear();
    int lo = 0;
    int hi = entries;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (read(mid).position() < logSize) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    entries = lo;
    published = Math.min(published, lo);
    channel.truncate((long) lo * ENTRY_SIZE);
  }

  /** File position of the last entry at or below {@code relativeOffset}, or 0 when none is. */
  long positionFor(long relativeOffset) throws IOException {
    int i = lastWhere(e -> e.relativeOffset() <= relativeOffset);
    return i < 0 ? 0 : read(i).position();
  }

  /**
   * File position of the last entry whose batches all arrived before {@code timestampMillis}, or 0:
   * the first batch arriving at or after it lies at or after that position.
   */
  long positionBefore(long timestampMillis) throws IOException {
    int i = lastWhere(e -> e.maxTimestamp() < timestampMillis);
    return i < 0 ? 0 : read(i).position();
  }

  /** The last entry, or null when the index is empty. */
  Entry last() throws IOException {
    int n = entries;
    return n == 0 ? null : read(n - 1);
  }

  /** The first entry, or null when the index is empty. */
  Entry first() throws IOException {
    return entries == 0 ? null : read(0);
  }

  private interface EntryTest {
    boolean test(Entry e);
  }

  /** Binary search for the last entry passing a test that holds for a prefix of the entries. */
  private int lastWhere(EntryTest test) throws IOException {
    int lo = 0;
    int hi = published - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (test.test(read(mid))) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  private Entry read(int i) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(ENTRY_SIZE);
    long at = (long) i * ENTRY_SIZE;
    while (b.hasRemaining()) {
      if (channel.read(b, at + b.position()) < 0) {
        throw new IOException("index " + path + " ends before entry " + i);
      }
    }
    return new Entry(b.getInt(0), b.getInt(4), b.getLong(8));
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  /** Closes and deletes the file. */
  void delete() throws IOException {
    close();
    Files.deleteIfExists(path);
  }
}
