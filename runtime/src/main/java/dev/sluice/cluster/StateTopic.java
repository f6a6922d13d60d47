package dev.sluice.cluster;

import dev.sluice.log.kafka.KafkaCalls;
import dev.sluice.log.kafka.KafkaConnection;
import dev.sluice.log.kafka.KafkaLogOptions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Creates the state topic: one partition (one order for every node), compacted. */
final class StateTopic {

  static final int MAX_VALUE_BYTES = StateStore.MAX_VALUE_BYTES;

  /** The topic's record limit: the largest value, and room for its key and the batch around it. */
  static final int MAX_RECORD_BYTES = MAX_VALUE_BYTES + (1 << 20);

  /** A node that cannot reach its cluster should say so soon, not after Kafka's default minute. */
  private static final int TIMEOUT_SECONDS = 10;

  /** A segment of the state topic is closed, and so may be compacted, after an hour. */
  private static final long SEGMENT_MILLIS = 3_600_000;

  private StateTopic() {}

  static void ensure(KafkaConnection connection, String topic, int replicationFactor) {
    String bootstrap = connection.bootstrap();
    Map<String, Object> config =
        connection.adminConfig("sluice-state-admin", 5_000, TIMEOUT_SECONDS * 1000);
    try (Admin admin = Admin.create(config)) {
      Optional<TopicDescription> existing = describe(admin, topic, bootstrap);
      if (existing.isPresent()) {
        // a cluster whose operators created it may not grant CREATE, which createTopics needs
        // even for a topic that exists
        check(admin, existing.get(), bootstrap);
        return;
      }
      Optional<Short> rf =
          replicationFactor < 0 ? Optional.empty() : Optional.of((short) replicationFactor);
      Map<String, String> configs = new java.util.HashMap<>();
      configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
      configs.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(MAX_RECORD_BYTES));
      // compaction skips the active segment: with Kafka's 1 GB or 7 days, every replaced package
      // stayed, and each node start read them all
      configs.put(TopicConfig.SEGMENT_BYTES_CONFIG, String.valueOf(2 * MAX_VALUE_BYTES));
      configs.put(TopicConfig.SEGMENT_MS_CONFIG, String.valueOf(SEGMENT_MILLIS));
      KafkaLogOptions.minInsyncReplicas(replicationFactor)
          .ifPresent(n -> configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, n.toString()));
      NewTopic t = new NewTopic(topic, Optional.of(1), rf).configs(configs);
      KafkaCalls.await(
          admin.createTopics(List.of(t)).all(),
          TIMEOUT_SECONDS,
          (message, cause) -> new StateException(message + " at " + bootstrap, cause));
    } catch (TopicExistsException e) {
      // another node created it first
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw new StateException("no Kafka cluster answers at " + bootstrap, e);
    } catch (TopicAuthorizationException e) {
      throw new StateException(
          "not authorized for the node state topic "
              + topic
              + " at "
              + bootstrap
              + ": grant DESCRIBE, READ and WRITE on it, and CREATE unless it is created"
              + " beforehand",
          e);
    }
  }

  static Optional<TopicDescription> describe(Admin admin, String topic, String bootstrap) {
    try {
      return Optional.of(
          KafkaCalls.await(
                  admin.describeTopics(List.of(topic)).allTopicNames(),
                  TIMEOUT_SECONDS,
                  (message, cause) -> new StateException(message + " at " + bootstrap, cause))
              .get(topic));
    } catch (UnknownTopicOrPartitionException e) {
      return Optional.empty();
    }
  }

  /**
   * Refuses a state topic made beforehand that would lose or reorder state, as Kafka Connect
   * refuses its config topic: with several partitions the nodes' changes have no one order, and
   * with any policy but compact alone ({@code compact,delete} too) retention deletes function code
   * and mappings that were never replaced. A record limit below {@link #MAX_VALUE_BYTES} (Kafka's
   * default is 1 MB) would refuse every function package larger than it, at deploy time and without
   * saying why. Policy and limit go unchecked where DESCRIBE_CONFIGS is not granted.
   */
  private static void check(Admin admin, TopicDescription topic, String bootstrap) {
    String name = topic.name();
    if (topic.partitions().size() != 1) {
      throw new StateException(
          "the node state topic "
              + name
              + " at "
              + bootstrap
              + " has "
              + topic.partitions().size()
              + " partitions; it needs exactly 1, so that every node reads the changes in one"
              + " order");
    }
    Config config = config(admin, name, bootstrap);
    String policy = value(config, TopicConfig.CLEANUP_POLICY_CONFIG);
    if (policy != null && !policy.strip().equals(TopicConfig.CLEANUP_POLICY_COMPACT)) {
      throw new StateException(
          "the node state topic "
              + name
              + " at "
              + bootstrap
              + " has cleanup.policy="
              + policy
              + "; it needs cleanup.policy=compact, or retention deletes state that was never"
              + " replaced");
    }
    requireRecordLimit(
        config,
        "the node state topic " + name + " at " + bootstrap,
        MAX_VALUE_BYTES,
        " (Sluice creates it with "
            + MAX_RECORD_BYTES
            + "), or function packages larger than that cannot be stored");
  }

  /**
   * Refuses a topic made beforehand whose {@code max.message.bytes} in {@code config} (null: not
   * readable, unchecked) is below {@code least}; {@code why} ends the message.
   */
  static void requireRecordLimit(Config config, String topic, long least, String why) {
    String limit = value(config, TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
    if (limit != null && Long.parseLong(limit.strip()) < least) {
      throw new StateException(
          topic + " has max.message.bytes=" + limit.strip() + "; it needs at least " + least + why);
    }
  }

  private static String value(Config config, String key) {
    ConfigEntry entry = config == null ? null : config.get(key);
    return entry == null ? null : entry.value();
  }

  /** The topic's configuration, or null when this client may not read it. */
  static Config config(Admin admin, String topic, String bootstrap) {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    try {
      return KafkaCalls.await(
              admin.describeConfigs(List.of(resource)).all(),
              TIMEOUT_SECONDS,
              (message, cause) -> new StateException(message + " at " + bootstrap, cause))
          .get(resource);
    } catch (TopicAuthorizationException | ClusterAuthorizationException e) {
      return null;
    }
  }
}
