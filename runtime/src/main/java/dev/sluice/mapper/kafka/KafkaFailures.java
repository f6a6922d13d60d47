package dev.sluice.mapper.kafka;

import static dev.sluice.mapper.FailureRecords.json;
import static dev.sluice.mapper.FailureRecords.without;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.function.InvocationResult;
import dev.sluice.mapper.FailureRecords;
import dev.sluice.mapper.KafkaNames;
import dev.sluice.mapper.MappingConfig;
import dev.sluice.stream.Arns;
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
  // a topic's sends run here, not on the node's shared blocking pool: a send waits for the
  // topic's metadata (a broker down, a topic that is not there), and that wait must not hold
  // back other mappings' checkpoint saves and failure records
  private java.util.concurrent.ExecutorService topicSends;
  private boolean closed;

  KafkaFailures(MappingConfig config, KafkaDeps deps, KafkaEvents events) {
    this.config = config;
    this.deps = deps;
    this.events = events;
  }

  /** Whether {@code destination} is one a Kafka mapping can deliver to. */
  static boolean accepts(String destination, Arns arns) {
    return FailureRecords.directory(destination) != null
        || KafkaNames.isTopicDestination(destination)
        || arns.streamName(destination) != null;
  }

  /**
   * Why a batch is skipped.
   *
   * @param condition RetryAttemptsExhausted, RecordAgeExceeded or MaximumPayloadSizeExceeded
   * @param failure the function's last error, or null
   * @param invokes approximateInvokeCount: the batch's attempts as MaximumRetryAttempts counts them
   *     (a bisected half goes on from its batch's count)
   */
  record Skip(String condition, InvocationResult.Failure failure, int invokes, String requestId) {}

  /**
   * Some of a batch's messages to a Kafka topic were not sent; those that were must not be sent
   * again.
   *
   * @param unsent the records whose messages were not sent
   */
  static final class PartlySent extends RuntimeException {
    final KafkaBatch unsent;

    PartlySent(KafkaBatch unsent, int of, Throwable cause) {
      super(
          unsent.records().size() + " of " + of + " failure messages were not sent: " + cause,
          cause);
      this.unsent = unsent;
    }
  }

  /** What of {@code tried} is still to send after {@code failure}: all but what was sent. */
  static KafkaBatch unsent(Throwable failure, KafkaBatch tried) {
    Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
    return cause instanceof PartlySent p ? p.unsent : tried;
  }

  /**
   * Sends the failure record of {@code batch}, skipped as {@code why} says, to the OnFailure
   * destination (nothing without one): one record for the batch, or for a Kafka topic, as Lambda
   * does, one message per skipped record with that record's key; when only some of those are sent,
   * the future fails with {@link PartlySent}.
   */
  CompletableFuture<Void> skipped(KafkaBatch batch, Skip why) {
    String destination = config.onFailure();
    if (destination == null) {
      return CompletableFuture.completedFuture(null);
    }
    if (!destination.startsWith("kafka://")) {
      return send(destination, batch, record(batch, why));
    }
    String topic = destination.substring("kafka://".length());
    // KafkaProducer.send waits up to max.block.ms for the topic's metadata (a broker down, a topic
    // not there yet): that wait must not hold the poll thread, which serves every partition
    try {
      return CompletableFuture.supplyAsync(() -> toTopic(topic, batch, why), topicSends())
          .thenCompose(sent -> sent);
    } catch (java.util.concurrent.RejectedExecutionException stopped) {
      return CompletableFuture.failedFuture(stopped);
    }
  }

  private synchronized java.util.concurrent.Executor topicSends() {
    if (topicSends == null) {
      topicSends =
          java.util.concurrent.Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "kafka-esm-onfailure-" + config.uuid());
                t.setDaemon(true);
                return t;
              });
      if (closed) {
        topicSends.shutdown();
      }
    }
    return topicSends;
  }

  private CompletableFuture<Void> toTopic(String topic, KafkaBatch batch, Skip why) {
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    Throwable gaveUp = null;
    for (ConsumerRecord<byte[], byte[]> r : batch.records()) {
      if (gaveUp == null) {
        gaveUp = metadataTimeout(sent);
      }
      if (gaveUp != null) {
        // the topic's metadata did not come within max.block.ms: every further send would wait
        // as long again, so the rest fail now and the batch is retried later as a whole
        sent.add(CompletableFuture.failedFuture(gaveUp));
        continue;
      }
      ObjectNode one = perRecord(new KafkaBatch(List.of(r), batch.attempt()), why);
      sent.add(
          toTopic(topic, r.key(), json(one))
              .exceptionallyCompose(
                  e ->
                      tooLarge(e)
                          ? toTopic(topic, r.key(), without(one, "payload"))
                          : CompletableFuture.failedFuture(e)));
    }
    return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
        .exceptionallyCompose(e -> CompletableFuture.failedFuture(partly(batch, sent)));
  }

  /** The metadata timeout the last send failed with at once, or null. */
  private static Throwable metadataTimeout(List<CompletableFuture<Void>> sent) {
    if (sent.isEmpty() || !sent.get(sent.size() - 1).isCompletedExceptionally()) {
      return null;
    }
    Throwable e = sent.get(sent.size() - 1).handle((v, x) -> x).join();
    Throwable cause = e instanceof CompletionException ? e.getCause() : e;
    return cause instanceof org.apache.kafka.common.errors.TimeoutException ? cause : null;
  }

  private static PartlySent partly(KafkaBatch batch, List<CompletableFuture<Void>> sent) {
    List<ConsumerRecord<byte[], byte[]>> unsent = new ArrayList<>();
    Throwable first = null;
    for (int i = 0; i < sent.size(); i++) {
      if (sent.get(i).isCompletedExceptionally()) {
        unsent.add(batch.records().get(i));
        first = first != null ? first : sent.get(i).handle((v, e) -> e).join();
      }
    }
    return new PartlySent(new KafkaBatch(unsent, batch.attempt()), sent.size(), first);
  }

  /**
   * Lambda's record of a skipped batch: requestContext, responseContext and {@code KafkaBatchInfo}
   * with each partition's first and last offset (as text) and timestamp; unless the mapping asks
   * for the metadata-only format, the error and the batch as the event the function got ({@code
   * payload}).
   */
  private ObjectNode record(KafkaBatch batch, Skip why) {
    ObjectNode payload = events.event(batch.records());
    ObjectNode n = envelope(batch, why, payload);
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
    withError(n, why.failure(), payload, config.metadataOnlyFailures());
    return n;
  }

  /** The message for a Kafka topic destination: one record, which its payload always carries. */
  private ObjectNode perRecord(KafkaBatch one, Skip why) {
    ObjectNode payload = events.event(one.records());
    ObjectNode n = envelope(one, why, payload);
    ObjectNode info = ((ObjectNode) n.get("KafkaBatchInfo")).putObject("recordInfo");
    info.put("offset", String.valueOf(one.first().offset()));
    info.put("timestamp", iso(one.first().timestamp()));
    withError(n, why.failure(), payload, false);
    return n;
  }

  private ObjectNode envelope(KafkaBatch batch, Skip why, ObjectNode payload) {
    ObjectNode n =
        FailureRecords.envelope(
            deps.functions().arn(config.functionName()),
            why.condition(),
            why.invokes(),
            why.requestId(),
            why.failure(),
            deps.clock().millis());
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
    FailureRecords.putError(n, failure);
    n.set("payload", payload);
  }

  private static String iso(long timestampMillis) {
    return Instant.ofEpochMilli(timestampMillis).toString();
  }

  private CompletableFuture<Void> send(String destination, KafkaBatch batch, ObjectNode record) {
    String key = batch.first().topic() + "-" + batch.first().partition();
    if (destination.startsWith("file://")) {
      String name =
          config.uuid()
              + "-"
              + key
              + "-"
              + batch.first().offset()
              + "-"
              + UUID.randomUUID()
              + ".json";
      return FailureRecords.toFile(destination, name, record, deps.blocking());
    }
    return FailureRecords.toStream(
        deps.appender(), deps.arns().streamName(destination), key, record, "payload");
  }

  private static boolean tooLarge(Throwable e) {
    Throwable cause = e instanceof CompletionException ? e.getCause() : e;
    return cause instanceof RecordTooLargeException;
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

  /** Made on first use, on a blocking thread: most mappings never skip a batch. */
  private synchronized KafkaProducer<byte[], byte[]> producer() {
    if (closed) {
      // a send queued before the mapping stopped: a producer made now would never be closed
      throw new IllegalStateException("The mapping " + config.uuid() + " is stopped");
    }
    if (producer == null) {
      var props = KafkaClientProps.of(config.kafka());
      props.put("acks", "all");
      props.put("client.id", "sluice-" + config.uuid() + "-onfailure");
      // a topic that is not there (auto-creation off) fails a send after this, not after 60 s
      props.put("max.block.ms", "10000");
      producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }
    return producer;
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (topicSends != null) {
      topicSends.shutdown();
    }
    if (producer != null) {
      producer.close(java.time.Duration.ofSeconds(5));
    }
  }
}
