package dev.sluice.mapper;

/**
 * One shard of a mapping as the status view shows it.
 *
 * @param iteratorAgeMillis how far behind the shard is: now minus the arrival time of the oldest
 *     record not yet delivered (or of the last record delivered); 0 when caught up
 * @param batches batches that reached the function; a retried or bisected batch counts once
 * @param records records the function processed successfully
 * @param invocations invocations that ran
 * @param functionErrors invocations that failed (function error, timeout, invalid response)
 * @param retries batches sent again after a failure
 * @param recordsToOnFailure records of skipped batches delivered to the OnFailure destination
 * @param batchesInFlight invocations waiting for their answer
 * @param offset the checkpoint: the lowest offset not yet completed
 * @param finished whether the shard is closed and every record of it completed
 * @param stuckReason why the shard is stuck, or null
 * @param offsetLag records between the checkpoint and the log's end, for a Kafka partition this
 *     node reads; -1 otherwise
 */
public record ShardStatus(
    long iteratorAgeMillis,
    long batches,
    long records,
    long invocations,
    long functionErrors,
    long retries,
    long recordsToOnFailure,
    int batchesInFlight,
    long offset,
    boolean finished,
    String stuckReason,
    long offsetLag) {

  /** A shard known only by its checkpoint: no processor ran it since the node started. */
  static ShardStatus idle(long offset, boolean finished) {
    return new ShardStatus(0, 0, 0, 0, 0, 0, 0, 0, offset, finished, null, -1);
  }

  /** Whether the shard is stuck (see {@link #stuckReason}). */
  public boolean stuck() {
    return stuckReason != null;
  }
}
