package dev.sluice.mapper.kafka;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Records of one partition lane, handed to one invocation.
 *
 * @param records the records, in offset order; never changed (the invoking thread may still read
 *     them after the batch is done)
 * @param attempt how many times this batch (or the batch it was cut from) was retried
 * @param bounds the sum of the records' {@link KafkaBatches#jsonBound}s
 */
record KafkaBatch(List<ConsumerRecord<byte[], byte[]>> records, int attempt, long bounds) {

  /** A batch whose bounds are summed here: for the rarer batches cut from others. */
  KafkaBatch(List<ConsumerRecord<byte[], byte[]>> records, int attempt) {
    this(records, attempt, KafkaBatches.jsonBounds(records));
  }

  KafkaBatch retry() {
    return new KafkaBatch(records, attempt + 1, bounds);
  }

  KafkaBatch from(int index, int nextAttempt) {
    return new KafkaBatch(records.subList(index, records.size()), nextAttempt);
  }

  ConsumerRecord<byte[], byte[]> first() {
    return records.get(0);
  }
}
