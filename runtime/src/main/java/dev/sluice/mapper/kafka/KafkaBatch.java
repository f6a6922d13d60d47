package dev.sluice.mapper.kafka;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Records of one partition lane, handed to one invocation.
 *
 * @param records the records, in offset order
 * @param attempt how many times this batch (or the batch it was cut from) was retried
 * @param filtered whether the records already passed the filter criteria
 */
record KafkaBatch(List<ConsumerRecord<byte[], byte[]>> records, int attempt, boolean filtered) {

  KafkaBatch {
    records = List.copyOf(records);
  }

  KafkaBatch retry() {
    return new KafkaBatch(records, attempt + 1, true);
  }

  KafkaBatch from(int index, int nextAttempt) {
    return new KafkaBatch(records.subList(index, records.size()), nextAttempt, true);
  }

  ConsumerRecord<byte[], byte[]> first() {
    return records.get(0);
  }

  ConsumerRecord<byte[], byte[]> last() {
    return records.get(records.size() - 1);
  }
}
