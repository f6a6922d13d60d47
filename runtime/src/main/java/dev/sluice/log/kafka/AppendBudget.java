package dev.sluice.log.kafka;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the bytes of appends handed to the engine and not yet acknowledged, per shard and for the
 * whole node. Past a bound an append is refused at once as busy (Kinesis's throughput error, which
 * clients retry with backoff) instead of queued: a partition whose leader cannot be reached holds
 * its appends until the producer's delivery timeout, and without a bound they would fill the
 * producer's buffer, whose next send then stalls the writer thread every shard shares, and the
 * heap. An append alone larger than a bound is always let in. Thread-safe.
 */
final class AppendBudget {

  /** Unacknowledged bytes one shard may have: a few full PutRecords calls. */
  static final long PER_SHARD = 16L << 20;

  /** Unacknowledged bytes the node may have: half the producer's buffer, so sends never wait. */
  static final long TOTAL = KafkaClients.PRODUCER_BUFFER_BYTES / 2;

  private final AtomicLong total = new AtomicLong();

  /** Counts {@code bytes} for {@code shard}; false, counting nothing, when a bound is passed. */
  boolean admit(ShardState shard, long bytes) {
    long mine = shard.unacknowledged.addAndGet(bytes);
    long all = total.addAndGet(bytes);
    if ((mine > PER_SHARD && mine != bytes) || (all > TOTAL && all != bytes)) {
      release(shard, bytes);
      return false;
    }
    return true;
  }

  /** Gives back what {@link #admit} counted, once the append is acknowledged or failed. */
  void release(ShardState shard, long bytes) {
    shard.unacknowledged.addAndGet(-bytes);
    total.addAndGet(-bytes);
  }

  /** The node's unacknowledged bytes. */
  long total() {
    return total.get();
  }
}
