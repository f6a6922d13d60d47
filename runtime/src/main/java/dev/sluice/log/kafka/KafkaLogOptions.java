package dev.sluice.log.kafka;

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
 */
public record KafkaLogOptions(
    String bootstrap,
    String topicPrefix,
    int replicationFactor,
    boolean flushEachRecord,
    int writerThreads,
    int readerThreads) {

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
  }

  /** Defaults for a bootstrap address: prefix {@code sluice.}, broker replication, no flushes. */
  public static KafkaLogOptions defaults(String bootstrap) {
    return new KafkaLogOptions(bootstrap, "sluice.", -1, false, 1, 2);
  }

  /** These options with another topic prefix. */
  public KafkaLogOptions withTopicPrefix(String prefix) {
    return new KafkaLogOptions(
        bootstrap, prefix, replicationFactor, flushEachRecord, writerThreads, readerThreads);
  }
}
