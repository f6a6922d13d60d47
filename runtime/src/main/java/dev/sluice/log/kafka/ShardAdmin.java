package dev.sluice.log.kafka;

import dev.sluice.log.LogException;
import dev.sluice.log.ShardOffsets;
import dev.sluice.log.ShardRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Shard lifecycle on Kafka, run on the engine's admin thread (and at start): finding existing
 * partitions, creating topics and partitions, trimming and deleting.
 */
final class ShardAdmin {

  private final TopicAdmin admin;
  private final TopicLayout layout;
  private final ConcurrentHashMap<ShardRef, ShardState> states;

  ShardAdmin(TopicAdmin admin, TopicLayout layout, ConcurrentHashMap<ShardRef, ShardState> states) {
    this.admin = admin;
    this.layout = layout;
    this.states = states;
  }

  /**
   * Loads every partition of this engine's topics, except those whose records were all deleted
   * (shards deleted while their stream lived on: Kafka cannot drop a partition).
   */
  void load() {
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : admin.topics()) {
      if (layout.owns(topic)) {
        Integer count = admin.describe(topic);
        for (int p = 0; count != null && p < count; p++) {
          partitions.add(new TopicPartition(topic, p));
        }
      }
    }
    Offsets offsets = offsets(partitions);
    for (TopicPartition tp : partitions) {
      ShardOffsets o = offsets.of(tp);
      if (o.startOffset() == o.endOffset() && o.endOffset() > 0) {
        continue;
      }
      ShardRef ref = TopicLayout.shard(layout.stream(tp.topic()), tp.partition());
      states.put(ref, state(ref, tp, o));
    }
  }

  /**
   * Creates the shard's topic or partition unless it exists, and loads its offsets. A partition
   * that exists already (another node created it, and may have appended to it) is attached to.
   */
  void create(ShardRef ref) {
    if (states.containsKey(ref)) {
      return;
    }
    TopicPartition tp = layout.partition(ref);
    long deadline = System.nanoTime() + ATTACH_NANOS;
    while (true) {
      int before = admin.ensurePartitions(tp.topic(), tp.partition() + 1);
      if (tp.partition() >= before) {
        // a partition created just now is empty, and brokers may not know it yet: no need to ask
        states.put(ref, state(ref, tp, new ShardOffsets(0, 0, -1, false)));
        return;
      }
      Offsets o = attachable(tp);
      if (o != null) {
        states.put(ref, state(ref, tp, o.of(tp)));
        return;
      }
      // described on its way out (a stream deleted through another node and made again through
      // this one): set the topic up afresh
      admin.forgetTopic(tp.topic());
      if (System.nanoTime() > deadline) {
        throw new LogException("topic " + tp.topic() + " kept vanishing while it was attached");
      }
      TopicAdmin.pause();
    }
  }

  /** How long attaching to an existing partition may take, retries included. */
  private static final long ATTACH_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(30);

  /** How long one offsets request of an attach waits for a partition the broker does not know. */
  private static final int ATTACH_CALL_MILLIS = 5_000;

  /** The partition's offsets, or null when its topic turned out to be gone. */
  private Offsets attachable(TopicPartition tp) {
    List<TopicPartition> one = List.of(tp);
    var start = admin.offsetsIfThere(one, OffsetSpec.earliest(), ATTACH_CALL_MILLIS);
    var end =
        start == null ? null : admin.offsetsIfThere(one, OffsetSpec.latest(), ATTACH_CALL_MILLIS);
    var newest =
        end == null
            ? null
            : admin.offsetsIfThere(one, OffsetSpec.maxTimestamp(), ATTACH_CALL_MILLIS);
    return newest == null ? null : new Offsets(start, end, newest);
  }

  /** Deletes the records that arrived before the cutoff; returns the new start offset. */
  long trim(ShardState shard, long cutoffMillis) {
    TopicPartition tp = shard.partition;
    ShardOffsets o = shard.offsets();
    long target =
        admin.offsets(List.of(tp), OffsetSpec.forTimestamp(cutoffMillis)).get(tp).offset();
    if (target < 0) {
      target = o.endOffset(); // nothing arrived at or after the cutoff
    }
    if (target > o.startOffset()) {
      shard.trimmed(admin.deleteRecords(tp, target));
    }
    return shard.offsets().startOffset();
  }

  /**
   * Forgets the shard without touching its topic. With the stream's last shard, the topic's
   * partition count is forgotten too: another node deletes the topic, and a stream created again
   * under the name must create it again, not trust the count.
   */
  void forget(ShardState shard) {
    states.remove(shard.ref, shard);
    shard.markDeleted();
    if (states.keySet().stream().noneMatch(r -> r.stream().equals(shard.ref.stream()))) {
      admin.forgetTopic(shard.partition.topic());
    }
  }

  /**
   * Deletes the shard's topic when it was the stream's last, else its records, then forgets it.
   * Appends are refused from the start. A deletion that fails leaves the shard known, so that the
   * stream's deletion can run again; forgotten first, the shard was skipped then and its topic or
   * records stayed, for a stream created again under the name to read. Another node sharing the
   * topics may have deleted them already: that is not an error.
   */
  void delete(ShardState shard) {
    shard.markDeleted();
    String stream = shard.ref.stream();
    boolean last =
        states.keySet().stream().noneMatch(r -> r.stream().equals(stream) && !r.equals(shard.ref));
    String topic = shard.partition.topic();
    if (last) {
      admin.deleteTopic(topic);
    } else if (admin.describe(topic) != null) {
      deleteAllRecords(shard);
    }
    forget(shard);
  }

  /**
   * Deletes the shard's records, not its topic (the stream's other shards are in it), then forgets
   * it; as {@link #delete}, a deletion that fails leaves the shard known.
   */
  void deleteRecords(ShardState shard) {
    shard.markDeleted();
    if (admin.describe(shard.partition.topic()) != null) {
      deleteAllRecords(shard);
    }
    forget(shard);
  }

  /**
   * Deletes every record of the shard's partition up to the broker's end, which can be past the end
   * this node knows: other nodes' late appends to a closed shard, or an append reported failed that
   * the broker kept.
   */
  private void deleteAllRecords(ShardState shard) {
    TopicPartition tp = shard.partition;
    var latest = admin.offsetsIfThere(List.of(tp), OffsetSpec.latest(), ATTACH_CALL_MILLIS);
    if (latest == null) {
      return; // deleted meanwhile, by another node
    }
    long end = Math.max(shard.offsets().endOffset(), latest.get(tp).offset());
    if (end > shard.offsets().startOffset()) {
      try {
        admin.deleteRecords(tp, end);
      } catch (UnknownTopicOrPartitionException e) {
        // deleted meanwhile, by another node
      }
    }
  }

  private static ShardState state(ShardRef ref, TopicPartition tp, ShardOffsets o) {
    return new ShardState(ref, tp, o.startOffset(), o.endOffset(), o.lastArrivalMillis());
  }

  private Offsets offsets(List<TopicPartition> partitions) {
    return new Offsets(
        admin.offsets(partitions, OffsetSpec.earliest()),
        admin.offsets(partitions, OffsetSpec.latest()),
        admin.offsets(partitions, OffsetSpec.maxTimestamp()));
  }

  /** Start, end and newest timestamp of a set of partitions. */
  private record Offsets(
      Map<TopicPartition, ListOffsetsResultInfo> start,
      Map<TopicPartition, ListOffsetsResultInfo> end,
      Map<TopicPartition, ListOffsetsResultInfo> newest) {

    ShardOffsets of(TopicPartition tp) {
      long s = start.get(tp).offset();
      long e = end.get(tp).offset();
      ListOffsetsResultInfo n = newest.get(tp);
      long arrival = e > s && n != null && n.offset() >= 0 ? n.timestamp() : -1;
      return new ShardOffsets(s, e, arrival, false);
    }
  }
}
