package dev.sluice.cluster;

import dev.sluice.log.kafka.KafkaCalls;
import dev.sluice.log.kafka.KafkaConnection;
import dev.sluice.log.kafka.KafkaLogOptions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the topic of the asynchronous events, or another topic of records kept for a time, unless
 * it exists.
 */
final class EventTopic {

  /** Partitions: how many nodes can share the running of events. */
  static final int PARTITIONS = 8;

  /**
   * Largest record: an event of Lambda's 1 MB as base64 in JSON, with room. Kafka's default of 1 MB
   * would refuse the larger events Lambda takes.
   */
  static final int MAX_RECORD_BYTES = 2 << 20;

  /**
   * How long records stay: past Lambda's 6 hours of retries for a throttled event, with room for a
   * cluster that runs no node for a while; a done event's record only costs disk until then.
   */
  private static final long RETENTION_MILLIS = 7L * 24 * 3_600_000;

  private static final int TIMEOUT_SECONDS = 10;

  private EventTopic() {}

  static void ensure(
      KafkaConnection connection, String topic, int replicationFactor, boolean flushEachRecord) {
    Map<String, String> configs = new HashMap<>();
    configs.put(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(RETENTION_MILLIS));
    if (flushEachRecord) {
      configs.put(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG, "1");
    }
    ensure(
        connection,
        new Spec(
            topic,
            PARTITIONS,
            MAX_RECORD_BYTES,
            configs,
            "sluice-events-admin",
            "the asynchronous events' topic",
            ", or events near Lambda's 1 MB limit cannot be queued"),
        replicationFactor);
  }

  /**
   * A topic whose old records are deleted by time or size.
   *
   * @param name the topic
   * @param partitions its partition count when made here
   * @param maxRecordBytes the largest record it must take: made with that limit, refused when made
   *     beforehand with a lower one
   * @param configs its other settings when made here
   * @param adminClientId the client id of the admin client that makes it
   * @param what what it is, for errors ("the asynchronous events' topic")
   * @param limitReason what a lower record limit would break, for errors
   */
  record Spec(
      String name,
      int partitions,
      int maxRecordBytes,
      Map<String, String> configs,
      String adminClientId,
      String what,
      String limitReason) {}

  /**
   * Makes the topic of {@code spec} with {@code replicationFactor} (-1: the broker's), unless it
   * exists.
   */
  static void ensure(KafkaConnection connection, Spec spec, int replicationFactor) {
    Map<String, Object> config =
        connection.adminConfig(spec.adminClientId(), 5_000, TIMEOUT_SECONDS * 1000);
    Map<String, String> configs = new HashMap<>(spec.configs());
    configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
    configs.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(spec.maxRecordBytes()));
    KafkaLogOptions.minInsyncReplicas(replicationFactor)
        .ifPresent(n -> configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, n.toString()));
    Optional<Short> rf =
        replicationFactor < 0 ? Optional.empty() : Optional.of((short) replicationFactor);
    String topic = spec.name();
    try (Admin admin = Admin.create(config)) {
      if (StateTopic.describe(admin, topic, connection.bootstrap()).isPresent()) {
        // made beforehand: CreateTopics would need CREATE even for a topic that exists
        checkLimit(admin, spec, connection.bootstrap());
        return;
      }
      NewTopic t = new NewTopic(topic, Optional.of(spec.partitions()), rf).configs(configs);
      KafkaCalls.await(
          admin.createTopics(List.of(t)).all(),
          TIMEOUT_SECONDS,
          (message, cause) -> new StateException(message + " at " + connection.bootstrap(), cause));
    } catch (TopicExistsException e) {
      // made by another node a moment ago
    } catch (TopicAuthorizationException e) {
      throw new StateException(
          "not authorized for "
              + spec.what()
              + " "
              + topic
              + " at "
              + connection.bootstrap()
              + ": grant DESCRIBE, READ and WRITE on it and READ on its consumer group, and CREATE"
              + " unless it is created beforehand",
          e);
    }
  }

  /**
   * Refuses a topic made beforehand whose record limit (Kafka's default is 1 MB) is below what the
   * topic must take: Lambda's larger events would fail with a ServiceException at every invoke.
   * Unchecked where DESCRIBE_CONFIGS is not granted.
   */
  private static void checkLimit(Admin admin, Spec spec, String bootstrap) {
    StateTopic.requireRecordLimit(
        StateTopic.config(admin, spec.name(), bootstrap),
        spec.what() + " " + spec.name() + " at " + bootstrap,
        spec.maxRecordBytes(),
        spec.limitReason());
  }
}
