package dev.sluice.log;

/**
 * What an acknowledged append got: its records hold offsets {@code baseOffset} to {@code baseOffset
 * + count - 1}, unless {@code offsets} says otherwise, all with the same arrival time (the first
 * record's, when the storage gave them several). An append is acknowledged only once it is durable.
 *
 * @param baseOffset offset of the first record
 * @param count number of records
 * @param arrivalMillis arrival time given to every record of the append
 * @param offsets each record's offset, when they are not consecutive (on Kafka, another node's
 *     records can land between the producer batches of a large append); else null
 */
public record AppendResult(long baseOffset, int count, long arrivalMillis, long[] offsets) {

  /** An append whose records got consecutive offsets from {@code baseOffset}. */
  public AppendResult(long baseOffset, int count, long arrivalMillis) {
    this(baseOffset, count, arrivalMillis, null);
  }

  /** Offset of the append's record {@code k} (from 0). */
  public long offsetOf(int k) {
    return offsets == null ? baseOffset + k : offsets[k];
  }

  /** Offset of the last record of the append. */
  public long lastOffset() {
    return offsetOf(count - 1);
  }
}
