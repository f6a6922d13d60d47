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
 */
public record KafkaSource(
    List<String> bootstrapServers,
    String topic,
    String consumerGroupId,
    List<Access> sourceAccess) {

  /**
   * One SourceAccessConfigurations entry.
   *
   * @param type e.g. SASL_SCRAM_512_AUTH
   * @param uri the secret it names ({@code file://} for Sluice)
   */
  public record Access(String type, String uri) {}

  /** This source with other access settings. */
  public KafkaSource withAccess(List<Access> access) {
    return new KafkaSource(bootstrapServers, topic, consumerGroupId, access);
  }
}
