package dev.sluice.mapper;

import java.util.List;

/**
 * What a CreateEventSourceMapping or UpdateEventSourceMapping asks for; null members keep their
 * value (or take Lambda's default on create).
 *
 * @param functionName the function name or ARN
 * @param eventSourceArn the stream ARN (create only)
 * @param enabled whether the mapping runs
 * @param batchSize 1–10,000
 * @param maxBatchingWindowSeconds 0–300
 * @param startingPosition TRIM_HORIZON, LATEST or AT_TIMESTAMP (create only)
 * @param startingTimestampMillis for AT_TIMESTAMP
 * @param parallelizationFactor 1–10
 * @param bisectOnError split failing batches
 * @param maxRetryAttempts -1 or 0–10,000
 * @param maxRecordAgeSeconds -1 or 60–604,800
 * @param onFailure destination, or "" to remove it
 * @param functionResponseTypes empty or [ReportBatchItemFailures]
 * @param filterPatterns FilterCriteria patterns
 * @param tumblingWindowSeconds 0–900
 * @param metadataOnlyFailures Lambda's metadata-only failure records
 * @param kafka a SelfManagedKafka source (create), or its new access settings (update), or null
 */
public record MappingRequest(
    String functionName,
    String eventSourceArn,
    Boolean enabled,
    Integer batchSize,
    Integer maxBatchingWindowSeconds,
    String startingPosition,
    Long startingTimestampMillis,
    Integer parallelizationFactor,
    Boolean bisectOnError,
    Integer maxRetryAttempts,
    Integer maxRecordAgeSeconds,
    String onFailure,
    List<String> functionResponseTypes,
    List<String> filterPatterns,
    Integer tumblingWindowSeconds,
    Boolean metadataOnlyFailures,
    KafkaSource kafka) {}
