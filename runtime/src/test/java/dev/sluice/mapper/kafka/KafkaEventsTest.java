package dev.sluice.mapper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KafkaEvent;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.mapper.filter.FilterCriteria;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class KafkaEventsTest {

  static ConsumerRecord<byte[], byte[]> record(
      int partition, long offset, String key, String value) {
    RecordHeaders headers = new RecordHeaders();
    headers.add("h", new byte[] {104, (byte) 200});
    return new ConsumerRecord<>(
        "orders",
        partition,
        offset,
        1_545_084_650_987L,
        TimestampType.CREATE_TIME,
        key == null ? -1 : key.length(),
        value.length(),
        key == null ? null : key.getBytes(StandardCharsets.UTF_8),
        value.getBytes(StandardCharsets.UTF_8),
        headers,
        Optional.empty());
  }

  @Test
  void event_records_deserializeAsLambdaKafkaEvent() throws Exception {
    KafkaEvents events = new KafkaEvents(List.of("b1:9092", "b2:9092"));
    byte[] json = events.eventBytes(List.of(record(3, 15, "k", "hello"), record(3, 16, null, "x")));
    KafkaEvent e =
        new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .readValue(json, KafkaEvent.class);
    assertThat(e.getEventSource()).isEqualTo("SelfManagedKafka");
    assertThat(e.getBootstrapServers()).isEqualTo("b1:9092,b2:9092");
    assertThat(e.getRecords()).containsOnlyKeys("orders-3");
    KafkaEvent.KafkaEventRecord r = e.getRecords().get("orders-3").get(0);
    assertThat(r.getTopic()).isEqualTo("orders");
    assertThat(r.getPartition()).isEqualTo(3);
    assertThat(r.getOffset()).isEqualTo(15);
    assertThat(r.getTimestamp()).isEqualTo(1_545_084_650_987L);
    assertThat(r.getTimestampType()).isEqualTo("CREATE_TIME");
    assertThat(r.getKey()).isEqualTo("aw==");
    assertThat(r.getValue()).isEqualTo("aGVsbG8=");
    assertThat(r.getHeaders().get(0).get("h")).containsExactly(104, (byte) 200);
    assertThat(e.getRecords().get("orders-3").get(1).getKey()).isNull();
  }

  @Test
  void eventBytes_streamed_isExactlyTheTreeEvent() {
    RecordHeaders headers = new RecordHeaders();
    headers.add("nothing", null);
    headers.add("ü \"q\"", new byte[] {0, -1, 127});
    ConsumerRecord<byte[], byte[]> noValue =
        new ConsumerRecord<>(
            "orders",
            2,
            9,
            -1L,
            TimestampType.NO_TIMESTAMP_TYPE,
            1,
            -1,
            new byte[] {-2},
            null,
            headers,
            Optional.empty());
    ConsumerRecord<byte[], byte[]> bare =
        new ConsumerRecord<>(
            "orders",
            3,
            Long.MAX_VALUE,
            0L,
            TimestampType.LOG_APPEND_TIME,
            -1,
            0,
            null,
            new byte[0],
            new RecordHeaders(),
            Optional.empty());
    // partitions interleaved: each partition's records are grouped where it first appears
    List<ConsumerRecord<byte[], byte[]>> batch =
        List.of(record(3, 15, "k", "hello"), noValue, bare, record(2, 10, null, "é\u0001"));
    KafkaEvents events = new KafkaEvents(List.of("b1:9092", "b2:9092"));
    String streamed = new String(events.eventBytes(batch), StandardCharsets.UTF_8);
    assertThat(streamed).isEqualTo(events.event(batch).toString());
  }

  @Test
  void record_headerBytes_writtenSignedAsLambdaDoes() {
    ConsumerRecord<byte[], byte[]> r = record(0, 1, "k", "v");
    KafkaEvents events = new KafkaEvents(List.of("b1:9092"));

    String streamed = new String(events.eventBytes(List.of(r)), StandardCharsets.UTF_8);

    assertThat(KafkaEvents.record(r).at("/headers/0/h").toString()).isEqualTo("[104,-56]");
    assertThat(streamed).contains("\"headers\":[{\"h\":[104,-56]}]");
  }

  @Test
  void filterView_jsonValueDecoded_plainTextValueFilteredAsAString() {
    assertThat(KafkaEvents.filterView(record(0, 1, "k", "{\"a\":1}")).at("/value/a").asInt())
        .isEqualTo(1);
    // Lambda's own example for Kafka messages that are plain strings
    FilterCriteria notErrors =
        FilterCriteria.parse(List.of("{\"value\":[{\"anything-but\":[\"error\"]}]}"));
    assertThat(notErrors.matches(KafkaEvents.filterView(record(0, 1, "k", "hello")))).isTrue();
    assertThat(notErrors.matches(KafkaEvents.filterView(record(0, 2, "k", "error")))).isFalse();
    var plain = KafkaEvents.filterView(record(0, 3, "k", "plain text"));
    assertThat(
            FilterCriteria.parse(List.of("{\"value\":[{\"prefix\":\"plain \"}]}")).matches(plain))
        .isTrue();
    assertThat(FilterCriteria.parse(List.of("{\"value\":{\"a\":[1]}}")).matches(plain))
        .as("a pattern on JSON fields never matches a plain string")
        .isFalse();
  }

  @Test
  void partialFailures_topicPartitionIdentifier_restartsAtLowestReported() {
    List<ConsumerRecord<byte[], byte[]>> batch =
        List.of(record(0, 5, "k", "a"), record(0, 6, "k", "b"), record(0, 7, "k", "c"));
    byte[] two =
        ("{\"batchItemFailures\":[{\"itemIdentifier\":{\"topic-partition\":\"orders-0\","
                + "\"offset\":7}},{\"itemIdentifier\":{\"topic-partition\":\"orders-0\","
                + "\"offset\":6}}]}")
            .getBytes(StandardCharsets.UTF_8);
    assertThat(KafkaPartialFailures.read(two, batch).firstFailed()).isEqualTo(1);
    byte[] alias =
        "{\"batchItemFailures\":[{\"itemIdentifier\":{\"partition\":\"orders-0\",\"offset\":6}}]}"
            .getBytes(StandardCharsets.UTF_8);
    assertThat(KafkaPartialFailures.read(alias, batch).firstFailed()).isEqualTo(1);
    byte[] unknown =
        "{\"batchItemFailures\":[{\"itemIdentifier\":{\"topic-partition\":\"orders-1\",\"offset\":6}}]}"
            .getBytes(StandardCharsets.UTF_8);
    assertThat(KafkaPartialFailures.read(unknown, batch).invalid()).contains("not a record");
    byte[] string = "{\"batchItemFailures\":[{\"itemIdentifier\":\"6\"}]}".getBytes();
    assertThat(KafkaPartialFailures.read(string, batch).invalid()).isNotNull();
    assertThat(KafkaPartialFailures.read(new byte[0], batch).firstFailed()).isEqualTo(-1);
    assertThat(KafkaPartialFailures.read("{\"batchItemFailures\":[]}".getBytes(), batch).invalid())
        .isNull();
  }
}
