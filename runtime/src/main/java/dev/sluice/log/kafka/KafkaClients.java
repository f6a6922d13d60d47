package dev.sluice.log.kafka;

import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Builds the engine's Kafka clients: the connection's settings (bootstrap servers, security) and on
 * top the ones the engine's guarantees depend on.
 */
final class KafkaClients {

  /** Kinesis GetRecords returns at most 10,000 records; one poll may serve them all. */
  private static final int MAX_POLL_RECORDS = 10_000;

  /** How long a producer send may block the writer thread. */
  static final int MAX_BLOCK_MS = 3_000;

  private KafkaClients() {}

  /** The producer's buffer for records not yet sent. */
  static final long PRODUCER_BUFFER_BYTES = 64L << 20;

  static Admin admin(KafkaLogOptions o) {
    return Admin.create(o.connection().clientConfig("sluice-log-admin"));
  }

  static KafkaProducer<byte[], byte[]> producer(KafkaLogOptions o) {
    Map<String, Object> c = o.connection().clientConfig("sluice-log-producer");
    // acknowledged = on every in-sync replica; idempotence keeps per-partition order on retries
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    c.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    // one append should land in one batch (one arrival time): room for a full PutRecords call
    c.put(ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20);
    c.put(ProducerConfig.LINGER_MS_CONFIG, 2);
    c.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 << 20);
    // a send waits this long at most for a partition's metadata (or buffer room) on the writer
    // thread, which every append of the node shares: a topic another node just deleted held it
    // 60 s (the default) for each record
    c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, MAX_BLOCK_MS);
    // set, not left to a client-config file: AppendBudget keeps appends well below it
    c.put(ProducerConfig.BUFFER_MEMORY_CONFIG, PRODUCER_BUFFER_BYTES);
    c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return new KafkaProducer<>(c);
  }

  static KafkaConsumer<byte[], byte[]> consumer(KafkaLogOptions o, String clientId) {
    Map<String, Object> c = o.connection().clientConfig(clientId);
    // assign + seek only: no group, nothing committed
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // a read below a concurrently trimmed start continues at the new start
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // a reader of a deleted stream must not bring its topic back with the broker's defaults
    c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, MAX_POLL_RECORDS);
    c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 10 << 20);
    c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new KafkaConsumer<>(c);
  }
}
