package dev.sluice.log;

/**
 * What an acknowledged append got: its records hold offsets {@code baseOffset} to {@code baseOffset
 * + count - 1}, all with the same arrival time. An append is acknowledged only once it is durable.
 *
 * @param baseOffset offset of the first record
 * @param count number of records
 * @param arrivalMillis arrival time given to every record of the append
 */
public record AppendResult(long baseOffset, int count, long arrivalMillis) {

  /** Offset of the last record of the append. */
  public long lastOffset() {
    return baseOffset + count - 1;
  }
}
