package dev.sluice.bench.kafka;

import dev.sluice.mapper.kafka.FetchSettings;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The baseline: what one plain kafka-clients consumer achieves on the same topic. It is set up the
 * way a Sluice mapping's consumer is (one {@link KafkaConsumer} for all partitions, a fresh group,
 * from the earliest offset, the same fetch settings ({@link FetchSettings#of}), no auto-commit); it
 * only counts the records and their bytes. It commits either as the mapping does (asynchronously,
 * one commit in flight, at most every 10 ms) or synchronously after every poll, the loop of
 * KafkaConsumer's javadoc, which waits a broker round trip per poll.
 */
final class RawConsumer {

  /** The mapping's commit interval (KafkaRunner): at most one asynchronous commit per 10 ms. */
  static final long COMMIT_INTERVAL_NANOS = 10_000_000;

  private RawConsumer() {}

  /**
   * Reads {@code expected} records of {@code topic} from the start; seconds it took.
   *
   * @param asyncCommits commit as the mapping does rather than with a commitSync per poll
   */
  static double read(
      String bootstrap,
      String topic,
      String group,
      long expected,
      int timeout,
      boolean asyncCommits) {
    long t0 = System.nanoTime();
    long lastCommit = t0 - COMMIT_INTERVAL_NANOS;
    int[] inFlight = {0};
    long deadline = t0 + timeout * 1_000_000_000L;
    long count = 0;
    long bytes = 0;
    long first = -1;
    long p95 = -1;
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(
            props(bootstrap, group), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(topic));
      while (count < expected && System.nanoTime() < deadline) {
        ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(200));
        if (records.isEmpty()) {
          continue;
        }
        if (first < 0) {
          first = System.nanoTime();
        }
        for (ConsumerRecord<byte[], byte[]> r : records) {
          bytes += r.serializedValueSize();
          count++;
        }
        if (asyncCommits) {
          long now = System.nanoTime();
          if (inFlight[0] == 0 && now - lastCommit >= COMMIT_INTERVAL_NANOS) {
            inFlight[0]++;
            c.commitAsync((offsets, e) -> inFlight[0]--);
            lastCommit = now;
          }
        } else {
          c.commitSync();
        }
        if (p95 < 0 && count >= expected * 95 / 100) {
          p95 = System.nanoTime();
        }
      }
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    if (count < expected) {
      throw new IllegalStateException(
          "raw consumer read " + count + " of " + expected + " records in " + timeout + " s");
    }
    System.out.printf(
        "  read %,d records (%,d value bytes); the first after %.2f s (group join, first fetch),"
            + " 95 %% after %.2f s%n",
        count, bytes, (first - t0) / 1e9, (p95 - t0) / 1e9);
    return secs;
  }

  private static Properties props(String bootstrap, String group) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("group.id", group);
    p.put("client.id", "raw-" + group);
    p.put("enable.auto.commit", "false");
    p.put("auto.offset.reset", "earliest");
    p.putAll(FetchSettings.of());
    return p;
  }
}
