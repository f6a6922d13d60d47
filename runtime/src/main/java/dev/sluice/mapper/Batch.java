package dev.sluice.mapper;

import dev.sluice.function.InvocationResult;
import dev.sluice.log.LogRecord;
import java.util.List;

/**
 * Records of one shard lane, handed to one invocation.
 *
 * @param records the records, in offset order
 * @param attempt how many times this batch (or the batch it was cut from) was retried
 * @param filtered whether the records already passed the filter criteria
 * @param failure the failed invocation this batch was cut from by bisecting, or null: what its
 *     OnFailure record names should it be skipped before it is invoked itself
 */
record Batch(
    List<LogRecord> records, int attempt, boolean filtered, InvocationResult.Failure failure) {

  Batch {
    records = List.copyOf(records);
  }

  /** A batch not cut from a failed one. */
  Batch(List<LogRecord> records, int attempt, boolean filtered) {
    this(records, attempt, filtered, null);
  }

  Batch retry() {
    return new Batch(records, attempt + 1, true, failure);
  }

  Batch from(int index, int nextAttempt) {
    return new Batch(records.subList(index, records.size()), nextAttempt, true, failure);
  }

  /**
   * The records from {@code from} to {@code to}, bisected out of this batch after the invocation
   * that failed with {@code why} (null when it did not reach the function); the same attempt, as
   * splitting is not a retry.
   */
  Batch part(int from, int to, InvocationResult.Failure why) {
    return new Batch(records.subList(from, to), attempt, true, why);
  }

  long firstOffset() {
    return records.get(0).offset();
  }
}
