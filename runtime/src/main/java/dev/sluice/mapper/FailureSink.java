package dev.sluice.mapper;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.function.InvocationResult;
import dev.sluice.log.LogRecord;
import dev.sluice.stream.Arns;
import dev.sluice.stream.Shard;
import dev.sluice.stream.StreamAppender;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Sends the record of a skipped batch to the mapping's OnFailure destination: a Sluice stream (its
 * ARN) or a local directory ({@code file://}). The record has Lambda's metadata (requestContext,
 * responseContext, KinesisBatchInfo) and, unless the mapping asks for Lambda's metadata-only
 * format, the error and the failed records themselves.
 */
final class FailureSink {

  private final StreamAppender appender;
  private final Arns arns;
  private final Executor blocking;
  private final String functionArnPrefix;

  /** Stamps failure records and names their files: the mapper's clock, so tests control it. */
  private final java.time.Clock clock;

  FailureSink(StreamAppender appender, Arns arns, Executor blocking, java.time.Clock clock) {
    this.clock = clock;
    this.appender = appender;
    this.arns = arns;
    this.blocking = blocking;
    this.functionArnPrefix =
        "arn:aws:lambda:" + arns.region() + ":" + arns.accountId() + ":function:";
  }

  /** Whether {@code destination} is one this sink can deliver to. */
  boolean accepts(String destination) {
    return FailureRecords.directory(destination) != null || arns.streamName(destination) != null;
  }

  ObjectNode failureRecord(
      MappingConfig config,
      Shard shard,
      Batch batch,
      String condition,
      InvocationResult.Failure failure,
      int invokes,
      String requestId,
      EventBuilder events) {
    List<LogRecord> records = batch.records();
    ObjectNode n =
        FailureRecords.envelope(
            functionArnPrefix + config.functionName(),
            condition,
            invokes,
            requestId,
            failure,
            clock.millis());
    ObjectNode info = n.putObject("KinesisBatchInfo");
    info.put("shardId", shard.id());
    long generation = events.generation();
    info.put("startSequenceNumber", shard.sequenceNumber(generation, records.get(0).offset()));
    info.put(
        "endSequenceNumber",
        shard.sequenceNumber(generation, records.get(records.size() - 1).offset()));
    info.put("approximateArrivalOfFirstRecord", EventBuilder.iso(records.get(0).arrivalMillis()));
    info.put(
        "approximateArrivalOfLastRecord",
        EventBuilder.iso(records.get(records.size() - 1).arrivalMillis()));
    info.put("batchSize", records.size());
    info.put("streamArn", events.streamArn());
    if (!config.metadataOnlyFailures()) {
      addDetails(n, shard, records, failure, events);
    }
    return n;
  }

  private static void addDetails(
      ObjectNode n,
      Shard shard,
      List<LogRecord> records,
      InvocationResult.Failure failure,
      EventBuilder events) {
    FailureRecords.putError(n, failure);
    ArrayNode out = n.putArray("records");
    records.forEach(r -> out.add(events.record(shard, r)));
  }

  /**
   * Sends {@code record} to the mapping's OnFailure destination. Never throws: a shard processor
   * waits for the future, and an exception thrown at it would leave its lane busy for good.
   */
  CompletableFuture<Void> send(MappingConfig config, Shard shard, ObjectNode record) {
    try {
      return sendTo(config, shard, record);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private CompletableFuture<Void> sendTo(MappingConfig config, Shard shard, ObjectNode record) {
    String destination = config.onFailure();
    if (destination == null) {
      return CompletableFuture.completedFuture(null);
    }
    if (destination.startsWith("file://")) {
      String name =
          config.uuid()
              + "-"
              + shard.id()
              + "-"
              + clock.millis()
              + "-"
              + UUID.randomUUID()
              + ".json";
      return FailureRecords.toFile(destination, name, record, blocking);
    }
    return FailureRecords.toStream(
        appender, arns.streamName(destination), shard.id(), record, "records");
  }
}
