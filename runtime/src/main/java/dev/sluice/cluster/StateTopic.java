package dev.sluice.cluster;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the state topic: one partition (one order for every node), compacted. */
final class StateTopic {

  /** Largest state value: Lambda's 50 MB zip limit, with room. */
  static final int MAX_VALUE_BYTES = 64 << 20;

  /** A node that cannot reach its cluster should say so soon, not after Kafka's default minute. */
  private static final int TIMEOUT_SECONDS = 10;

  private StateTopic() {}

  static void ensure(String bootstrap, String topic, int replicationFactor) {
    Map<String, Object> config =
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrap,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
            5_000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
            TIMEOUT_SECONDS * 1000);
    try (Admin admin = Admin.create(config)) {
      Optional<Short> rf =
          replicationFactor < 0 ? Optional.empty() : Optional.of((short) replicationFactor);
      NewTopic t =
          new NewTopic(topic, Optional.of(1), rf)
              .configs(
                  Map.of(
                      TopicConfig.CLEANUP_POLICY_CONFIG,
                      TopicConfig.CLEANUP_POLICY_COMPACT,
                      TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                      String.valueOf(MAX_VALUE_BYTES)));
      admin.createTopics(List.of(t)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw new StateException("no Kafka cluster answers at " + bootstrap, e.getCause());
      }
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new StateException("cannot create the state topic " + topic, e.getCause());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StateException("interrupted while creating " + topic);
    } catch (TimeoutException e) {
      throw new StateException("no Kafka cluster answers at " + bootstrap, e);
    }
  }
}
