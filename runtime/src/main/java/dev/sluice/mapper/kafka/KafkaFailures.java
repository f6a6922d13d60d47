package dev.sluice.mapper.kafka;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.files.AtomicFiles;
import dev.sluice.function.InvocationResult;
import dev.sluice.mapper.MappingConfig;
import dev.sluice.stream.Arns;
import dev.sluice.stream.HashKeys;
import dev.sluice.stream.StreamAppender;
import dev.sluice.stream.StreamLimits;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends the record of a skipped Kafka batch to the mapping's OnFailure destination: a Sluice stream
 * (its ARN), a local directory ({@code file://}) or a topic of the mapping's own cluster ({@code
 * kafka://topic}, Lambda's form). The record has Lambda's metadata (requestContext,
 * responseContext, KafkaBatchInfo) and, unless the mapping asks for the metadata-only format, the
 * error and the batch itself as the event the function got ({@code payload}). A Kafka topic gets
 * one message per record instead, always with its payload, keyed as the record was.
 */
final class KafkaFailures implements AutoCloseable {

  private final MappingConfig config;
  private final KafkaDeps deps;
  private final KafkaEvents events;
  private KafkaProducer<byte[], byte[]> producer;

  KafkaFailures(MappingConfig config, KafkaDeps deps, KafkaEvents events) {
    this.config = config;
    this.deps = deps;
    this.events = events;
  }

  /** Whether {@code destination} is one a Kafka mapping can deliver to. */
  static boolean accepts(String destination, Arns arns) {
    return destination.startsWith("file://")
        || (destination.startsWith("kafka://") && destination.length() > "kafka://".length())
        || arns.streamName(destination) != null;
  }

  /**
   * Sends the failure record of {@code batch}, skipped for {@code condition}, to the OnFailure
   * destination (nothing without one): one record for the batch, or for a Kafka topic, as Lambda
   * does, one message per skipped record with that record's key.
   */
  CompletableFuture<Void> skipped(
      KafkaBatch batch, String condition, InvocationResult.Failure failure) {
    String destination = config.onFailure();
    if (destination == null) {
      return CompletableFuture.completedFuture(null);
    }
    if (!destination.startsWith("kafka://")) {
      return send(destination, batch, record(batch, condition, failure));
    }
    String topic = destination.substring("kafka://".length());
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : batch.records()) {
      ObjectNode one =
          perRecord(new KafkaBatch(List.of(r), batch.attempt(), true), condition, failure);
      sent.add(
          toTopic(topic, r.key(), json(one))
              .exceptionallyCompose(
                  e ->
                      tooLarge(e)
                          ? toTopic(topic, r.key(), withoutPayload(one))
                          : CompletableFuture.failedFuture(e)));
    }
    return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
  }

  /**
   * Lambda's record of a skipped batch: requestContext, responseContext and {@code KafkaBatchInfo}
   * with each partition's first and last offset (as text) and timestamp; unless the mapping asks
   * for the metadata-only format, the error and the batch as the event the function got ({@code
   * payload}).
   */
  private ObjectNode record(KafkaBatch batch, String condition, InvocationResult.Failure failure) {
    ObjectNode payload = events.event(batch.records());
    ObjectNode n = envelope(batch, condition, failure, payload);
    ObjectNode ranges = ((ObjectNode) n.get("KafkaBatchInfo")).putObject("recordsInfo");
    for (ConsumerRecord<byte[], byte[]> r : batch.records()) {
      String tp = r.topic() + "-" + r.partition();
      ObjectNode range = (ObjectNode) ranges.get(tp);
      if (range == null) {
        range = ranges.putObject(tp);
        range.put("firstRecordOffset", String.valueOf(r.offset()));
        range.put("firstRecordTimestamp", iso(r.timestamp()));
      }
      range.put("lastRecordOffset", String.valueOf(r.offset()));
      range.put("lastRecordTimestamp", iso(r.timestamp()));
    }
    withError(n, failure, payload, config.metadataOnlyFailures());
    return n;
  }

  /** The message for a Kafka topic destination: one record, which its payload always carries. */
  private ObjectNode perRecord(KafkaBatch one, String condition, InvocationResult.Failure failure) {
    ObjectNode payload = events.event(one.records());
    ObjectNode n = envelope(one, condition, failure, payload);
    ObjectNode info = ((ObjectNode) n.get("KafkaBatchInfo")).putObject("recordInfo");
    info.put("offset", String.valueOf(one.first().offset()));
    info.put("timestamp", iso(one.first().timestamp()));
    withError(n, failure, payload, false);
    return n;
  }

  private ObjectNode envelope(
      KafkaBatch batch, String condition, InvocationResult.Failure failure, ObjectNode payload) {
    ObjectNode n = KafkaEvents.MAPPER.createObjectNode();
    ObjectNode request = n.putObject("requestContext");
    request.put("requestId", UUID.randomUUID().toString());
    request.put("functionArn", deps.functions().arn(config.functionName()));
    request.put("condition", condition);
    request.put("approximateInvokeCount", batch.attempt() + 1);
    ObjectNode response = n.putObject("responseContext");
    response.put("statusCode", 200);
    response.put("executedVersion", "$LATEST");
    response.put("functionError", failure == null ? null : "Unhandled");
    n.put("version", "1.0");
    n.put("timestamp", Instant.ofEpochMilli(deps.clock().millis()).toString());
    ObjectNode info = n.putObject("KafkaBatchInfo");
    info.put("batchSize", batch.records().size());
    info.put("bootstrapServers", String.join(",", config.kafka().bootstrapServers()));
    info.put("payloadSize", json(payload).length);
    return n;
  }

  private static void withError(
      ObjectNode n, InvocationResult.Failure failure, ObjectNode payload, boolean metadataOnly) {
    if (metadataOnly) {
      return;
    }
    if (failure != null) {
      ObjectNode error = n.putObject("error");
      error.put("errorType", failure.errorType());
      error.put("errorMessage", failure.errorMessage());
      ArrayNode frames = error.putArray("stackTrace");
      failure.stackTrace().forEach(frames::add);
    }
    n.set("payload", payload);
  }

  private static String iso(long timestampMillis) {
    return Instant.ofEpochMilli(timestampMillis).toString();
  }

  private static byte[] json(ObjectNode n) {
    return n.toString().getBytes(StandardCharsets.UTF_8);
  }

  private CompletableFuture<Void> send(String destination, KafkaBatch batch, ObjectNode record) {
    String key = batch.first().topic() + "-" + batch.first().partition();
    byte[] whole = json(record);
    if (destination.startsWith("file://")) {
      Path dir = Path.of(URI.create(destination));
      String name =
          config.uuid()
              + "-"
              + key
              + "-"
              + batch.first().offset()
              + "-"
              + UUID.randomUUID()
              + ".json";
      return CompletableFuture.runAsync(
          () -> AtomicFiles.write(dir.resolve(name), whole), deps.blocking());
    }
    boolean fits = whole.length + key.length() <= StreamLimits.MAX_RECORD_BYTES;
    return toStream(
        deps.arns().streamName(destination), key, fits ? whole : withoutPayload(record));
  }

  /**
   * The record without its payload, for a destination whose record limit the whole one exceeds: a
   * stream's 1 MiB, which its readers count on (and over 8 MiB Kafka storage refuses it), or a
   * topic's message size, which the producer or broker enforces. A refused record would be retried
   * forever and hold the partition.
   */
  private static byte[] withoutPayload(ObjectNode record) {
    ObjectNode slim = record.deepCopy();
    slim.remove("payload");
    slim.put("payloadOmitted", true);
    return json(slim);
  }

  private static boolean tooLarge(Throwable e) {
    Throwable cause = e instanceof CompletionException ? e.getCause() : e;
    return cause instanceof RecordTooLargeException;
  }

  private CompletableFuture<Void> toStream(String stream, String key, byte[] bytes) {
    return deps.appender()
        .append(stream, List.of(new StreamAppender.Entry(key, HashKeys.ofPartitionKey(key), bytes)))
        .thenAccept(
            outcomes -> {
              if (!outcomes.get(0).ok()) {
                throw new IllegalStateException(
                    "destination stream refused the record: " + outcomes.get(0).errorMessage());
              }
            });
  }

  /** Sends one message keyed {@code key} (null: the producer spreads them) to {@code topic}. */
  private CompletableFuture<Void> toTopic(String topic, byte[] key, byte[] bytes) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      producer()
          .send(
              new ProducerRecord<>(topic, key, bytes),
              (meta, e) -> {
                if (e != null) {
                  done.completeExceptionally(e);
                } else {
                  done.complete(null);
                }
              });
    } catch (RuntimeException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  /** Made on first use, on the poll thread: most mappings never skip a batch. */
  private synchronized KafkaProducer<byte[], byte[]> producer() {
    if (producer == null) {
      var props = KafkaClientProps.of(config.kafka());
      props.put("acks", "all");
      props.put("client.id", "sluice-" + config.uuid() + "-onfailure");
      producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }
    return producer;
  }

  @Override
  public synchronized void close() {
    if (producer != null) {
      producer.close(java.time.Duration.ofSeconds(5));
    }
  }
}
