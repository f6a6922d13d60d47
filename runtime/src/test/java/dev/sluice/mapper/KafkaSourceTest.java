package dev.sluice.mapper;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class KafkaSourceTest {

  static final KafkaSource SOURCE = new KafkaSource(List.of("b:9092"), "t", "g", List.of());

  @Test
  void windowMillis_windowNeverGiven_isLambdasKafkaDefaultOf500() {
    assertThat(SOURCE.windowMillis(0)).isEqualTo(500);
  }

  @Test
  void windowMillis_zeroGiven_meansNoWindow() {
    assertThat(SOURCE.withWindowGiven(true).windowMillis(0)).isZero();
    assertThat(SOURCE.withWindowGiven(true).windowMillis(3)).isEqualTo(3_000);
  }

  @Test
  void withWindowGiven_anUpdateWithoutAWindow_keepsTheGivenOne() {
    assertThat(SOURCE.withWindowGiven(true).withWindowGiven(false).windowGiven()).isTrue();
    assertThat(SOURCE.withWindowGiven(true).withAccess(List.of()).windowGiven()).isTrue();
  }

  @Test
  void json_storedBeforeTheFlagExisted_readsAsNotGiven() throws Exception {
    KafkaSource old =
        new ObjectMapper()
            .readValue(
                "{\"bootstrapServers\":[\"b:9092\"],\"topic\":\"t\",\"consumerGroupId\":\"g\","
                    + "\"sourceAccess\":[]}",
                KafkaSource.class);
    assertThat(old.windowGiven()).isFalse();
    assertThat(old.windowMillis(0)).isEqualTo(500);
  }
}
