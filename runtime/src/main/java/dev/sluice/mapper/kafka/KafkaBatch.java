package dev.sluice.mapper.kafka;

import dev.sluice.function.InvocationResult;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Records of one partition lane, handed to one invocation.
 *
 * @param records the records, in offset order; never changed (the invoking thread may still read
 *     them after the batch is done)
 * @param attempt how many times this batch (or the batch it was cut from) was retried
 * @param bounds the sum of the records' {@link KafkaBatches#jsonBound}s
 * @param failure the failure of the last call that held these records, which an OnFailure record
 *     names should they be skipped for their age before another call; null before any failed
 */
record KafkaBatch(
    List<ConsumerRecord<byte[], byte[]>> records,
    int attempt,
    long bounds,
    InvocationResult.Failure failure) {

  /** A batch of records not yet failed. */
  KafkaBatch(List<ConsumerRecord<byte[], byte[]>> records, int attempt, long bounds) {
    this(records, attempt, bounds, null);
  }

  /** A batch whose bounds are summed here: for the rarer batches cut from others. */
  KafkaBatch(List<ConsumerRecord<byte[], byte[]>> records, int attempt) {
    this(records, attempt, KafkaBatches.jsonBounds(records), null);
  }

  /** The batch again, after {@code f}. */
  KafkaBatch retry(InvocationResult.Failure f) {
    return new KafkaBatch(records, attempt + 1, bounds, f);
  }

  /** The records from {@code index} on, as of attempt {@code nextAttempt}, after {@code f}. */
  KafkaBatch from(int index, int nextAttempt, InvocationResult.Failure f) {
    List<ConsumerRecord<byte[], byte[]>> rest = records.subList(index, records.size());
    return new KafkaBatch(rest, nextAttempt, KafkaBatches.jsonBounds(rest), f);
  }

  /** The records from {@code index} on, as of attempt {@code nextAttempt}, with this failure. */
  KafkaBatch from(int index, int nextAttempt) {
    return from(index, nextAttempt, failure);
  }

  /** Records {@code from} to {@code to} (exclusive), same attempt, after {@code f}. */
  KafkaBatch part(int from, int to, InvocationResult.Failure f) {
    List<ConsumerRecord<byte[], byte[]>> part = records.subList(from, to);
    return new KafkaBatch(part, attempt, KafkaBatches.jsonBounds(part), f);
  }

  ConsumerRecord<byte[], byte[]> first() {
    return records.get(0);
  }
}
