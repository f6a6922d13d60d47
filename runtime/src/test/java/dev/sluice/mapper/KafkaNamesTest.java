package dev.sluice.mapper;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KafkaNamesTest {

  @Test
  void isTopicDestination_namesKafkaTakes_accepted() {
    for (String topic : new String[] {"a", ".dlq", "orders-failures", "a.b_c", "t".repeat(249)}) {
      assertThat(KafkaNames.isTopicDestination("kafka://" + topic)).as(topic).isTrue();
    }
  }

  @Test
  void isTopicDestination_namesKafkaRefusesOrNoTopic_refused() {
    for (String destination :
        new String[] {
          "kafka://",
          "kafka://.",
          "kafka://..",
          "kafka://bad topic",
          "kafka://a/b",
          "kafka://" + "t".repeat(250),
          "kafka:/orders",
          "orders"
        }) {
      assertThat(KafkaNames.isTopicDestination(destination)).as(destination).isFalse();
    }
  }
}
