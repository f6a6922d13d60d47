package dev.sluice.cluster;

import dev.sluice.log.kafka.KafkaCalls;
import dev.sluice.log.kafka.KafkaConnection;
import dev.sluice.log.kafka.KafkaLogOptions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the topic of the asynchronous events, unless it exists. */
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
    Map<String, Object> config = connection.clientConfig("sluice-events-admin");
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_SECONDS * 1000);
    Map<String, String> configs = new HashMap<>();
    configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
    configs.put(TopicConfig.RETENTION_MS_CONFIG, String.valueOf(RETENTION_MILLIS));
    configs.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(MAX_RECORD_BYTES));
    if (flushEachRecord) {
      configs.put(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG, "1");
    }
    KafkaLogOptions.minInsyncReplicas(replicationFactor)
        .ifPresent(n -> configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, n.toString()));
    Optional<Short> rf =
        replicationFactor < 0 ? Optional.empty() : Optional.of((short) replicationFactor);
    try (Admin admin = Admin.create(config)) {
      if (StateTopic.describe(admin, topic, connection.bootstrap()).isPresent()) {
        // made beforehand: CreateTopics would need CREATE even for a topic that exists
        checkLimit(admin, topic, connection.bootstrap());
        return;
      }
      NewTopic t = new NewTopic(topic, Optional.of(PARTITIONS), rf).configs(configs);
      KafkaCalls.await(
          admin.createTopics(List.of(t)).all(),
          TIMEOUT_SECONDS,
          (message, cause) -> new StateException(message + " at " + connection.bootstrap(), cause));
    } catch (TopicExistsException e) {
      // made by another node a moment ago
    } catch (TopicAuthorizationException e) {
      throw new StateException(
          "not authorized for the asynchronous events' topic "
              + topic
              + " at "
              + connection.bootstrap()
              + ": grant DESCRIBE, READ and WRITE on it and READ on its consumer group, and CREATE"
              + " unless it is created beforehand",
          e);
    }
  }

  /**
   * Refuses a topic made beforehand whose record limit (Kafka's default is 1 MB) would refuse
   * Lambda's larger events with a ServiceException at every invoke. Unchecked where
   * DESCRIBE_CONFIGS is not granted.
   */
  private static void checkLimit(Admin admin, String topic, String bootstrap) {
    StateTopic.requireRecordLimit(
        StateTopic.config(admin, topic, bootstrap),
        "the asynchronous events' topic " + topic + " at " + bootstrap,
        MAX_RECORD_BYTES,
        ", or events near Lambda's 1 MB limit cannot be queued");
  }
}
