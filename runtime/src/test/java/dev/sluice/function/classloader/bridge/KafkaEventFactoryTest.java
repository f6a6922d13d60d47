package dev.sluice.function.classloader.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KafkaEvent;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaEventFactoryTest {

  static Object[] batch() {
    Object[] batch = new Object[KafkaLayout.SIZE];
    batch[KafkaLayout.BOOTSTRAP_SERVERS] = "b:9092";
    batch[KafkaLayout.TOPICS] = new String[] {"t", "t", "u"};
    batch[KafkaLayout.PARTITIONS] = new int[] {0, 0, 3};
    batch[KafkaLayout.OFFSETS] = new long[] {5, 6, 7};
    batch[KafkaLayout.TIMESTAMPS] = new long[] {1, 2, 3};
    batch[KafkaLayout.TIMESTAMP_TYPES] =
        new String[] {"CREATE_TIME", "CREATE_TIME", "LOG_APPEND_TIME"};
    batch[KafkaLayout.KEYS] = new byte[][] {"k".getBytes(StandardCharsets.UTF_8), null, {}};
    batch[KafkaLayout.VALUES] = new byte[][] {"hello".getBytes(StandardCharsets.UTF_8), {1}, null};
    batch[KafkaLayout.HEADER_NAMES] = new String[][] {{"h"}, {}, {"x", "y"}};
    batch[KafkaLayout.HEADER_VALUES] = new byte[][][] {{{9}}, {}, {null, {}}};
    return batch;
  }

  @Test
  void build_batch_recordsGroupedByTopicPartitionWithBase64() throws Throwable {
    KafkaEvent event = (KafkaEvent) KafkaEventFactory.forType(KafkaEvent.class).build(batch());

    assertThat(event.getEventSource()).isEqualTo("SelfManagedKafka");
    assertThat(event.getBootstrapServers()).isEqualTo("b:9092");
    assertThat(event.getRecords()).containsOnlyKeys("t-0", "u-3");
    KafkaEvent.KafkaEventRecord first = event.getRecords().get("t-0").get(0);
    assertThat(first.getKey()).isEqualTo("aw==");
    assertThat(first.getValue()).isEqualTo("aGVsbG8=");
    assertThat(first.getOffset()).isEqualTo(5);
    assertThat(first.getHeaders()).hasSize(1);
    assertThat(first.getHeaders().get(0).get("h")).containsExactly(9);
    KafkaEvent.KafkaEventRecord last = event.getRecords().get("u-3").get(0);
    assertThat(last.getKey()).isEmpty();
    assertThat(last.getValue()).isNull();
    assertThat(last.getTimestampType()).isEqualTo("LOG_APPEND_TIME");
    assertThat(last.getHeaders().get(0).get("x")).isEmpty();
  }

  @Test
  void build_directAndThroughHandles_sameEvent() throws Throwable {
    KafkaEventFactory direct = KafkaEventFactory.forType(KafkaEvent.class);
    KafkaEventFactory handles = new KafkaEventFactory(new HandleKafkaBeans(KafkaEvent.class));

    Object fast = direct.build(batch());
    Object slow = handles.build(batch());

    assertThat(direct.direct()).isTrue();
    assertThat(handles.direct()).isFalse();
    assertThat(fast).isInstanceOf(KafkaEvent.class).usingRecursiveComparison().isEqualTo(slow);
  }

  @Test
  void forType_otherTypes_null() {
    assertThat(KafkaEventFactory.forType(Map.class)).isNull();
    assertThat(KafkaEventFactory.forType(KafkaEvent.KafkaEventRecord.class)).isNull();
  }
}
