package dev.sluice.log.kafka;

import dev.sluice.log.LogException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Blocking topic administration for the engine's control thread: creating topics and partitions,
 * listing offsets, deleting records and topics. Every call waits at most {@link #TIMEOUT_SECONDS}.
 */
final class TopicAdmin {

  private static final long TIMEOUT_SECONDS = 30;
  private static final long RETRY_MILLIS = 100;
  private static final int MAX_MESSAGE_BYTES = 8 << 20;

  private final Admin admin;
  private final KafkaLogOptions options;
  private final Map<String, Integer> partitionCounts = new HashMap<>();

  /** Topics whose settings are known to be the engine's (it created them, or checked them). */
  private final Set<String> configured = new HashSet<>();

  TopicAdmin(Admin admin, KafkaLogOptions options) {
    this.admin = admin;
    this.options = options;
  }

  /**
   * Makes sure the topic exists with at least {@code partitions} partitions; returns how many it
   * had before this call added any (0 when it did not exist), so callers know which ones are new.
   */
  int ensurePartitions(String topic, int partitions) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    while (true) {
      try {
        return ensureOnce(topic, partitions, deadline);
      } catch (UnknownTopicOrPartitionException e) {
        // described while another node's deletion of it was still reaching this broker: the topic
        // went between two calls, so what was learned of it is void
        forgetTopic(topic);
        if (System.nanoTime() > deadline) {
          throw new LogException("topic " + topic + " kept vanishing while it was set up", e);
        }
        pause();
      }
    }
  }

  private int ensureOnce(String topic, int partitions, long deadline) {
    int before = partitionCounts.getOrDefault(topic, 0);
    while (partitionCounts.getOrDefault(topic, 0) < partitions) {
      Integer now = describe(topic);
      before = now == null ? 0 : now;
      if (now == null) {
        create(topic, partitions);
      } else if (now < partitions) {
        grow(topic, partitions);
      } else {
        partitionCounts.put(topic, now);
      }
      if (System.nanoTime() > deadline) {
        throw new LogException("topic " + topic + " did not reach " + partitions + " partitions");
      }
    }
    if (!configured.contains(topic)) {
      configure(topic);
    }
    return before;
  }

  /**
   * Gives a topic this engine did not create the engine's settings: a producer's metadata request
   * may have made the broker create it with its defaults (its own retention, CreateTime, a 1 MB
   * record limit) after the stream was deleted, and a stream created again then attaches to it.
   * Only the settings that differ are changed.
   */
  private void configure(String topic) {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Config now = get(admin.describeConfigs(List.of(resource)).all()).get(resource);
    List<AlterConfigOp> ops = new ArrayList<>();
    topicConfig()
        .forEach(
            (key, value) -> {
              ConfigEntry e = now == null ? null : now.get(key);
              if (e == null || !value.equals(e.value())) {
                ops.add(new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET));
              }
            });
    if (!ops.isEmpty()) {
      get(admin.incrementalAlterConfigs(Map.of(resource, ops)).all());
    }
    configured.add(topic);
  }

  /** Partition count of the topic, or null when it does not exist. */
  Integer describe(String topic) {
    try {
      TopicDescription d = get(admin.describeTopics(List.of(topic)).topicNameValues().get(topic));
      return d.partitions().size();
    } catch (UnknownTopicOrPartitionException e) {
      return null;
    }
  }

  private void create(String topic, int partitions) {
    Optional<Short> rf =
        options.replicationFactor() < 0
            ? Optional.empty()
            : Optional.of((short) options.replicationFactor());
    NewTopic t = new NewTopic(topic, Optional.of(partitions), rf).configs(topicConfig());
    try {
      get(admin.createTopics(List.of(t)).all());
      partitionCounts.put(topic, partitions);
      configured.add(topic);
    } catch (TopicExistsException e) {
      // created meanwhile, or still being deleted after a stream deletion: look again
      pause();
    }
  }

  private Map<String, String> topicConfig() {
    Map<String, String> c = new HashMap<>();
    // arrival times come from the broker, so they are the broker's append times
    c.put("message.timestamp.type", "LogAppendTime");
    c.put("cleanup.policy", "delete");
    // retention is the stream catalog's (trim); Kafka's own would drop records by its own clock
    c.put("retention.ms", "-1");
    c.put("retention.bytes", "-1");
    c.put("max.message.bytes", Integer.toString(MAX_MESSAGE_BYTES));
    if (options.flushEachRecord()) {
      c.put("flush.messages", "1");
    }
    KafkaLogOptions.minInsyncReplicas(options.replicationFactor())
        .ifPresent(n -> c.put("min.insync.replicas", Integer.toString(n)));
    return c;
  }

  private void grow(String topic, int partitions) {
    try {
      get(admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(partitions))).all());
      partitionCounts.put(topic, partitions);
    } catch (InvalidPartitionsException e) {
      pause(); // grown meanwhile: look again
    }
  }

  /** Topics on the cluster. */
  Set<String> topics() {
    return get(admin.listTopics().names());
  }

  /** Offsets of the partitions, all of the same kind. */
  Map<TopicPartition, ListOffsetsResultInfo> offsets(
      Collection<TopicPartition> partitions, OffsetSpec spec) {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    partitions.forEach(tp -> request.put(tp, spec));
    if (request.isEmpty()) {
      return Map.of();
    }
    return retrying(() -> get(admin.listOffsets(request).all()));
  }

  /**
   * Offsets of the partitions, all of the same kind, asked for at most {@code timeoutMs}; null when
   * the broker does not know them in that time: their topic was described while another node's
   * deletion of it was still on its way, and is gone now (asked with the usual timeout, the call
   * waited its whole 30 s for the topic to come back).
   */
  Map<TopicPartition, ListOffsetsResultInfo> offsetsIfThere(
      Collection<TopicPartition> partitions, OffsetSpec spec, int timeoutMs) {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    partitions.forEach(tp -> request.put(tp, spec));
    try {
      return get(admin.listOffsets(request, new ListOffsetsOptions().timeoutMs(timeoutMs)).all());
    } catch (UnknownTopicOrPartitionException | org.apache.kafka.common.errors.TimeoutException e) {
      return null;
    }
  }

  /**
   * Asks for the end offsets of the partitions in one request, without waiting: each future
   * completes on the Admin client's thread, or fails after {@code timeoutMs} (say for a topic
   * another node deleted, which the client keeps looking up until then).
   */
  Map<TopicPartition, CompletableFuture<Long>> endOffsets(
      Collection<TopicPartition> partitions, int timeoutMs) {
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    partitions.forEach(tp -> request.put(tp, OffsetSpec.latest()));
    if (request.isEmpty()) {
      return Map.of();
    }
    ListOffsetsResult result =
        admin.listOffsets(request, new ListOffsetsOptions().timeoutMs(timeoutMs));
    Map<TopicPartition, CompletableFuture<Long>> out = new HashMap<>();
    for (TopicPartition tp : request.keySet()) {
      out.put(
          tp,
          result
              .partitionResult(tp)
              .toCompletionStage()
              .toCompletableFuture()
              .thenApply(ListOffsetsResultInfo::offset));
    }
    return out;
  }

  /** Deletes the records below {@code offset}; returns the new start offset. */
  long deleteRecords(TopicPartition tp, long offset) {
    return retrying(
        () -> {
          var result = admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(offset)));
          return get(result.lowWatermarks().get(tp)).lowWatermark();
        });
  }

  /**
   * Runs a call again while it fails retriably: a topic or partition just created is unknown to the
   * broker answering until the new metadata reaches it.
   */
  private static <T> T retrying(Supplier<T> call) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    while (true) {
      try {
        return call.get();
      } catch (RetriableException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        pause();
      }
    }
  }

  /** Forgets what this node knew of the topic's partitions; the next use describes it again. */
  void forgetTopic(String topic) {
    partitionCounts.remove(topic);
    configured.remove(topic);
  }

  void deleteTopic(String topic) {
    try {
      get(admin.deleteTopics(List.of(topic)).all());
    } catch (UnknownTopicOrPartitionException e) {
      // gone already
    }
    forgetTopic(topic);
  }

  void close() {
    admin.close(java.time.Duration.ofSeconds(5));
  }

  private static <T> T get(KafkaFuture<T> f) {
    return KafkaCalls.await(f, TIMEOUT_SECONDS, LogException::new);
  }

  /** Waits a moment before a call is tried again. */
  static void pause() {
    try {
      Thread.sleep(RETRY_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LogException("interrupted", e);
    }
  }
}
