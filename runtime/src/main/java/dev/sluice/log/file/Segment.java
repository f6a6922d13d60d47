package dev.sluice.log.file;

import dev.sluice.log.LogException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * One segment of a shard log: the log file {@code <baseOffset>.log} holding the batches from {@code
 * baseOffset} on, and its sparse index {@code <baseOffset>.index} (see {@link OffsetIndex}); the
 * base offset is written with 20 zero-padded digits.
 *
 * <p>The log file is a sequence of batches, one per append, all fields big-endian:
 *
 * <pre>
 * int32  length          bytes after this field
 * int32  crc             CRC32C of every byte after this field
 * int8   magic           1
 * int64  baseOffset      offset of the first record; the next batch starts at baseOffset + count
 * int32  recordCount
 * int64  arrivalMillis   arrival time of every record of the batch
 * recordCount times:
 *   uint16 partitionKeyLength, partitionKey (UTF-8), int32 dataLength, data
 * </pre>
 *
 * <p>An index entry is written for the first batch of a segment and for each batch that starts at
 * least {@code indexIntervalBytes} after the batch of the previous entry.
 *
 * <p>Threads: a single writer thread (the one owning the shard) stages, writes, syncs, publishes,
 * reverts, recovers and deletes. Reader threads use only positional reads, the index lookups and
 * the {@code committed*} fields, which the writer raises after the data below them is synced; so
 * readers never see bytes that are not durable. Only the active (last) segment of a shard changes;
 * the writer syncs a segment completely before it creates the next one, which is why recovery only
 * has to scan the last segment.
 */
final class Segment implements AutoCloseable {

  private static final String LOG_SUFFIX = ".log";
  private static final String INDEX_SUFFIX = ".index";

  private final long baseOffset;
  private final Path logPath;
  private final FileChannel log;
  private final OffsetIndex index;
  private final int indexInterval;

  // Writer thread only. size counts staged bytes too; flushedSize only those in the file.
  private final List<ByteBuffer> pending = new ArrayList<>();
  private long size;
  private long flushedSize;
  private long endOffset;
  private long maxTimestamp = -1;
  private long bytesSinceIndex;
  private boolean unsynced;

  // Published to readers once synced.
  private volatile long committedSize;
  private volatile long committedEnd;
  private volatile long committedMaxTimestamp = -1;

  private Segment(long baseOffset, Path logPath, FileChannel log, OffsetIndex index, int interval) {
    this.baseOffset = baseOffset;
    this.logPath = logPath;
    this.log = log;
    this.index = index;
    this.indexInterval = interval;
    this.endOffset = baseOffset;
    this.committedEnd = baseOffset;
  }

  /** Creates the files of an empty segment (an index left over from a crash is cleared). */
  static Segment create(Path dir, long baseOffset, int indexInterval, ChannelOpener opener)
      throws IOException {
    Path logPath = dir.resolve(LogLayout.segmentFile(baseOffset, LOG_SUFFIX));
    FileChannel ch =
        opener.open(
            logPath,
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE);
    try {
      OffsetIndex index = openIndex(dir, baseOffset, ch);
      index.reset();
      return new Segment(baseOffset, logPath, ch, index, indexInterval);
    } catch (IOException | RuntimeException e) {
      // an empty log file left here made every later roll fail on CREATE_NEW until a restart
      ch.close();
      Files.deleteIfExists(logPath);
      throw e;
    }
  }

  /** Opens an existing segment; call {@link #recover} or {@link #load} next. */
  static Segment open(Path dir, long baseOffset, int indexInterval, ChannelOpener opener)
      throws IOException {
    Path logPath = dir.resolve(LogLayout.segmentFile(baseOffset, LOG_SUFFIX));
    FileChannel ch = opener.open(logPath, StandardOpenOption.READ, StandardOpenOption.WRITE);
    OffsetIndex index = openIndex(dir, baseOffset, ch);
    return new Segment(baseOffset, logPath, ch, index, indexInterval);
  }

  private static OffsetIndex openIndex(Path dir, long baseOffset, FileChannel log)
      throws IOException {
    try {
      return OffsetIndex.open(dir.resolve(LogLayout.segmentFile(baseOffset, INDEX_SUFFIX)));
    } catch (IOException e) {
      log.close();
      throw e;
    }
  }

  static String logSuffix() {
    return LOG_SUFFIX;
  }

  static String indexSuffix() {
    return INDEX_SUFFIX;
  }

  /**
   * Repairs the segment after an unclean stop. Scans the log file from position 0 and keeps the
   * longest prefix of valid batches: each must fit in the file with a length of at least a header,
   * carry magic 1, a matching CRC32C and well-formed records, and continue the offsets of the one
   * before it (the first one starting at this segment's base offset). Everything after the last
   * valid batch — a torn write, a corrupt batch together with every batch behind it, or trailing
   * garbage — is cut off by truncating the log file at the end of that batch. The index file is
   * then rewritten from the scan, and both files are synced.
   *
   * @return the number of bytes truncated from the log file
   */
  long recover() throws IOException {
    long fileSize = log.size();
    index.reset();
    resetTracking();
    long valid = scan(new BatchScanner(log, fileSize), 0, true);
    if (valid < fileSize) {
      log.truncate(valid);
    }
    index.flush();
    log.force(true);
    index.force();
    size = flushedSize = valid;
    publish();
    return fileSize - valid;
  }

