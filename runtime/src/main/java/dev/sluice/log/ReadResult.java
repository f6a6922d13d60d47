package dev.sluice.log;

import java.util.List;

/**
 * Records read from one shard.
 *
 * @param records the records, in offset order; empty when the reader is at the end
 * @param nextOffset where the next read should start
 * @param endOffset the shard's end offset (one past its last record) when the read ran
 * @param lastArrivalMillis arrival time of the shard's newest record, or -1 when it has none
 */
public record ReadResult(
    List<LogRecord> records, long nextOffset, long endOffset, long lastArrivalMillis) {

  /** True when the read reached the shard's end offset. */
  public boolean atEnd() {
    return nextOffset >= endOffset;
  }
}
