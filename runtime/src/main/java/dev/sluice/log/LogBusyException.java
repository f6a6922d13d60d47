package dev.sluice.log;

/**
 * An append refused because the shard's writer already holds as much as it may queue: the disk does
 * not sync as fast as appends arrive. Kinesis answers this as a throughput limit, which clients
 * retry with backoff, rather than letting queued appends fill the heap.
 */
public final class LogBusyException extends LogException {

  private static final long serialVersionUID = 1L;

  /** For an append to {@code shard}. */
  public LogBusyException(ShardRef shard, long queuedBytes) {
    super(
        "shard "
            + shard
            + " has "
            + queuedBytes
            + " bytes of appends waiting to be written; try again later");
  }

  /** For an append refused, or not acknowledged, for {@code reason}; retrying may succeed. */
  public LogBusyException(String reason) {
    super(reason);
  }
}
