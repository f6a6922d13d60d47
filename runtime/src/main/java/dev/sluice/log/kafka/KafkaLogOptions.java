package dev.sluice.log.kafka;

import java.time.Duration;
import java.util.Optional;

/**
 * Settings of a {@link KafkaLogEngine}.
 *
 * @param connection the cluster: bootstrap servers and client properties (security)
 * @param topicPrefix prepended to a stream's name to name its topic
 * @param replicationFactor replication factor of created topics; -1 takes the broker's default
 * @param flushEachRecord sets {@code flush.messages=1} on created topics, so the broker fsyncs
 *     every append before acknowledging it (slower; without it durability comes from replication)
 * @param writerThreads threads that hand appends to the producer; shards are spread over them
 * @param readerThreads threads that read, each with a consumer of its own
 * @param refreshInterval how often the end offsets of every held partition are fetched, so that
 *     records other writers (other nodes) appended become readable and wake their consumers
 * @param sealGrace how long a sealed shard's end still follows the broker, counted from the first
 *     {@link dev.sluice.log.LogEngine#finalEnd} call: other nodes append to the shard until they
 *     learn of the reshard through the shared state, and those records count; half of it bounds how
 *     old a node's view of that state may be when it takes records ({@link WriteFence}). Zero makes
 *     seals final at once, for storage no other node writes to
 */
public record KafkaLogOptions(
    KafkaConnection connection,
    String topicPrefix,
    int replicationFactor,
    boolean flushEachRecord,
    int writerThreads,
    int readerThreads,
    Duration refreshInterval,
    Duration sealGrace) {

  /** How often other writers' appends are looked for unless configured otherwise. */
  public static final Duration DEFAULT_REFRESH = Duration.ofMillis(100);

  /** How long a sealed shard takes other nodes' late appends unless configured otherwise. */
  public static final Duration DEFAULT_SEAL_GRACE = Duration.ofSeconds(5);

  /** Validates the settings. */
  public KafkaLogOptions {
    if (connection == null) {
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
    if (sealGrace == null || sealGrace.isNegative()) {
      throw new IllegalArgumentException("seal grace must not be negative");
    }
  }

  /**
   * Settings for a cluster that needs no client properties, with the default refresh interval and
   * seal grace.
   */
  public KafkaLogOptions(
      String bootstrap,
      String topicPrefix,
      int replicationFactor,
      boolean flushEachRecord,
      int writerThreads,
      int readerThreads) {
    this(
        KafkaConnection.of(bootstrap),
        topicPrefix,
        replicationFactor,
        flushEachRecord,
        writerThreads,
        readerThreads,
        DEFAULT_REFRESH,
        DEFAULT_SEAL_GRACE);
  }

  /** Defaults for a bootstrap address: prefix {@code sluice.}, broker replication, no flushes. */
  public static KafkaLogOptions defaults(String bootstrap) {
    return new KafkaLogOptions(bootstrap, "sluice.", -1, false, 1, 2);
  }

  /** These options with another topic prefix. */
  public KafkaLogOptions withTopicPrefix(String prefix) {
    return new KafkaLogOptions(
        connection,
        prefix,
        replicationFactor,
        flushEachRecord,
        writerThreads,
        readerThreads,
        refreshInterval,
        sealGrace);
  }

  /** The bootstrap servers. */
  public String bootstrap() {
    return connection.bootstrap();
  }

  /** These options with another refresh interval. */
  public KafkaLogOptions withRefreshInterval(Duration interval) {
    return new KafkaLogOptions(
        connection,
        topicPrefix,
        replicationFactor,
        flushEachRecord,
        writerThreads,
        readerThreads,
        interval,
        sealGrace);
  }

  /** These options with another seal grace. */
  public KafkaLogOptions withSealGrace(Duration grace) {
    return new KafkaLogOptions(
        connection,
        topicPrefix,
        replicationFactor,
        flushEachRecord,
        writerThreads,
        readerThreads,
        refreshInterval,
        grace);
  }

  /**
   * The {@code min.insync.replicas} that goes with a replication factor Sluice sets: with three
   * replicas or more, an acknowledged append must be on two, so that losing the leader right after
   * it loses nothing (Kafka's default of one would let a lone leader acknowledge). With fewer, or
   * the broker's default factor, the broker's setting stays.
   */
  public static Optional<Integer> minInsyncReplicas(int replicationFactor) {
    return replicationFactor >= 3 ? Optional.of(2) : Optional.empty();
  }
}
