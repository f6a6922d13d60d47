package dev.sluice.mapper.kafka;

import dev.sluice.function.InvocationResult;
import dev.sluice.mapper.PendingOffsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * One assigned partition of a Kafka mapping: its lanes, the offsets fetched but not yet done, and
 * the offset committed to the group. Only the poll thread touches it.
 *
 * <p>With ParallelizationFactor N the partition's records go to N lanes by key hash; each lane runs
 * one batch at a time, so records with the same key are never in flight together and keep their
 * order. Records without a key have no order to keep and spread by offset. The commit point is the
 * lowest offset not yet done in any lane.
 */
final class PartitionWork {

  final TopicPartition tp;
  final String name;
  final Lane[] lanes;

  /** Fetched offsets only grow within one assignment; a boxed tree node per record cost more. */
  private final PendingOffsets pending = new PendingOffsets();

  private long nextOffset;
  long committed;
  boolean paused;

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

  void add(ConsumerRecord<byte[], byte[]> r, long now) {
    pending.add(r.offset());
    Lane lane = lanes[laneOf(r)];
    if (lane.queue.isEmpty()) {
      lane.windowStart = now;
    }
    lane.queue.add(r);
    lane.queuedBytes += KafkaEvents.cost(r);
    nextOffset = Math.max(nextOffset, r.offset() + 1);
  }

  private int laneOf(ConsumerRecord<byte[], byte[]> r) {
    if (lanes.length == 1) {
      return 0; // no key to hash when there is one lane
    }
    int hash = r.key() == null ? Long.hashCode(r.offset()) : Arrays.hashCode(r.key());
    return Math.floorMod(hash, lanes.length);
  }

  void done(List<ConsumerRecord<byte[], byte[]>> records) {
    for (ConsumerRecord<byte[], byte[]> r : records) {
      pending.remove(r.offset());
    }
  }

  /** The offset to commit: every record below it is done. */
  long commitPoint() {
    return pending.isEmpty() ? nextOffset : pending.first();
  }

  int buffered() {
    return pending.size();
  }

  /** One lane: its queued records, the batch in flight, and what runs after a delay. */
  static final class Lane {
    final ArrayDeque<ConsumerRecord<byte[], byte[]>> queue = new ArrayDeque<>();
    final ArrayDeque<KafkaBatch> retries = new ArrayDeque<>();
    long queuedBytes;
    long windowStart;
    boolean busy;
    Runnable resume;
    long notBefore;
    InvocationResult.Failure lastFailure;
  }
}
