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
 * the writer syncs a segment completely before it creates the next one, which is why only the last
 * segment can end in a torn write.
 *
 * <p>What recovery changes: {@link #recover} (last segment only) truncates a torn tail, and nothing
 * else. A tail is torn when, from the first batch that fails its checks to the end of the file, no
 * intact batch remains: a batch is intact when its header is plausible, its offsets lie where the
 * bad bytes could have taken them and its CRC32C matches. If an intact batch follows the bad one,
 * the bad bytes are corruption inside data that may have been acknowledged: recovery then fails and
 * leaves the log file untouched (the index may be rewritten), so the shard is not opened and no
 * offset is handed out twice. {@link #load} (earlier segments) never changes the log file; it fails
 * when the batch headers do not chain to the end of the file. Batch CRCs of earlier segments are
 * checked when readers read the batches, not at start.
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
    OffsetIndex index = null;
    try {
      index = openIndex(dir, baseOffset, ch);
      index.reset();
      return new Segment(baseOffset, logPath, ch, index, indexInterval);
    } catch (IOException | RuntimeException e) {
      // an empty log file left here made every later roll fail on CREATE_NEW until a restart
      ch.close();
      Files.deleteIfExists(logPath);
      if (index != null) { // its channel too, and the file, which the next roll creates anew
        index.close();
        Files.deleteIfExists(dir.resolve(LogLayout.segmentFile(baseOffset, INDEX_SUFFIX)));
      }
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
   * before it (the first one starting at this segment's base offset). What follows the last valid
   * batch is cut off by truncating the log file there, but only when it is a torn tail: no intact
   * batch may start anywhere in it. The index file is then rewritten from the scan, and both files
   * are synced.
   *
   * @return what was cut off, or null when the whole file was valid
   * @throws LogException when an intact batch follows a bad one; the log file is left as it is
   */
  Cut recover() throws IOException {
    long fileSize = log.size();
    BatchScanner scanner = new BatchScanner(log, fileSize);
    index.reset();
    resetTracking();
    long valid = scan(scanner, 0, true);
    Cut cut = null;
    if (valid < fileSize) {
      refuseUnlessTorn(scanner, valid);
      cut = new Cut(logPath, valid, fileSize - valid, endOffset, claimedEnd(scanner, valid));
      log.truncate(valid);
    }
    index.flush();
    log.force(true);
    index.force();
    size = flushedSize = valid;
    publish();
    return cut;
  }

  /**
   * What {@link #recover} cut off the end of a log file.
   *
   * @param position where the file now ends
   * @param fromOffset the first offset cut, which the next append gets again
   * @param claimedEnd the offset after the last record that the (unverified) batch headers in the
   *     cut bytes claim; {@code fromOffset} when none of them is readable
   */
  record Cut(Path file, long position, long bytes, long fromOffset, long claimedEnd) {

    /** One line for the log: the file, the bytes and the offsets cut. */
    String describe() {
      String offsets =
          claimedEnd > fromOffset
              ? "offsets " + fromOffset + " to " + (claimedEnd - 1)
              : "the records from offset " + fromOffset + " on (no batch header was readable)";
      return String.format(
          "cut %,d bytes of torn log at position %d of %s, holding %s, which were never"
              + " acknowledged; the next append gets offset %d",
          bytes, position, file, offsets, fromOffset);
    }
  }

  /**
   * Throws when an intact batch lies behind the bad bytes at {@code bad}: they are then corruption
   * in the middle of the log rather than a torn tail, and cutting there would drop batches that
   * were acknowledged and hand their offsets out again.
   */
  private void refuseUnlessTorn(BatchScanner scanner, long bad) throws IOException {
    BatchHeader next = intactAfter(scanner, bad);
    if (next == null) {
      return;
    }
    String lost =
        next.baseOffset() > endOffset
            ? "offsets " + endOffset + " to " + (next.baseOffset() - 1) + " cannot be read"
            : "no offsets are missing";
    throw new LogException(
        "segment "
            + logPath
            + " is corrupt at position "
            + bad
            + ": the batch expected there (from offset "
            + endOffset
            + ") is damaged, yet an intact batch follows at position "
            + next.position()
            + " (offsets "
            + next.baseOffset()
            + " to "
            + (next.nextOffset() - 1)
            + "); "
            + lost
            + ". The log file is left as it is");
  }

  /**
   * The first intact batch after the bad bytes at {@code bad}, searched byte by byte since the bad
   * bytes may include the length field. Records take {@link BatchFormat#RECORD_OVERHEAD} bytes at
   * least, which bounds the offsets a batch found so far on can start at; together with the CRC
   * this makes it practically impossible to take bytes inside a record for a batch.
   */
  private BatchHeader intactAfter(BatchScanner scanner, long bad) throws IOException {
    for (long pos = bad + 1; pos + BatchFormat.HEADER_SIZE <= scanner.limit(); pos++) {
      if (scanner.byteAt(pos + BatchFormat.MAGIC_AT) != BatchFormat.MAGIC) {
        continue;
      }
      BatchHeader h = scanner.header(pos);
      long maxBase = endOffset + (pos - bad) / BatchFormat.RECORD_OVERHEAD;
      if (h.isPlausible(scanner.limit())
          && h.baseOffset() >= endOffset
          && h.baseOffset() <= maxBase
          && BatchFormat.isIntact(scanner.batch(h), h)) {
        return h;
      }
    }
    return null;
  }

  /** The offset after the last record the chained batch headers from {@code position} claim. */
  private long claimedEnd(BatchScanner scanner, long position) throws IOException {
    long end = endOffset;
    long pos = position;
    // a torn batch may run past the end of the file, hence no limit on its length
    for (BatchHeader h = scanner.header(pos);
        h != null && h.isPlausible(Long.MAX_VALUE) && h.baseOffset() == end;
        h = scanner.header(pos)) {
      end = h.nextOffset();
      pos = h.nextPosition();
    }
    return end;
  }

  /**
   * Opens a segment that is not the last of its shard, trusting its size: resumes indexing after
   * the batch of the last index entry (adding entries a crash may have cost), or rewrites the whole
   * index when it does not match the log. The log file is not changed.
   *
   * @throws LogException when the batch headers do not chain up to the end of the file
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
      // The batch of the last entry is indexed already; scanning it again staged its entry a
      // second time whenever that entry was the one at position 0.
      from = atLast.nextPosition();
      endOffset = atLast.nextOffset();
      maxTimestamp = Math.max(last.maxTimestamp(), atLast.arrivalMillis());
      bytesSinceIndex = atLast.size();
    } else {
      index.reset();
    }
    long end = scan(scanner, from, false);
    if (end != fileSize) {
      throw new LogException(
          "segment "
              + logPath
              + " is corrupt at position "
              + end
              + ": no valid batch with offset "
              + endOffset
              + " starts there, so offsets from "
              + endOffset
              + " up to the next segment cannot be read");
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
    index.publish();
  }

  /** Drops what was staged or written since the last {@link #publish}, truncating the files. */
  void revert() throws IOException {
    pending.clear();
    log.truncate(committedSize);
    boolean synced = false;
    try {
      log.force(false); // the truncation durable when the disk lets it
      synced = true;
    } catch (IOException e) {
      // best effort: the write failed already, and its error is what the appends get
    }
    index.truncateToLogSize(committedSize);
    size = flushedSize = committedSize;
    endOffset = committedEnd;
    maxTimestamp = committedMaxTimestamp;
    // The next batch gets an index entry, whatever was dropped.
    bytesSinceIndex = indexInterval;
    // A truncation not known durable is synced by the next sync, a roll's included: otherwise
    // the dropped batch could come back after a power loss in a segment that is no longer last.
    unsynced = !synced;
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
