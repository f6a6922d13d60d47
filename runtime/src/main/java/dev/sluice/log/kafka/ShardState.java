package dev.sluice.log.kafka;

import dev.sluice.log.ShardOffsets;
import dev.sluice.log.ShardRef;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;

/**
 * What the engine keeps in memory for one shard: its partition, cached offsets and seal flag, and
 * the last append handed to the producer (so a seal can wait for it).
 */
final class ShardState {

  final ShardRef ref;
  final TopicPartition partition;
  private long start;
  private long end;
  private long lastArrival;
  private boolean sealed;
  private boolean fenced;
  private boolean graceStarted;
  private boolean frozen;
  private boolean deleted;

  /** Bytes of this shard's appends not acknowledged yet ({@link AppendBudget}). */
  final AtomicLong unacknowledged = new AtomicLong();

  /** Completes with the end once the seal is final (see {@link KafkaLogOptions#sealGrace}). */
  final CompletableFuture<Long> finalEnd = new CompletableFuture<>();

  /** Last append sent; read and written on the shard's writer thread only. */
  CompletableFuture<?> tail = CompletableFuture.completedFuture(null);

  ShardState(ShardRef ref, TopicPartition partition, long start, long end, long lastArrival) {
    this.ref = ref;
    this.partition = partition;
    this.start = start;
    this.end = end;
    this.lastArrival = lastArrival;
  }

  synchronized ShardOffsets offsets() {
    return new ShardOffsets(start, end, lastArrival, sealed);
  }

  /** Records an acknowledged append; acknowledgements of one partition arrive in order. */
  synchronized void appended(long lastOffset, long arrivalMillis) {
    if (frozen) {
      return; // acknowledged after the end was fixed: past it, and never read
    }
    end = Math.max(end, lastOffset + 1);
    lastArrival = Math.max(lastArrival, arrivalMillis);
  }

  /**
   * Moves the end to {@code newEnd}, an end offset read from the broker, when that is further;
   * returns how many records that made readable (0 when none). Those records' broker timestamps are
   * not read: the last arrival becomes at least {@code nowMillis}, which is at most a refresh
   * interval later than the true one.
   */
  synchronized long refreshed(long newEnd, long nowMillis) {
    if (frozen || newEnd <= end) { // a closed shard's end never moves again
      return 0;
    }
    long added = newEnd - end;
    end = newEnd;
    lastArrival = Math.max(lastArrival, nowMillis);
    return added;
  }

  synchronized void trimmed(long newStart) {
    start = Math.max(start, Math.min(newStart, end));
  }

  /**
   * Fixes the end of a sealed shard, once the seal's grace has passed and a last look at the broker
   * settled it: appends a node makes after that, not knowing of the seal yet, are past the closed
   * shard's end.
   */
  synchronized void freeze() {
    frozen = true;
  }

  /**
   * Fixes the end at {@code finalEnd}, where the shard's end was settled for every node: further
   * than this engine's own when it fixed it earlier, and nearer when it attached to the shard (and
   * saw its end) only after that, so that every node reads the same records of it.
   */
  synchronized void settledAt(long finalEnd) {
    end = Math.max(start, finalEnd);
    frozen = true;
  }

  synchronized void seal() {
    sealed = true;
  }

  synchronized boolean isSealed() {
    return sealed;
  }

  /** Another node closed the shard; this one refuses appends before it seals the shard too. */
  synchronized void fence() {
    fenced = true;
  }

  synchronized void unfence() {
    fenced = false;
  }

  /** Whether appends are refused: sealed here, or fenced. */
  synchronized boolean refusesAppends() {
    return sealed || fenced;
  }

  /** True the first time only: the seal's grace starts once. */
  synchronized boolean startGrace() {
    boolean first = !graceStarted;
    graceStarted = true;
    return first;
  }

  synchronized void markDeleted() {
    deleted = true;
  }

  synchronized boolean isDeleted() {
    return deleted;
  }
}
