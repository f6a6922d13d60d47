package dev.sluice.mapper.kafka;

import dev.sluice.mapper.SourceStats;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * One assigned partition of a Kafka mapping: its lanes, the offsets fetched but not yet done, and
 * the offset committed to the group. Only the poll thread touches it.
 *
 * <p>With ParallelizationFactor N the partition's records go to N lanes by key hash; each lane runs
 * one batch at a time, so records with the same key are never in flight together and keep their
 * order. Records without a key have no order to keep and spread by offset. The commit point is the
 * lowest offset not yet done in any lane. A lane finishes its records in offset order (its batch,
 * then the halves of a bisected batch, then its queue), so its lowest one is the first of those
 * that is not empty; nothing per record is kept for it, as every record passes the poll thread.
 */
final class PartitionWork {

  final TopicPartition tp;
  final String name;
  final Lane[] lanes;

  /** Records fetched and not done yet. */
  private int buffered;

  private long nextOffset;

  /** The timestamp of the last record fetched, or -1. */
  private long newestFetchedMillis = -1;

  /** The largest log end reported so far, or -1. */
  private long knownEnd = -1;

  long committed;
  boolean paused;

  /** How often the consumer went back past the commit point: answers to earlier commits are old. */
  private int resets;

  /** The partition's counters, set by the runner when the partition is assigned. */
  SourceStats.Partition stats;

  PartitionWork(TopicPartition tp, int lanes, long position, long committed) {
    this.tp = tp;
    this.name = tp.topic() + "-" + tp.partition();
    this.lanes = new Lane[lanes];
    for (int i = 0; i < lanes; i++) {
      this.lanes[i] = new Lane();
    }
    this.nextOffset = position;
    this.committed = committed;
  }

  /**
   * Queues one poll's records of this partition, in offset order, at {@code now}: those {@code
   * keep} takes (all when it is null). The others are done at once: filtered before batching, as
   * Lambda does, they take no room in a batch and no time in a batching window.
   */
  void add(
      List<ConsumerRecord<byte[], byte[]>> records,
      long now,
      Predicate<ConsumerRecord<byte[], byte[]>> keep) {
    if (records.isEmpty()) {
      return;
    }
    if (records.get(0).offset() < nextOffset && buffered == 0) {
      // the consumer went back with nothing outstanding: the stored position was past the log's
      // end (the topic made again, an unclean election), and it reset. Committing resumes from
      // here; else nothing was committed until the log grew past that position again, and every
      // rebalance delivered it all once more.
      nextOffset = records.get(0).offset();
      committed = -1;
      knownEnd = -1;
      resets++;
    }
    List<ConsumerRecord<byte[], byte[]>> kept = keep == null ? records : kept(records, keep);
    distribute(kept, now);
    // only now past these records: had the filter thrown, the commit point (which is here when
    // no lane holds a record) would have passed records that no lane holds, and the consumer's
    // restart would have committed it
    buffered += kept.size();
    nextOffset = Math.max(nextOffset, records.get(records.size() - 1).offset() + 1);
    newestFetchedMillis = records.get(records.size() - 1).timestamp();
  }

  private void distribute(List<ConsumerRecord<byte[], byte[]>> kept, long now) {
    if (kept.isEmpty()) {
      return;
    }
    if (lanes.length == 1) {
      queue(lanes[0], kept, now); // no key to hash when there is one lane
      return;
    }
    List<List<ConsumerRecord<byte[], byte[]>>> split = new ArrayList<>(lanes.length);
    for (int i = 0; i < lanes.length; i++) {
      split.add(new ArrayList<>());
    }
    for (ConsumerRecord<byte[], byte[]> r : kept) {
      split.get(laneOf(r)).add(r);
    }
    for (int i = 0; i < lanes.length; i++) {
      queue(lanes[i], split.get(i), now);
    }
  }