  /**
   * Opens a segment that is not the last of its shard, trusting its size: resumes indexing from the
   * last index entry (adding entries a crash may have cost), or rewrites the whole index when it
   * does not match the log.
   */
  void load() throws IOException {
    long fileSize = log.size();
    BatchScanner scanner = new BatchScanner(log, fileSize);
    OffsetIndex.Entry last = index.last();
    BatchHeader atLast = last == null ? null : scanner.header(last.position());
    boolean usable =
        last != null
            && index.first().position() == 0
            && index.first().relativeOffset() == 0
            && atLast != null
            && atLast.isPlausible(fileSize)
            && atLast.baseOffset() == baseOffset + last.relativeOffset();
    resetTracking();
    long from = 0;
    if (usable) {
      from = last.position();
      endOffset = atLast.baseOffset();
      maxTimestamp = last.maxTimestamp();
    } else {
      index.reset();
    }
    long end = scan(scanner, from, false);
    if (end != fileSize) {
      throw new LogException("segment " + logPath + " is corrupt at position " + end);
    }
    index.flush();
    index.force();
    size = flushedSize = fileSize;
    publish();
  }

  private void resetTracking() {
    endOffset = baseOffset;
    maxTimestamp = -1;
    bytesSinceIndex = 0;
  }

  /** Tracks batches from {@code position} while they are valid; returns where they end. */
  private long scan(BatchScanner scanner, long position, boolean verify) throws IOException {
    long pos = position;
    while (true) {
      BatchHeader h = scanner.header(pos);
      if (h == null || !h.isPlausible(scanner.limit()) || h.baseOffset() != endOffset) {
        return pos;
      }
      if (verify && !BatchFormat.isIntact(scanner.batch(h), h)) {
        return pos;
      }
      track(pos, h.baseOffset(), h.nextOffset(), h.arrivalMillis(), h.size());
      pos = h.nextPosition();
    }
  }

  private void track(long position, long base, long nextOffset, long arrival, long batchSize) {
    if (position == 0 || bytesSinceIndex >= indexInterval) {
      index.stage((int) (base - baseOffset), (int) position, Math.max(maxTimestamp, arrival));
      bytesSinceIndex = 0;
    }
    bytesSinceIndex += batchSize;
    maxTimestamp = Math.max(maxTimestamp, arrival);
    endOffset = nextOffset;
  }

  /** Queues a stamped batch for the next {@link #flush}. Writer thread only. */
  void stage(ByteBuffer batch, long base, int count, long arrivalMillis) {
    long bytes = batch.remaining();
    track(size, base, base + count, arrivalMillis, bytes);
    pending.add(batch);
    size += bytes;
  }

  /** Writes the staged batches with one gathering write, then their index entries. */
  void flush() throws IOException {
    if (!pending.isEmpty()) {
      ByteBuffer[] bufs = pending.toArray(new ByteBuffer[0]);
      log.position(flushedSize);
      long left = size - flushedSize;
      while (left > 0) {
        left -= log.write(bufs);
      }
      pending.clear();
      flushedSize = size;
      unsynced = true;
    }
    index.flush();
  }

  /** Syncs written data; returns the nanoseconds it took, or -1 when nothing needed a sync. */
  long sync() throws IOException {
    if (!unsynced) {
      return -1;
    }
    long start = System.nanoTime();
    log.force(false);
    unsynced = false;
    return System.nanoTime() - start;
  }

  /** Syncs the index, which regular commits leave to the OS (recovery can rebuild it). */
  void syncIndex() throws IOException {
    index.force();
  }

  /** Makes everything written so far visible to readers; call after {@link #sync}. */
  void publish() {
    committedEnd = endOffset;
    committedMaxTimestamp = maxTimestamp;
    committedSize = size;
  }

  /** Drops what was staged or written since the last {@link #publish}, truncating the files. */
  void revert() throws IOException {
    pending.clear();
    log.truncate(committedSize);
    try {
      log.force(false); // the truncation durable when the disk lets it
    } catch (IOException e) {
      // best effort: the write failed already, and its error is what the appends get
    }
    index.truncateToLogSize(committedSize);
    size = flushedSize = committedSize;
    endOffset = committedEnd;
    maxTimestamp = committedMaxTimestamp;
    // The next batch gets an index entry, whatever was dropped.
    bytesSinceIndex = indexInterval;
    unsynced = false;
  }

  long baseOffset() {
    return baseOffset;
  }

  /** Bytes written or staged (writer thread). */
  long size() {
    return size;
  }

  /** Offset after the last written or staged batch (writer thread). */
  long endOffset() {
    return endOffset;
  }

  long committedSize() {
    return committedSize;
  }

  long committedEnd() {
    return committedEnd;
  }

  long committedMaxTimestamp() {
    return committedMaxTimestamp;
  }

  FileChannel channel() {
    return log;
  }

  OffsetIndex index() {
    return index;
  }

  @Override
  public void close() throws IOException {
    try {
      log.close();
    } finally {
      index.close();
    }
  }

  /** Closes and deletes both files, the log file first so no index is left without it. */
  void delete() throws IOException {
    close();
    Files.deleteIfExists(logPath);
    index.delete();
  }

  @Override
  public String toString() {
    return logPath.toString();
  }
}
