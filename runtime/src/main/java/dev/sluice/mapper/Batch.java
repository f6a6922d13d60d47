package dev.sluice.mapper;

import dev.sluice.log.LogRecord;
import java.util.List;

/**
 * Records of one shard lane, handed to one invocation.
 *
 * @param records the records, in offset order
 * @param attempt how many times this batch (or the batch it was cut from) was retried
 * @param filtered whether the records already passed the filter criteria
 */
record Batch(List<LogRecord> records, int attempt, boolean filtered) {

  Batch {
    records = List.copyOf(records);
  }

  Batch retry() {
    return new Batch(records, attempt + 1, true);
  }

  Batch from(int index, int nextAttempt) {
    return new Batch(records.subList(index, records.size()), nextAttempt, true);
  }

  long firstOffset() {
    return records.get(0).offset();
  }
}
