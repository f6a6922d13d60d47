package dev.sluice.log.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KafkaLogOptionsTest {

  @Test
  void minInsyncReplicas_threeReplicasOrMore_anAppendMustReachTwo() {
    assertThat(KafkaLogOptions.minInsyncReplicas(3)).contains(2);
    assertThat(KafkaLogOptions.minInsyncReplicas(5)).contains(2);
  }

  @Test
  void minInsyncReplicas_fewerReplicasOrTheBrokersDefault_leftToTheBroker() {
    assertThat(KafkaLogOptions.minInsyncReplicas(-1)).isEmpty();
    assertThat(KafkaLogOptions.minInsyncReplicas(1)).isEmpty();
    assertThat(KafkaLogOptions.minInsyncReplicas(2)).isEmpty();
  }
}
