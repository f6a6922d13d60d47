package dev.sluice.mapper.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class PartitionWorkTest {

  private static final TopicPartition TP = new TopicPartition("orders", 3);

  @Test
  void commitPoint_lanesFinishingOutOfOrder_staysAtTheLowestUndoneOffset() {
    PartitionWork w = new PartitionWork(TP, 2, 100, -1);
    w.add(records(100, 10), 0, null);
    PartitionWork.Lane[] lanes = w.lanes;
    KafkaBatch a = take(lanes[0]);
    KafkaBatch b = take(lanes[1]);
    long lowest = Math.min(a.first().offset(), b.first().offset());
    KafkaBatch later = a.first().offset() == lowest ? b : a;
    KafkaBatch earlier = later == a ? b : a;

    assertThat(w.commitPoint()).isEqualTo(100);
    finish(w, lanes, later);
    assertThat(w.commitPoint()).isEqualTo(lowest);
    finish(w, lanes, earlier);

    assertThat(w.commitPoint()).isEqualTo(110);
    assertThat(w.buffered()).isZero();
  }

  @Test
  void add_filterThrowsMidPoll_commitPointStaysAtTheFirstRecord() {
    PartitionWork w = new PartitionWork(TP, 1, 0, -1);

    assertThatThrownBy(
            () ->
                w.add(
                    records(0, 3),
                    0,
                    r -> {
                      if (r.offset() == 1) {
                        throw new IllegalStateException("a filter that fails");
                      }
                      return true;
                    }))
        .isInstanceOf(IllegalStateException.class);

    // the consumer starts again from the commit point: past these records, they were lost
    assertThat(w.commitPoint()).isZero();
    assertThat(w.buffered()).isZero();
  }

  @Test
  void commitPoint_bisectedHalvesAndQueuedRecords_holdAtTheFirstHalf() {
    PartitionWork w = new PartitionWork(TP, 1, 0, -1);
    w.add(records(0, 6), 0, null);
    PartitionWork.Lane lane = w.lanes[0];
    KafkaBatch batch = new KafkaBatch(lane.queue.take(4, Long.MAX_VALUE).records(), 0);
    lane.retries.addFirst(new KafkaBatch(batch.records().subList(2, 4), 0));
    lane.retries.addFirst(new KafkaBatch(batch.records().subList(0, 2), 0));

    assertThat(w.commitPoint()).isZero();
    KafkaBatch first = lane.retries.poll();
    lane.owned = first;
    w.done(first.records());
    lane.owned = null;

    assertThat(w.commitPoint()).isEqualTo(2);
    assertThat(w.buffered()).isEqualTo(4);
  }

  @Test
  void commitPoint_consumerResetBelowAStoredOffsetPastTheEnd_followsTheRecordsDone() {
    PartitionWork w = new PartitionWork(TP, 2, 500, 500); // stored 500; the log ends at 5 now
    w.add(records(0, 5), 0, null); // the consumer reset to the earliest offset
    PartitionWork.Lane[] lanes = w.lanes;
    for (PartitionWork.Lane lane : lanes) {
      if (!lane.queue.isEmpty()) {
        finish(w, lanes, take(lane));
      }
    }

    assertThat(w.commitPoint()).isEqualTo(5);
    assertThat(w.commitPoint()).as("worth committing").isGreaterThan(w.committed);
  }

  @Test
  void accepted_answerToACommitSentBeforeAReset_leavesCommittedAlone() {
    PartitionWork w = new PartitionWork(TP, 1, 500, 400);
    w.add(records(500, 5), 0, null);
    finish(w, w.lanes, take(w.lanes[0]));
    int mark = w.commitMark(); // a commit of 505 goes out
    w.add(records(0, 5), 0, null); // meanwhile the consumer reset to the earliest offset

    assertThat(w.accepted(505, mark)).isFalse();
    assertThat(w.committed).isEqualTo(-1);
    finish(w, w.lanes, take(w.lanes[0]));
    assertThat(w.commitPoint()).as("worth committing").isGreaterThan(w.committed);
    assertThat(w.accepted(5, w.commitMark())).isTrue();
    assertThat(w.committed).isEqualTo(5);
  }

  @Test
  void commitPoint_nothingFetched_isThePosition() {
    PartitionWork w = new PartitionWork(TP, 3, 42, 40);

    assertThat(w.commitPoint()).isEqualTo(42);
  }

  @Test
  void full_fewButLargeRecordsQueued_fullByTheirBytesPerLane() {
    PartitionWork one = new PartitionWork(TP, 1, 0, -1);
    PartitionWork two = new PartitionWork(TP, 2, 0, -1);
    List<ConsumerRecord<byte[], byte[]>> large = records(0, 12, 1024 * 1024);

    one.add(large, 0, null);
    two.add(large, 0, null);

    assertThat(one.full(10_000, false)).as("12 MB for one lane").isTrue();
    assertThat(two.full(10_000, false)).as("12 MB spread over two lanes").isFalse();
    assertThat(two.full(12, false)).as("by count").isTrue();
  }

  @Test
  void full_mappingOverItsBudget_onlyPartitionsWithRecordsQueued() {
    PartitionWork busy = new PartitionWork(TP, 1, 0, -1);
    PartitionWork idle = new PartitionWork(new TopicPartition("orders", 4), 1, 0, -1);
    busy.add(records(0, 1), 0, null);

    assertThat(busy.full(10_000, true)).isTrue();
    assertThat(idle.full(10_000, true)).isFalse();
    assertThat(busy.full(10_000, false)).isFalse();
  }

  @Test
  void add_recordsTheFilterDrops_neverQueuedAndDoneOnceTheRecordsBeforeThemAre() {
    PartitionWork w = new PartitionWork(TP, 1, 0, -1);
    PartitionWork.Lane lane = w.lanes[0];

    w.add(records(0, 6), 0, r -> r.offset() % 3 == 0); // keeps 0 and 3

    assertThat(lane.queue.size()).as("dropped before batching").isEqualTo(2);
    assertThat(w.buffered()).isEqualTo(2);
    assertThat(w.commitPoint()).isZero();
    KafkaBatch both = take(lane);
    assertThat(both.records()).extracting(ConsumerRecord::offset).containsExactly(0L, 3L);
    finish(w, w.lanes, both);
    assertThat(w.commitPoint()).isEqualTo(6);
    w.add(records(6, 2), 0, r -> false);
    assertThat(w.commitPoint()).as("a poll the filter drops entirely").isEqualTo(8);
  }

  private static KafkaBatch take(PartitionWork.Lane lane) {
    LaneQueue.Taken t = lane.queue.take(100, Long.MAX_VALUE);
    KafkaBatch batch = new KafkaBatch(t.records(), 0, t.bounds());
    lane.owned = batch;
    return batch;
  }

  private static void finish(PartitionWork w, PartitionWork.Lane[] lanes, KafkaBatch batch) {
    for (PartitionWork.Lane lane : lanes) {
      if (lane.owned == batch) {
        lane.owned = null;
      }
    }
    w.done(batch.records());
  }

  private static List<ConsumerRecord<byte[], byte[]>> records(long from, int n) {
    return records(from, n, 1);
  }

  private static List<ConsumerRecord<byte[], byte[]>> records(long from, int n, int valueBytes) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] key = ("order-" + i).getBytes(StandardCharsets.UTF_8);
      out.add(
          new ConsumerRecord<>(TP.topic(), TP.partition(), from + i, key, new byte[valueBytes]));
    }
    return out;
  }
}
