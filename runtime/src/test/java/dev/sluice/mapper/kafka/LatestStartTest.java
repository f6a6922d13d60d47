package dev.sluice.mapper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class LatestStartTest {

  private static final String T = "orders";

  private static TopicPartition tp(int p) {
    return new TopicPartition(T, p);
  }

  /** Partitions 0..n-1 with the given offsets (null for none), in partition order. */
  private static Map<TopicPartition, OffsetAndMetadata> offsets(OffsetAndMetadata... each) {
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    for (int p = 0; p < each.length; p++) {
      out.put(tp(p), each[p]);
    }
    return out;
  }

  private static OffsetAndMetadata ours(long offset, int partitions) {
    return new OffsetAndMetadata(offset, LatestStart.PREFIX + partitions);
  }

  @Test
  void toEnd_noOffsetInTheWholeGroup_allFreshAtTheEndAndCountCommitted() {
    LatestStart start = new LatestStart();
    Map<TopicPartition, OffsetAndMetadata> assigned = offsets(null, null);

    List<TopicPartition> toEnd =
        start.toEnd(assigned, List.of(tp(0), tp(1)), () -> offsets(null, null, null));

    assertThat(toEnd).containsExactly(tp(0), tp(1));
    assertThat(start.metadata()).isEqualTo(LatestStart.PREFIX + "3");
  }

  @Test
  void toEnd_anotherNodesFirstCommitsSeenFirst_freshPartitionsOfTheFirstStartAtTheEnd() {
    LatestStart start = new LatestStart();
    Map<TopicPartition, OffsetAndMetadata> assigned = new HashMap<>();
    assigned.put(tp(1), null);
    assigned.put(tp(2), null);

    List<TopicPartition> toEnd =
        start.toEnd(assigned, List.of(tp(1), tp(2)), () -> offsets(ours(5, 2), null, null));

    assertThat(toEnd).as("partition 2 came after the first start").containsExactly(tp(1));
    assertThat(start.metadata()).isEqualTo(LatestStart.PREFIX + "2");
  }

  @Test
  void toEnd_assignedOffsetsCarryTheCount_wholeTopicNotAsked() {
    LatestStart start = new LatestStart();
    AtomicInteger asked = new AtomicInteger();
    Map<TopicPartition, OffsetAndMetadata> assigned = offsets(ours(7, 1), null);

    List<TopicPartition> toEnd =
        start.toEnd(
            assigned,
            List.of(tp(1)),
            () -> {
              asked.incrementAndGet();
              return Map.of();
            });

    assertThat(toEnd).isEmpty();
    assertThat(asked).hasValue(0);
    assertThat(start.metadata()).isEqualTo(LatestStart.PREFIX + "1");
  }

  @Test
  void toEnd_offsetsCommittedByAnotherConsumer_countUnknownAndFreshFromTheStart() {
    LatestStart start = new LatestStart();
    Map<TopicPartition, OffsetAndMetadata> assigned = offsets(new OffsetAndMetadata(3), null);

    List<TopicPartition> toEnd = start.toEnd(assigned, List.of(tp(1)), Map::of);

    assertThat(toEnd).isEmpty();
    assertThat(start.metadata()).isEmpty();
  }

  @Test
  void count_metadataUnderThePrefixThatIsNoNumber_skippedForTheNext() {
    assertThat(
            LatestStart.count(
                List.of(
                    new OffsetAndMetadata(1, LatestStart.PREFIX + "x"),
                    new OffsetAndMetadata(1, LatestStart.PREFIX + "4"))))
        .isEqualTo(4);
  }
}
