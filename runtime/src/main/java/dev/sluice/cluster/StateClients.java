package dev.sluice.cluster;

import dev.sluice.log.kafka.KafkaConnection;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Kafka clients of the state store: the connection's settings and on top the ones its
 * guarantees depend on.
 */
final class StateClients {

  private StateClients() {}

  static KafkaProducer<byte[], byte[]> producer(KafkaConnection connection) {
    // a function package is one record; the buffer must hold one whole
    return producer(
        connection,
        "sluice-state-writer",
        StateTopic.MAX_RECORD_BYTES,
        2L * StateTopic.MAX_VALUE_BYTES);
  }

  /**
   * A producer whose writes are durable when acknowledged (every in-sync replica, idempotent, sent
   * at once, one request at a time), that gives up within the store's waits, for records up to
   * {@code maxRecordBytes}.
   */
  static KafkaProducer<byte[], byte[]> producer(
      KafkaConnection connection, String clientId, int maxRecordBytes, long bufferBytes) {
    return producer(connection, clientId, maxRecordBytes, bufferBytes, Map.of());
  }

  /** As {@link #producer(KafkaConnection, String, int, long)}, with {@code overrides} on top. */
  static KafkaProducer<byte[], byte[]> producer(
      KafkaConnection connection,
      String clientId,
      int maxRecordBytes,
      long bufferBytes,
      Map<String, Object> overrides) {
    Map<String, Object> c = connection.clientConfig(clientId);
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    c.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    // one request at a time: with several, a first batch refused with NOT_LEADER by a partition
    // made a moment ago can be overtaken by the next one, and is then refused as out of order until
    // it expires (KAFKA-15591; it lost the first lines of the function logs in a test). The state,
    // event and log topics take few, small writes, so this costs them little.
    c.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    // within KafkaStateStore's 30 s wait for a write: a write reported failed has given up by
    // then, rather than landing a minute later behind a caller that undid its side of it
    c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 25_000);
    c.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRecordBytes);
    c.put(ProducerConfig.BUFFER_MEMORY_CONFIG, bufferBytes);
    c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    c.putAll(overrides);
    return new KafkaProducer<>(c);
  }

  static KafkaConsumer<byte[], byte[]> consumer(KafkaConnection connection, String clientId) {
    Map<String, Object> c = connection.clientConfig(clientId);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
    // a poll hands over every record fetched, so that a fetch answer is never spread over polls:
    // the reader's view age counts from the poll before the one that saw the answer's end
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.MAX_VALUE);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new KafkaConsumer<>(c);
  }
}
