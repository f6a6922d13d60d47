package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.log.kafka.KafkaConnection;
import dev.sluice.testing.KafkaBroker;
import dev.sluice.testing.TcpForwarder;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/** The state topic's creation against a real broker, and against none. */
class StateTopicTest {

  @Test
  void ensure_twiceOnOneCluster_createsTheTopicOnceWithOnePartition() throws Exception {
    String topic = "state-" + UUID.randomUUID();
    KafkaConnection c = KafkaConnection.of(KafkaBroker.bootstrapServers());

    StateTopic.ensure(c, topic, 1);
    StateTopic.ensure(c, topic, 1); // described first: no CreateTopics for a topic that exists

    try (Admin admin = Admin.create(c.clientConfig("state-topic-test"))) {
      var described = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
      assertThat(described.partitions()).hasSize(1);
    }
  }

  @Test
  void ensure_existingTopicWithDeletePolicy_stateExceptionNamingThePolicy() throws Exception {
    String topic = "state-" + UUID.randomUUID();
    KafkaConnection c = KafkaConnection.of(KafkaBroker.bootstrapServers());
    create(c, new NewTopic(topic, 1, (short) 1).configs(Map.of("cleanup.policy", "delete")));

    assertThatThrownBy(() -> StateTopic.ensure(c, topic, 1))
        .isInstanceOf(StateException.class)
        .hasMessageContaining(topic)
        .hasMessageContaining("cleanup.policy=delete")
        .hasMessageContaining("needs cleanup.policy=compact");
  }

  @Test
  void ensure_existingTopicWithThreePartitions_stateExceptionNamingTheCount() throws Exception {
    String topic = "state-" + UUID.randomUUID();
    KafkaConnection c = KafkaConnection.of(KafkaBroker.bootstrapServers());
    create(c, new NewTopic(topic, 3, (short) 1).configs(Map.of("cleanup.policy", "compact")));

    assertThatThrownBy(() -> StateTopic.ensure(c, topic, 1))
        .isInstanceOf(StateException.class)
        .hasMessageContaining("has 3 partitions; it needs exactly 1");
  }

  @Test
  void ensure_existingTopicCompactedAndDeleted_stateExceptionAsRetentionStillDeletes()
      throws Exception {
    String topic = "state-" + UUID.randomUUID();
    KafkaConnection c = KafkaConnection.of(KafkaBroker.bootstrapServers());
    create(
        c, new NewTopic(topic, 1, (short) 1).configs(Map.of("cleanup.policy", "compact,delete")));

    assertThatThrownBy(() -> StateTopic.ensure(c, topic, 1))
        .isInstanceOf(StateException.class)
        .hasMessageContaining("cleanup.policy=compact,delete");
  }

  @Test
  void ensure_existingTopicWithKafkasDefaultRecordLimit_stateExceptionNamingTheLimit()
      throws Exception {
    String topic = "state-" + UUID.randomUUID();
    KafkaConnection c = KafkaConnection.of(KafkaBroker.bootstrapServers());
    create(c, new NewTopic(topic, 1, (short) 1).configs(Map.of("cleanup.policy", "compact")));

    assertThatThrownBy(() -> StateTopic.ensure(c, topic, 1))
        .isInstanceOf(StateException.class)
        .hasMessageContaining("max.message.bytes=1048588")
        .hasMessageContaining("needs at least " + StateTopic.MAX_VALUE_BYTES);
  }

  @Test
  void ensure_existingCompactedTopicMadeByOperators_accepted() throws Exception {
    String topic = "state-" + UUID.randomUUID();
    KafkaConnection c = KafkaConnection.of(KafkaBroker.bootstrapServers());
    create(
        c,
        new NewTopic(topic, 1, (short) 1)
            .configs(
                Map.of(
                    "cleanup.policy",
                    "compact",
                    "max.message.bytes",
                    String.valueOf(StateTopic.MAX_RECORD_BYTES))));

    StateTopic.ensure(c, topic, 1);

    try (Admin admin = Admin.create(c.clientConfig("state-topic-test"))) {
      var described = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
      assertThat(described.partitions()).hasSize(1);
    }
  }

  private static void create(KafkaConnection c, NewTopic topic) throws Exception {
    try (Admin admin = Admin.create(c.clientConfig("state-topic-test"))) {
      admin.createTopics(List.of(topic)).all().get();
    }
  }

  @Test
  void ensure_noBrokerAtTheAddress_stateExceptionNamingItWithinSeconds() {
    String nowhere = "127.0.0.1:" + TcpForwarder.freePort();
    long start = System.nanoTime();

    assertThatThrownBy(() -> StateTopic.ensure(KafkaConnection.of(nowhere), "state-x", 1))
        .isInstanceOf(StateException.class)
        .hasMessageContaining(nowhere);
    assertThat((System.nanoTime() - start) / 1_000_000_000).isLessThan(30);
  }
}
