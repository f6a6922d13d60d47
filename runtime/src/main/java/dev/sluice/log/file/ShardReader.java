package dev.sluice.log.file;

import dev.sluice.log.LogException;
import dev.sluice.log.LogRecord;
import dev.sluice.log.ReadResult;
import dev.sluice.log.ShardNotFoundException;
import dev.sluice.log.ShardOffsets;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;

/**
 * Serves reads and timestamp lookups on reader threads. Everything stays below the offsets snapshot
 * taken when the read starts, and within each segment below its committed size, so only durable
 * data is returned. Retention or deletion may close a segment under a reader; the read is then
 * retried against the shard's new state.
 *
 * <p>Every batch read from disk has its CRC32C checked before its records are returned (segments
 * other than the last are not checked at start), and a batch header that cannot be valid stops the
 * read: corrupt data fails the read with an error naming the shard, segment and offset, rather than
 * being served.
 */
final class ShardReader {

  private static final int ATTEMPTS = 3;

  private final HotBatches hot;
  private final ReadPositions positions;

  ShardReader(HotBatches hot, ReadPositions positions) {
    this.hot = hot;
    this.positions = positions;
  }

  ReadResult read(ShardLog log, long fromOffset, int maxRecords, long maxBytes) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return readOnce(log, fromOffset, maxRecords, maxBytes);
      } catch (ClosedChannelException e) {
        retryOrFail(log, attempt, e);
      }
    }
  }

  long offsetForTimestamp(ShardLog log, long timestampMillis) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return offsetForTimestampOnce(log, timestampMillis);
      } catch (ClosedChannelException e) {
        retryOrFail(log, attempt, e);
      }
    }
  }

  private static void retryOrFail(ShardLog log, int attempt, ClosedChannelException e) {
    checkNotDeleted(log);
    if (attempt >= ATTEMPTS) {
      throw new LogException("segments of " + log + " kept closing under a read", e);
    }
  }

  private ReadResult readOnce(ShardLog log, long fromOffset, int maxRecords, long maxBytes)
      throws IOException {
    ShardOffsets o = log.offsets();
    long offset = Math.max(fromOffset, o.startOffset());
    List<LogRecord> out = new ArrayList<>();
    if (offset < o.endOffset() && maxRecords > 0) {
      ReadBudget budget = new ReadBudget(maxRecords, maxBytes);
      offset = hot.serve(log, offset, o.endOffset(), out, budget);
      if (!budget.full() && offset < o.endOffset()) {
        offset = readSegments(log, offset, o.endOffset(), out, budget);
      }
    }
    checkNotDeleted(log); // deleted during the read: its segments were dropped under it
    return new ReadResult(out, offset, o.endOffset(), o.lastArrivalMillis());
  }

  /** Reads from the segments; returns the offset after the last record read. */
  private long readSegments(
      ShardLog log, long offset, long endOffset, List<LogRecord> out, ReadBudget budget)
      throws IOException {
    ReadPositions.Position hint = positions.get(log, offset);
    Segment seg = hint == null ? null : log.segmentAt(hint.segmentBase());
    long pos = seg == null ? 0 : hint.filePosition();
    if (seg == null) {
      seg = log.segmentFor(offset);
      if (seg == null) {
        return offset;
      }
      pos = offset <= seg.baseOffset() ? 0 : seg.index().positionFor(offset - seg.baseOffset());
    }
    BatchScanner scanner = new BatchScanner(seg.channel(), seg.committedSize());
    while (offset < endOffset && !budget.full()) {
      BatchHeader h = scanner.header(pos);
      if (h == null) {
        seg = log.segmentAfter(seg);
        if (seg == null) {
          break;
        }
        scanner = new BatchScanner(seg.channel(), seg.committedSize());
        pos = 0;
        continue;
      }
      checkHeader(log, seg, h, scanner.limit(), "offset " + offset);
      // A hint or trim may put us before or after the requested offset.
      offset = Math.max(offset, h.baseOffset());
      if (h.nextOffset() > offset) {
        ByteBuffer batch = scanner.batch(h);
        checkCrc(log, seg, h, batch);
        offset = BatchFormat.decode(batch, h, offset, out, budget);
      }
      if (offset < h.nextOffset()) {
        break;
      }
      pos = h.nextPosition();
    }
    if (seg != null) {
      positions.put(log, offset, seg.baseOffset(), pos);
    }
    return offset;
  }

  /**
   * Fails the read when the header cannot be that of a batch ending below {@code limit}; {@code
   * reading} says what was being read, since the header's own offsets are not to be trusted.
   */
  private static void checkHeader(
      ShardLog log, Segment seg, BatchHeader h, long limit, String reading) {
    if (!h.isPlausible(limit)) {
      throw corrupt(log, seg, h.position(), reading, "has no valid batch header");
    }
  }

  /** Fails the read when the batch's bytes do not match its CRC32C. */
  private static void checkCrc(ShardLog log, Segment seg, BatchHeader h, ByteBuffer batch) {
    if (!BatchFormat.crcMatches(batch)) {
      String offsets = "offsets " + h.baseOffset() + " to " + (h.nextOffset() - 1);
      throw corrupt(log, seg, h.position(), offsets, "fails its CRC check");
    }
  }

  private static LogException corrupt(
      ShardLog log, Segment seg, long position, String context, String what) {
    return new LogException(
        "shard "
            + log
            + " is corrupt: the batch at position "
            + position
            + " of "
            + seg
            + " ("
            + context
            + ") "
            + what);
  }

  private long offsetForTimestampOnce(ShardLog log, long timestampMillis) throws IOException {
    ShardOffsets o = log.offsets();
    for (Segment seg : log.segments()) {
      if (seg.committedMaxTimestamp() < timestampMillis) {
        continue;
      }
      BatchScanner scanner = new BatchScanner(seg.channel(), seg.committedSize());
      long pos = seg.index().positionBefore(timestampMillis);
      for (BatchHeader h = scanner.header(pos); h != null; h = scanner.header(pos)) {
        checkHeader(log, seg, h, scanner.limit(), "a timestamp lookup");
        if (h.baseOffset() >= o.endOffset()) {
          break;
        }
        if (h.arrivalMillis() >= timestampMillis) {
          return Math.max(h.baseOffset(), o.startOffset());
        }
        pos = h.nextPosition();
      }
    }
    checkNotDeleted(log);
    return o.endOffset();
  }

  private static void checkNotDeleted(ShardLog log) {
    if (log.isDeleted()) {
      throw new ShardNotFoundException(log.ref());
    }
  }
}
