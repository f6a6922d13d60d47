package dev.sluice.mapper;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one shard of a mapping did since the node started. Its processor writes it on its event
 * loop, a few updates per batch and none per record; the status route, the health check and the
 * meters read it from any thread. It outlives the processor: a runner restarted by an update, or a
 * shard that finished, keeps counting into the mapping's totals.
 */
final class ShardStats {

  private static final long NONE = -1;

  final String shardId;

  /**
   * Batches that reached the function (after filtering); a retried or bisected batch counts once.
   */
  final LongAdder batches = new LongAdder();

  /** Records the function processed successfully. */
  final LongAdder records = new LongAdder();

  /** Invocations that ran (throttled calls, which never reached the function, excluded). */
  final LongAdder invocations = new LongAdder();

  /** Invocations that failed: function error, timeout, or an invalid response. */
  final LongAdder functionErrors = new LongAdder();

  /** Batches (or final window invokes) sent again after a failure, whatever its cause. */
  final LongAdder retries = new LongAdder();

  /** Records of skipped batches delivered to the OnFailure destination. */
  final LongAdder recordsToOnFailure = new LongAdder();

  /** Invocations waiting for their answer. */
  final AtomicInteger inFlight = new AtomicInteger();

  // arrival time of the record the iterator age is measured from; NONE when caught up
  private volatile long ageFrom = NONE;
  // when the oldest batch still retrying first failed; NONE when no batch is retrying
  private volatile long retryingSince = NONE;
  private volatile long offset;
  // records between the checkpoint and the log's end (Kafka partitions); NONE when not known
  private volatile long offsetLag = NONE;
  private volatile boolean finished;
  // whether the stuck watch last logged this shard as stuck (written by the runner's loop only)
  volatile boolean reportedStuck;

  ShardStats(String shardId) {
    this.shardId = shardId;
  }

  /** Measures the iterator age from a record that arrived at {@code arrivalMillis}. */
  void ageFrom(long arrivalMillis) {
    ageFrom = arrivalMillis;
  }

  /** Every record of the shard was delivered: the iterator age is 0. */
  void caughtUp() {
    ageFrom = NONE;
  }

  void retryingSince(long millis) {
    retryingSince = millis;
  }

  void notRetrying() {
    retryingSince = NONE;
  }

  void offsetLag(long records) {
    offsetLag = records;
  }

  /** Records between the checkpoint and the log's end, or -1 when not known. */
  long offsetLag() {
    return offsetLag;
  }

  void offset(long next, boolean isFinished) {
    offset = next;
    finished = isFinished;
  }

  long offset() {
    return offset;
  }

  boolean finished() {
    return finished;
  }

  /** The processor stopped: nothing of this shard is being read or retried any more. */
  void stopped() {
    ageFrom = NONE;
    retryingSince = NONE;
    offsetLag = NONE;
  }

  /** Milliseconds between {@code now} and the arrival of the record the shard is at; 0 if none. */
  long iteratorAgeMillis(long now) {
    long from = ageFrom;
    return from == NONE ? 0 : Math.max(0, now - from);
  }

  /**
   * Why the shard is stuck, or null if it is not: its iterator age passed half the stream's
   * retention (records are about to expire unread), or one batch kept failing for longer than
   * {@code retryLimitMillis}.
   */
  String stuckReason(long now, long retentionMillis, long retryLimitMillis) {
    long age = iteratorAgeMillis(now);
    if (retentionMillis > 0 && age > retentionMillis / 2) {
      return "IteratorAge of "
          + age
          + " ms is past half the retention period of "
          + retentionMillis
          + " ms";
    }
    long since = retryingSince;
    if (since != NONE && now - since > retryLimitMillis) {
      return "retrying one batch for "
          + (now - since)
          + " ms, longer than the "
          + retryLimitMillis
          + " ms of sluice.mapper.stuck-retry-after";
    }
    return null;
  }

  /** A consistent-enough copy for the API (each value read once). */
  ShardStatus status(long now, long retentionMillis, long retryLimitMillis) {
    return new ShardStatus(
        iteratorAgeMillis(now),
        batches.sum(),
        records.sum(),
        invocations.sum(),
        functionErrors.sum(),
        retries.sum(),
        recordsToOnFailure.sum(),
        inFlight.get(),
        offset,
        finished,
        stuckReason(now, retentionMillis, retryLimitMillis),
        offsetLag);
  }
}
