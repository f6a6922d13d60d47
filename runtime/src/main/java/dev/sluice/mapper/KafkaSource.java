package dev.sluice.mapper;

import java.util.List;

/**
 * Where a SelfManagedKafka mapping reads: Lambda's SelfManagedEventSource, Topics,
 * SelfManagedKafkaEventSourceConfig and SourceAccessConfigurations. In a request, null members are
 * not given; an update may give only {@code sourceAccess}.
 *
 * @param bootstrapServers host:port of the brokers
 * @param topic the one topic
 * @param consumerGroupId the consumer group (defaults to the mapping's UUID)
 * @param sourceAccess authentication settings, possibly empty
 * @param windowGiven whether MaximumBatchingWindowInSeconds was ever given: without it Lambda
 *     batches Kafka records for 500 ms, with it for that many seconds, 0 meaning not at all
 */
public record KafkaSource(
    List<String> bootstrapServers,
    String topic,
    String consumerGroupId,
    List<Access> sourceAccess,
    boolean windowGiven) {

  /** A source whose batching window was not given. */
  public KafkaSource(
      List<String> bootstrapServers, String topic, String consumerGroupId, List<Access> access) {
    this(bootstrapServers, topic, consumerGroupId, access, false);
  }

  /**
   * One SourceAccessConfigurations entry.
   *
   * @param type e.g. SASL_SCRAM_512_AUTH
   * @param uri the secret it names ({@code file://} for Sluice)
   */
  public record Access(String type, String uri) {}

  /** This source with other access settings. */
  public KafkaSource withAccess(List<Access> access) {
    return new KafkaSource(bootstrapServers, topic, consumerGroupId, access, windowGiven);
  }

  /** This source, its batching window given when {@code given} or before. */
  public KafkaSource withWindowGiven(boolean given) {
    return new KafkaSource(
        bootstrapServers, topic, consumerGroupId, sourceAccess, windowGiven || given);
  }

  /**
   * How long to gather records before invoking, from the mapping's MaximumBatchingWindowInSeconds.
   */
  public long windowMillis(int maxBatchingWindowSeconds) {
    return windowGiven ? maxBatchingWindowSeconds * 1000L : 500;
  }
}
