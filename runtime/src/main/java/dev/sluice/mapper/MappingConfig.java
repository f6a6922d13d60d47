package dev.sluice.mapper;

import java.util.List;

/**
 * An event-source mapping as Lambda's EventSourceMappingConfiguration describes it, for a Kinesis
 * stream or (with {@code kafka}) a Kafka topic.
 *
 * @param uuid the mapping's id
 * @param functionName the function it invokes
 * @param stream the stream it reads, or null for a Kafka mapping
 * @param enabled whether it runs
 * @param batchSize most records per invocation (1–10,000)
 * @param maxBatchingWindowSeconds how long to gather records before invoking (0–300)
 * @param startingPosition where it starts
 * @param startingTimestampMillis the AT_TIMESTAMP position, or null
 * @param parallelizationFactor batches of one shard in flight at once (1–10)
 * @param bisectOnError split a failing batch in two and retry the halves
 * @param maxRetryAttempts retries of a failing batch (-1 = until the records expire)
 * @param maxRecordAgeSeconds skip records older than this (-1 = never)
 * @param onFailure destination ARN or {@code file://} directory for skipped batches, or null
 * @param reportBatchItemFailures whether the function reports partial failures
 * @param filterPatterns FilterCriteria patterns (JSON strings), possibly empty
 * @param tumblingWindowSeconds window length, 0 for none
 * @param metadataOnlyFailures send Lambda's metadata-only failure record instead of Sluice's record
 *     with the data
 * @param lastModifiedMillis when it last changed
 * @param kafka the Kafka source of a SelfManagedKafka mapping, else null
 */
public record MappingConfig(
    String uuid,
    String functionName,
    String stream,
    boolean enabled,
    int batchSize,
    int maxBatchingWindowSeconds,
    StartingPosition startingPosition,
    Long startingTimestampMillis,
    int parallelizationFactor,
    boolean bisectOnError,
    int maxRetryAttempts,
    int maxRecordAgeSeconds,
    String onFailure,
    boolean reportBatchItemFailures,
    List<String> filterPatterns,
    int tumblingWindowSeconds,
    boolean metadataOnlyFailures,
    long lastModifiedMillis,
    KafkaSource kafka) {

  /** Copies the patterns. */
  public MappingConfig {
    filterPatterns = List.copyOf(filterPatterns);
  }

  /** This mapping with another starting position (used to rewind it). */
  public MappingConfig withStartingPosition(StartingPosition position, Long timestampMillis) {
    return new MappingConfig(
        uuid,
        functionName,
        stream,
        enabled,
        batchSize,
        maxBatchingWindowSeconds,
        position,
        timestampMillis,
        parallelizationFactor,
        bisectOnError,
        maxRetryAttempts,
        maxRecordAgeSeconds,
        onFailure,
        reportBatchItemFailures,
        filterPatterns,
        tumblingWindowSeconds,
        metadataOnlyFailures,
        lastModifiedMillis,
        kafka);
  }
}
