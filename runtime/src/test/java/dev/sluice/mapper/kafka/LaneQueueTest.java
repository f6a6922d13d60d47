package dev.sluice.mapper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class LaneQueueTest {

  private long nextOffset;

  @Test
  void take_acrossChunks_returnsRecordsInOrderUpToMax() {
    LaneQueue q = new LaneQueue();
    q.add(records(3, 10));
    q.add(records(4, 10));

    LaneQueue.Taken first = q.take(5, Long.MAX_VALUE);
    LaneQueue.Taken rest = q.take(5, Long.MAX_VALUE);

    assertThat(offsets(first.records())).containsExactly(0L, 1L, 2L, 3L, 4L);
    assertThat(offsets(rest.records())).containsExactly(5L, 6L);
    assertThat(q.isEmpty()).isTrue();
    assertThat(q.bounds()).isZero();
  }

  @Test
  void take_boundsLimit_stopsAtTheLastRecordThatFits() {
    LaneQueue q = new LaneQueue();
    List<ConsumerRecord<byte[], byte[]>> all = records(6, 100);
    q.add(all);
    long each = KafkaBatches.jsonBound(all.get(0));

    LaneQueue.Taken taken = q.take(10, each * 3 + each / 2);

    assertThat(offsets(taken.records())).containsExactly(0L, 1L, 2L);
    assertThat(taken.bounds()).isEqualTo(each * 3);
    assertThat(q.size()).isEqualTo(3);
    assertThat(q.bounds()).isEqualTo(each * 3);
  }

  @Test
  void take_recordLargerThanTheLimit_isTakenAlone() {
    LaneQueue q = new LaneQueue();
    q.add(records(2, 5000));

    LaneQueue.Taken taken = q.take(10, 100);

    assertThat(offsets(taken.records())).containsExactly(0L);
    assertThat(q.size()).isEqualTo(1);
  }

  @Test
  void take_randomChunksAndLimits_matchesAOneByOneQueue() {
    Random random = new Random(20261126);
    LaneQueue q = new LaneQueue();
    List<ConsumerRecord<byte[], byte[]>> expected = new ArrayList<>();
    for (int round = 0; round < 500; round++) {
      if (random.nextBoolean()) {
        List<ConsumerRecord<byte[], byte[]>> chunk = new ArrayList<>();
        for (int i = random.nextInt(6); i > 0; i--) {
          chunk.addAll(records(1, random.nextInt(2000)));
        }
        q.add(chunk);
        expected.addAll(chunk);
      } else if (!q.isEmpty()) {
        int max = 1 + random.nextInt(8);
        long room = random.nextInt(8000);
        List<ConsumerRecord<byte[], byte[]>> want = oneByOne(expected, max, room);
        LaneQueue.Taken taken = q.take(max, room);
        assertThat(taken.records()).containsExactlyElementsOf(want);
        assertThat(taken.bounds()).isEqualTo(KafkaBatches.jsonBounds(want));
      }
      assertThat(q.size()).isEqualTo(expected.size());
      assertThat(q.bounds()).isEqualTo(KafkaBatches.jsonBounds(expected));
    }
  }

  /** What taking record by record gives: at least one, then while max and room allow. */
  private static List<ConsumerRecord<byte[], byte[]>> oneByOne(
      List<ConsumerRecord<byte[], byte[]>> queue, int max, long room) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    long used = 0;
    while (!queue.isEmpty() && out.size() < max) {
      long cost = KafkaBatches.jsonBound(queue.get(0));
      if (!out.isEmpty() && used + cost > room) {
        break;
      }
      used += cost;
      out.add(queue.remove(0));
    }
    return out;
  }

  private List<ConsumerRecord<byte[], byte[]>> records(int n, int valueBytes) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new ConsumerRecord<>("t", 0, nextOffset++, new byte[] {1}, new byte[valueBytes]));
    }
    return out;
  }

  private static List<Long> offsets(List<ConsumerRecord<byte[], byte[]>> records) {
    return records.stream().map(ConsumerRecord::offset).toList();
  }
}
