package dev.sluice.mapper.kafka;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Where a LATEST mapping's partitions without a committed offset start, decided alike by every node
 * of the group. At the mapping's first start (no partition of the topic has an offset in the group)
 * they start at their end; a partition added to the topic later starts at its beginning, as its
 * records all came after the mapping's start.
 *
 * <p>How many partitions the topic had at the first start travels in the metadata of every offset
 * the mapping commits ({@code sluice-first-partitions=N}). Deciding by "does any partition have an
 * offset yet" alone raced: a node in the same first rebalance as another, reading the other's first
 * commits before making its own, took its partitions for added ones and delivered their older
 * records. Offsets committed without the metadata (by another consumer of a named group) leave the
 * count unknown, and partitions without an offset then start at their beginning.
 *
 * <p>Used on the mapping's poll thread only.
 */
final class LatestStart {

  static final String PREFIX = "sluice-first-partitions=";

  /** The topic's partition count at the first start; -1 while unknown. */
  private int partitions = -1;

  /** The metadata to commit offsets with: the count, once known. */
  String metadata() {
    return partitions < 0 ? "" : PREFIX + partitions;
  }

  /**
   * Which of {@code fresh} (assigned partitions without an offset) start at their end, given the
   * offsets committed for all that were assigned, and, asked only when those tell nothing, the
   * group's offsets for every partition of the topic (null for none); learns the count on the way.
   */
  List<TopicPartition> toEnd(
      Map<TopicPartition, OffsetAndMetadata> assigned,
      List<TopicPartition> fresh,
      Supplier<Map<TopicPartition, OffsetAndMetadata>> wholeTopic) {
    if (assigned.isEmpty()) {
      return List.of(); // nothing to decide (more members than partitions): no broker calls
    }
    int known = count(assigned.values());
    if (known < 0 && assigned.values().stream().allMatch(Objects::isNull)) {
      Map<TopicPartition, OffsetAndMetadata> all = wholeTopic.get();
      boolean first = all.values().stream().allMatch(Objects::isNull);
      known = first ? all.size() : count(all.values());
    }
    partitions = known;
    return fresh.stream().filter(tp -> tp.partition() < partitions).toList();
  }

  /** The count some offset's metadata carries, or -1. */
  static int count(Collection<OffsetAndMetadata> offsets) {
    for (OffsetAndMetadata o : offsets) {
      String m = o == null ? null : o.metadata();
      if (m != null && m.startsWith(PREFIX)) {
        try {
          return Integer.parseInt(m.substring(PREFIX.length()));
        } catch (NumberFormatException foreign) {
          // written by something else under our prefix: look at the others
        }
      }
    }
    return -1;
  }
}
