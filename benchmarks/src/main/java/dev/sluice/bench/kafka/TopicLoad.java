package dev.sluice.bench.kafka;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Creates the benchmark's topic and fills it before anything reads it. */
final class TopicLoad {

  private TopicLoad() {}

  /** Creates {@code topic} with {@code partitions} partitions and one replica. */
  static void create(String bootstrap, String topic, int partitions) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    }
  }

  /**
   * Writes {@code records} keyed records of {@code bytes} random bytes (one value for all, keys
   * spread the records over the partitions); returns how many the broker acknowledged.
   */
  static long preload(String bootstrap, String topic, long records, int bytes)
      throws InterruptedException {
    byte[] value = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(value);
    AtomicLong acked = new AtomicLong();
    AtomicReference<Exception> failure = new AtomicReference<>();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            producerProps(bootstrap), new ByteArraySerializer(), new ByteArraySerializer())) {
      for (long i = 0; i < records && failure.get() == null; i++) {
        byte[] key = Long.toString(i).getBytes();
        producer.send(
            new ProducerRecord<>(topic, key, value),
            (meta, e) -> {
              if (e == null) {
                acked.incrementAndGet();
              } else {
                failure.compareAndSet(null, e);
              }
            });
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("pre-load failed", failure.get());
    }
    return acked.get();
  }

  /** Throughput over latency: big batches, a short linger, no compression. */
  private static Properties producerProps(String bootstrap) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("acks", "1");
    p.put("linger.ms", "20");
    p.put("batch.size", String.valueOf(256 * 1024));
    p.put("buffer.memory", String.valueOf(128L * 1024 * 1024));
    p.put("compression.type", "none");
    p.put("enable.idempotence", "false");
    return p;
  }
}
