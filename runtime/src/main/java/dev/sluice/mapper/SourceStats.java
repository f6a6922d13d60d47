package dev.sluice.mapper;

/**
 * What a Kafka mapping's runner reports per partition, for the status view, the meters and the
 * health check (a partition retrying one batch for too long is stuck, as a shard is). The runner's
 * poll thread writes it; any thread reads it.
 */
public final class SourceStats {

  private final MappingStats stats;
  private final String functionName;

  SourceStats(MappingStats stats, String functionName) {
    this.stats = stats;
    this.functionName = functionName;
  }

  /**
   * The topic's {@code retention.ms} ({@code -1}: kept for ever): a partition whose oldest record
   * not done is older than half of it is stuck.
   */
  public void retention(long millis) {
    stats.kafkaRetention(millis);
  }

  /** Logs each partition that became stuck, or stopped being stuck, since the last look. */
  public void watch() {
    stats.watch(functionName);
  }

  /** The counters of partition {@code name} ({@code topic-N}), kept across runners. */
  public Partition partition(String name) {
    return new Partition(stats.started(name, functionName));
  }

  /** One partition's counters. */
  public static final class Partition {

    private final ShardStats s;

    private Partition(ShardStats s) {
      this.s = s;
    }

    /** A new batch goes to the function; its retries and halves count no more batches. */
    public void batch() {
      s.batches.increment();
    }

    /** A call starts. */
    public void calling() {
      s.inFlight.incrementAndGet();
    }

    /** A call ended; {@code reached} says whether it reached the function (not throttled). */
    public void answered(boolean reached) {
      s.inFlight.decrementAndGet();
      if (reached) {
        s.invocations.increment();
      }
    }

    /** A call failed in the function (error, timeout, an invalid response). */
    public void functionError() {
      s.functionErrors.increment();
    }

    /** A batch is sent again after a failure of any kind. */
    public void retry() {
      s.retries.increment();
    }

    /** {@code records} went to the OnFailure destination. */
    public void toOnFailure(int records) {
      s.recordsToOnFailure.add(records);
    }

    /** {@code records} were processed successfully. */
    public void processed(int records) {
      s.records.add(records);
    }

    /** The oldest batch still failing first failed at {@code millis}; -1: none is failing. */
    public void failingSince(long millis) {
      if (millis < 0) {
        s.notRetrying();
      } else {
        s.retryingSince(millis);
      }
    }

    /** The runner let the partition go (it moved, or the runner stopped): nothing is retrying. */
    public void stopped() {
      s.stopped();
    }

    /**
     * How far behind the partition is: {@code offsetLag} records between the commit point and the
     * log's end (-1: not known now, the last figure stays), {@code oldestUndoneMillis} the
     * timestamp of the oldest record not done (-1: none), from which the iterator age is measured.
     */
    public void behind(long offsetLag, long oldestUndoneMillis) {
      if (offsetLag >= 0) {
        s.offsetLag(offsetLag);
      }
      if (oldestUndoneMillis >= 0) {
        s.ageFrom(oldestUndoneMillis);
      } else if (offsetLag == 0) {
        s.caughtUp();
      }
    }

    /** The group's committed offset of the partition. */
    public void committed(long offset) {
      s.offset(offset, false);
    }
  }
}
