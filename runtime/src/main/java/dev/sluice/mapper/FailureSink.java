package dev.sluice.mapper;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.files.AtomicFiles;
import dev.sluice.function.InvocationResult;
import dev.sluice.log.LogRecord;
import dev.sluice.stream.Arns;
import dev.sluice.stream.HashKeys;
import dev.sluice.stream.SequenceNumbers;
import dev.sluice.stream.Shard;
import dev.sluice.stream.StreamAppender;
import dev.sluice.stream.StreamLimits;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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

  FailureSink(StreamAppender appender, Arns arns, Executor blocking) {
    this.appender = appender;
    this.arns = arns;
    this.blocking = blocking;
    this.functionArnPrefix =
        "arn:aws:lambda:" + arns.region() + ":" + arns.accountId() + ":function:";
  }

  /** Whether {@code destination} is one this sink can deliver to. */
  boolean accepts(String destination) {
    return destination.startsWith("file://") || arns.streamName(destination) != null;
  }

  ObjectNode failureRecord(
      MappingConfig config,
      Shard shard,
      Batch batch,
      String condition,
      InvocationResult.Failure failure,
      EventBuilder events) {
    List<LogRecord> records = batch.records();
    ObjectNode n = EventBuilder.MAPPER.createObjectNode();
    ObjectNode request = n.putObject("requestContext");
    request.put("requestId", UUID.randomUUID().toString());
    request.put("functionArn", functionArnPrefix + config.functionName());
    request.put("condition", condition);
    request.put("approximateInvokeCount", batch.attempt() + 1);
    ObjectNode response = n.putObject("responseContext");
    response.put("statusCode", 200);
    response.put("executedVersion", "$LATEST");
    response.put("functionError", failure == null ? null : "Unhandled");
    n.put("version", "1.0");
    n.put("timestamp", EventBuilder.iso(System.currentTimeMillis()));
    ObjectNode info = n.putObject("KinesisBatchInfo");
    info.put("shardId", shard.id());
    info.put("startSequenceNumber", SequenceNumbers.of(shard.ordinal(), records.get(0).offset()));
    info.put(
        "endSequenceNumber",
        SequenceNumbers.of(shard.ordinal(), records.get(records.size() - 1).offset()));
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
    if (failure != null) {
      ObjectNode error = n.putObject("error");
      error.put("errorType", failure.errorType());
      error.put("errorMessage", failure.errorMessage());
      ArrayNode frames = error.putArray("stackTrace");
      failure.stackTrace().forEach(frames::add);
    }
    ArrayNode out = n.putArray("records");
    records.forEach(r -> out.add(events.record(shard, r)));
  }

  CompletableFuture<Void> send(MappingConfig config, Shard shard, ObjectNode record) {
    String destination = config.onFailure();
    if (destination == null) {
      return CompletableFuture.completedFuture(null);
    }
    byte[] whole = record.toString().getBytes(StandardCharsets.UTF_8);
    if (destination.startsWith("file://")) {
      Path dir = Path.of(URI.create(destination));
      String name =
          config.uuid()
              + "-"
              + shard.id()
              + "-"
              + System.currentTimeMillis()
              + "-"
              + UUID.randomUUID()
              + ".json";
      return CompletableFuture.runAsync(
          () -> AtomicFiles.write(dir.resolve(name), whole), blocking);
    }
    String stream = arns.streamName(destination);
    byte[] data =
        whole.length + shard.id().length() > StreamLimits.MAX_RECORD_BYTES
            ? withoutRecords(record)
            : whole;
    return appender
        .append(
            stream,
            List.of(
                new StreamAppender.Entry(shard.id(), HashKeys.ofPartitionKey(shard.id()), data)))
        .thenAccept(
            outcomes -> {
              if (!outcomes.get(0).ok()) {
                throw new IllegalStateException(
                    "destination stream refused the record: " + outcomes.get(0).errorMessage());
              }
            });
  }

  /**
   * The record without the batch's records, for a destination stream whose 1 MiB record limit the
   * whole one exceeds: the stream's readers (Kinesis clients, mappings) count on that limit, and on
   * Kafka storage a record over 8 MiB is refused, and would be retried forever, holding the shard.
   */
  private static byte[] withoutRecords(ObjectNode record) {
    ObjectNode slim = record.deepCopy();
    slim.remove("records");
    slim.put("payloadOmitted", true);
    return slim.toString().getBytes(StandardCharsets.UTF_8);
  }
}