  private static List<ConsumerRecord<byte[], byte[]>> kept(
      List<ConsumerRecord<byte[], byte[]>> records,
      Predicate<ConsumerRecord<byte[], byte[]>> keep) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>(records.size());
    for (ConsumerRecord<byte[], byte[]> r : records) {
      if (keep.test(r)) {
        out.add(r);
      }
    }
    return out;
  }

  private static void queue(Lane lane, List<ConsumerRecord<byte[], byte[]>> records, long now) {
    if (lane.queue.isEmpty()) {
      lane.windowStart = now;
    }
    lane.queue.add(records);
  }

  private int laneOf(ConsumerRecord<byte[], byte[]> r) {
    int hash = r.key() == null ? Long.hashCode(r.offset()) : Arrays.hashCode(r.key());
    return Math.floorMod(hash, lanes.length);
  }

  /** Counts {@code records} done: completed, filtered out or skipped to OnFailure. */
  void done(List<ConsumerRecord<byte[], byte[]>> records) {
    buffered -= records.size();
  }

  /** A mark for a commit sent now: {@link #accepted} ignores its answer after a reset. */
  int commitMark() {
    return resets;
  }

  /**
   * Takes in {@code offset}, which the broker accepted for a commit sent at {@code mark}; returns
   * whether it moved the committed offset. An answer older than a reset does not: it would put the
   * committed offset back past the records read again, and nothing would be committed until the
   * partition read past it once more.
   */
  boolean accepted(long offset, int mark) {
    if (mark != resets || offset <= committed) {
      return false;
    }
    committed = offset;
    return true;
  }

  /** The offset to commit: every record below it is done. */
  long commitPoint() {
    long point = nextOffset;
    for (Lane lane : lanes) {
      point = Math.min(point, lane.firstUndone(point));
    }
    return point;
  }

  /** Records fetched and not done yet: the partition is paused while there are too many. */
  int buffered() {
    return buffered;
  }

  /** The JSON bounds of the records waiting in the lanes' queues: a measure of their memory. */
  long queuedBounds() {
    long sum = 0;
    for (Lane lane : lanes) {
      sum += lane.queue.bounds();
    }
    return sum;
  }

  /**
   * Whether the partition should stop fetching: {@code recordLimit} records not done yet, or two
   * full batches (2 × 6 MB) waiting per lane, or anything waiting while the whole mapping is over
   * its memory budget. A count alone would let a topic of 1 MB records hold gigabytes.
   */
  boolean full(int recordLimit, boolean mappingOverBudget) {
    long queued = queuedBounds();
    return buffered >= recordLimit
        || queued >= 2 * BatchFlow.MAX_PAYLOAD_BYTES * lanes.length
        || (mappingOverBudget && queued > 0);
  }

  /** The offset after the last record fetched. */
  long fetchedEnd() {
    return nextOffset;
  }

  /**
   * Tells the counters how far behind the partition is: the records from the commit point to the
   * log's end {@code logEnd} (-1: not known now), and the timestamp of the oldest record not done.
   * With none fetched and not done but the log not read to its end, that is the newest record
   * fetched: the ones after it are newer still.
   */
  void reportProgress(long logEnd) {
    // the largest end known: a partition just resumed has the consumer's figure from before its
    // pause until its next fetch comes back, and would read as caught up meanwhile
    knownEnd = Math.max(knownEnd, logEnd);
    long lag = knownEnd < 0 ? -1 : Math.max(0, knownEnd - commitPoint());
    long oldest = -1;
    for (Lane lane : lanes) {
      ConsumerRecord<byte[], byte[]> r = lane.firstUndoneRecord();
      if (r != null && r.timestamp() >= 0 && (oldest < 0 || r.timestamp() < oldest)) {
        oldest = r.timestamp();
      }
    }
    if (oldest < 0 && lag > 0) {
      oldest = newestFetchedMillis;
    }
    stats.behind(lag, oldest);
  }

  /** When the oldest batch still failing in any lane first failed, or -1 when none is failing. */
  long oldestFailing() {
    long oldest = -1;
    for (Lane l : lanes) {
      if (l.failingSince >= 0 && (oldest < 0 || l.failingSince < oldest)) {
        oldest = l.failingSince;
      }
    }
    return oldest;
  }

  /** One lane: its queued records, the batch in flight, and what runs after a delay. */
  static final class Lane {
    final LaneQueue queue = new LaneQueue();
    final ArrayDeque<KafkaBatch> retries = new ArrayDeque<>();

    /**
     * The batch this lane is carrying to an outcome (invoking, waiting to retry, sending to
     * OnFailure), or null; the halves of a bisected batch wait in {@link #retries} instead.
     */
    KafkaBatch owned;

    long windowStart;
    boolean busy;
    Runnable resume;
    long notBefore;

    /** Calls refused in a row (throttled, function gone): their backoff grows. */
    int throttles;

    /** The request id of the lane's last call that reached the function: OnFailure names it. */
    String lastRequestId;

    /** When the batch the lane carries first failed; -1 while none is failing. */
    long failingSince = -1;

    /** The lane's lowest offset not done yet, or {@code none} when every record is done. */
    long firstUndone(long none) {
      if (owned != null) {
        return owned.first().offset();
      }
      if (!retries.isEmpty()) {
        return retries.peek().first().offset();
      }
      return queue.isEmpty() ? none : queue.firstOffset();
    }

    /** The lane's first record not done yet, or null when every record is done. */
    ConsumerRecord<byte[], byte[]> firstUndoneRecord() {
      if (owned != null) {
        return owned.first();
      }
      if (!retries.isEmpty()) {
        return retries.peek().first();
      }
      return queue.isEmpty() ? null : queue.first();
    }
  }
}
