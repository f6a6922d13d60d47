package dev.sluice.log.kafka;

import java.time.Duration;

/**
 * Settings of a {@link KafkaLogEngine}.
 *
 * @param bootstrap Kafka bootstrap servers, {@code host:port[,host:port...]}
 * @param topicPrefix prepended to a stream's name to name its topic
 * @param replicationFactor replication factor of created topics; -1 takes the broker's default
 * @param flushEachRecord sets {@code flush.messages=1} on created topics, so the broker fsyncs
 *     every append before acknowledging it (slower; without it durability comes from replication)
 * @param writerThreads threads that hand appends to the producer; shards are spread over them
 * @param readerThreads threads that read, each with a consumer of its own
 * @param refreshInterval how often the end offsets of every held partition are fetched, so that
 *     records other writers (other nodes) appended become readable and wake their consumers
 */
public record KafkaLogOptions(
    String bootstrap,
    String topicPrefix,
    int replicationFactor,
    boolean flushEachRecord,
    int writerThreads,
    int readerThreads,
    Duration refreshInterval) {

  /** How often other writers' appends are looked for unless configured otherwise. */
  public static final Duration DEFAULT_REFRESH = Duration.ofMillis(100);

  /** Validates the settings. */
  public KafkaLogOptions {
    if (bootstrap == null || bootstrap.isBlank()) {
      throw new IllegalArgumentException("Kafka storage needs bootstrap servers");
    }
    if (topicPrefix == null) {
      throw new IllegalArgumentException("topic prefix must not be null");
    }
    if (replicationFactor == 0 || replicationFactor < -1 || replicationFactor > Short.MAX_VALUE) {
      throw new IllegalArgumentException("replication factor must be -1 or positive");
    }
    if (writerThreads < 1 || readerThreads < 1) {
      throw new IllegalArgumentException("thread counts must be positive");
    }
    if (refreshInterval == null || refreshInterval.toMillis() < 1) {
      throw new IllegalArgumentException("refresh interval must be at least 1 ms");
    }
  }

  /** Settings with the default refresh interval. */
  public KafkaLogOptions(
      String bootstrap,
      String topicPrefix,
      int replicationFactor,
      boolean flushEachRecord,
      int writerThreads,
      int readerThreads) {
    this(
        bootstrap,
        topicPrefix,
        replicationFactor,
        flushEachRecord,
        writerThreads,
        readerThreads,
        DEFAULT_REFRESH);
  }

  /** Defaults for a bootstrap address: prefix {@code sluice.}, broker replication, no flushes. */
  public static KafkaLogOptions defaults(String bootstrap) {
    return new KafkaLogOptions(bootstrap, "sluice.", -1, false, 1, 2);
  }

  /** These options with another topic prefix. */
  public KafkaLogOptions withTopicPrefix(String prefix) {
    return new KafkaLogOptions(
        bootstrap,
        prefix,
        replicationFactor,
        flushEachRecord,
        writerThreads,
        readerThreads,
        refreshInterval);
  }
}
