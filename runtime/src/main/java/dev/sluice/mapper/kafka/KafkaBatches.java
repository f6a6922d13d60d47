package dev.sluice.mapper.kafka;

import static dev.sluice.function.classloader.bridge.KafkaLayout.BOOTSTRAP_SERVERS;
import static dev.sluice.function.classloader.bridge.KafkaLayout.HEADER_NAMES;
import static dev.sluice.function.classloader.bridge.KafkaLayout.HEADER_VALUES;
import static dev.sluice.function.classloader.bridge.KafkaLayout.KEYS;
import static dev.sluice.function.classloader.bridge.KafkaLayout.OFFSETS;
import static dev.sluice.function.classloader.bridge.KafkaLayout.PARTITIONS;
import static dev.sluice.function.classloader.bridge.KafkaLayout.SIZE;
import static dev.sluice.function.classloader.bridge.KafkaLayout.TIMESTAMPS;
import static dev.sluice.function.classloader.bridge.KafkaLayout.TIMESTAMP_TYPES;
import static dev.sluice.function.classloader.bridge.KafkaLayout.TOPICS;
import static dev.sluice.function.classloader.bridge.KafkaLayout.VALUES;

import dev.sluice.function.KinesisBatch;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * A batch's Kafka event as objects, with its JSON ({@link KafkaEventBytes}) left to be built only
 * if the function needs it, and a bound on that JSON's length so that the 6 MB limit is still
 * enforced without building it. Nothing per record is done on the poll thread here: the arrays,
 * base64 and the event objects are made on the invoking thread.
 */
final class KafkaBatches {

  private static final String[] NO_NAMES = new String[0];
  private static final byte[][] NO_VALUES = new byte[0][];

  /** {@code {"eventSource":"SelfManagedKafka","bootstrapServers":"","records":{}}} and more. */
  private static final long ENVELOPE = 100;

  /**
   * A record's JSON without its variable parts, with room for a partition-group key before it: the
   * field names, punctuation, 20 digits for each number and the longest timestamp type.
   */
  private static final long RECORD = 240;

  private KafkaBatches() {}

  /** The batch for {@code records}, grouped as {@link KafkaEventBytes#of} groups them. */
  static KinesisBatch of(String bootstrapServers, List<ConsumerRecord<byte[], byte[]>> records) {
    return of(bootstrapServers, records, jsonBounds(records));
  }

  /** The sum of the records' {@link #jsonBound}s. */
  static long jsonBounds(List<ConsumerRecord<byte[], byte[]>> records) {
    long sum = 0;
    for (ConsumerRecord<byte[], byte[]> r : records) {
      sum += jsonBound(r);
    }
    return sum;
  }

  /**
   * The batch for {@code records}, which must not change afterwards, given the sum of their {@link
   * #jsonBound}s: the lane queue already has it, and the poll thread that forms the batch is the
   * one every record passes through. The objects are laid out later, on the invoking thread.
   */
  static KinesisBatch of(
      String bootstrapServers, List<ConsumerRecord<byte[], byte[]>> records, long recordBounds) {
    return KinesisBatch.lazy(
        KinesisBatch.KAFKA_EVENT,
        () -> gather(bootstrapServers, records),
        () -> KafkaEventBytes.of(bootstrapServers, records),
        envelopeBound(bootstrapServers) + recordBounds);
  }

  /** A bound on the event's JSON without its records. */
  static long envelopeBound(String bootstrapServers) {
    return ENVELOPE + 6L * bootstrapServers.length();
  }

  /**
   * A bound on what {@code r} adds to the event's JSON: six bytes a character at most (escapes),
   * the topic twice (in the record and in its partition group's key).
   */
  static long jsonBound(ConsumerRecord<byte[], byte[]> r) {
    long max =
        RECORD
            + 12L * r.topic().length()
            + base64Length(r.serializedKeySize(), r.key())
            + base64Length(r.serializedValueSize(), r.value());
    for (Header h : r.headers().toArray()) { // no iterator made for a record without headers
      max += 10 + 6L * h.key().length() + (h.value() == null ? 0 : 5L * h.value().length);
    }
    return max;
  }

  private static Object[] gather(
      String bootstrapServers, List<ConsumerRecord<byte[], byte[]>> records) {
    int n = records.size();
    String[] topics = new String[n];
    int[] partitions = new int[n];
    long[] offsets = new long[n];
    long[] timestamps = new long[n];
    String[] types = new String[n];
    byte[][] keys = new byte[n][];
    byte[][] values = new byte[n][];
    String[][] headerNames = new String[n][];
    byte[][][] headerValues = new byte[n][][];
    for (int i = 0; i < n; i++) {
      ConsumerRecord<byte[], byte[]> r = records.get(i);
      topics[i] = r.topic();
      partitions[i] = r.partition();
      offsets[i] = r.offset();
      timestamps[i] = r.timestamp();
      types[i] = r.timestampType().name();
      keys[i] = r.key();
      values[i] = r.value();
      headers(r, i, headerNames, headerValues);
    }
    Object[] batch = new Object[SIZE];
    batch[BOOTSTRAP_SERVERS] = bootstrapServers;
    batch[TOPICS] = topics;
    batch[PARTITIONS] = partitions;
    batch[OFFSETS] = offsets;
    batch[TIMESTAMPS] = timestamps;
    batch[TIMESTAMP_TYPES] = types;
    batch[KEYS] = keys;
    batch[VALUES] = values;
    batch[HEADER_NAMES] = headerNames;
    batch[HEADER_VALUES] = headerValues;
    return batch;
  }

  private static void headers(
      ConsumerRecord<byte[], byte[]> r, int i, String[][] names, byte[][][] values) {
    Header[] all = r.headers().toArray();
    if (all.length == 0) {
      names[i] = NO_NAMES;
      values[i] = NO_VALUES;
      return;
    }
    names[i] = new String[all.length];
    values[i] = new byte[all.length][];
    for (int h = 0; h < all.length; h++) {
      names[i][h] = all[h].key();
      values[i][h] = all[h].value();
    }
  }

  /**
   * The base64 length of a key or value. A fetched record's serialized size is its byte array's
   * length (the mapping reads bytes as they are) and is read without touching the array, which the
   * poll thread would otherwise load for every record; records made without sizes (-1) are
   * measured.
   */
  private static long base64Length(int serializedSize, byte[] data) {
    long n = serializedSize >= 0 ? serializedSize : data == null ? 0 : data.length;
    return (n + 2) / 3 * 4;
  }
}
