package dev.sluice.template;

import java.util.List;

/**
 * A function's {@code Type: SelfManagedKafka} event; a deploy makes it a Kafka event-source
 * mapping.
 *
 * @param logicalId the event's key under the function's Events
 * @param bootstrapServers host:port of the brokers
 * @param topics the topic (exactly one)
 * @param consumerGroupId the consumer group, or null
 * @param startingPosition TRIM_HORIZON, LATEST or AT_TIMESTAMP, or null
 * @param startingTimestampMillis StartingPositionTimestamp for AT_TIMESTAMP, or null
 * @param batchSize 1–10,000, or null
 * @param maxBatchingWindowSeconds 0–300, or null
 * @param filterPatterns FilterCriteria patterns, or null
 * @param bisectOnError split failing batches, or null
 * @param maxRetryAttempts -1 or 0–10,000, or null
 * @param maxRecordAgeSeconds -1 or 60–604,800, or null
 * @param functionResponseTypes empty or [ReportBatchItemFailures], or null
 * @param onFailure the failure destination, or null
 * @param sourceAccess authentication and network settings
 * @param parallelizationFactor lanes per partition (Metadata.Sluice, beyond Lambda), or null
 * @param enabled whether the mapping runs
 */
public record KafkaEventSource(
    String logicalId,
    List<String> bootstrapServers,
    List<String> topics,
    String consumerGroupId,
    String startingPosition,
    Long startingTimestampMillis,
    Integer batchSize,
    Integer maxBatchingWindowSeconds,
    List<String> filterPatterns,
    Boolean bisectOnError,
    Integer maxRetryAttempts,
    Integer maxRecordAgeSeconds,
    List<String> functionResponseTypes,
    String onFailure,
    List<SourceAccess> sourceAccess,
    Integer parallelizationFactor,
    Boolean metadataOnlyFailures,
    boolean enabled) {

  /**
   * One SourceAccessConfigurations entry.
   *
   * @param type e.g. SASL_SCRAM_512_AUTH
   * @param uri the secret or subnet it names
   */
  public record SourceAccess(String type, String uri) {}
}
