package dev.sluice.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.KafkaEvent.KafkaEventRecord;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.sdk.testing.KinesisEvents;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class RecordsTest {
  public record Order(String orderId, String type) {}

  private static KinesisEventRecord kinesis(String data) {
    return KinesisEvents.of(data).getRecords().get(0);
  }

  private static KinesisEventRecord kinesis(byte[] data) {
    return KinesisEvents.builder().record("pk", data).build().getRecords().get(0);
  }

  private static KafkaEventRecord kafka(String key, String value) {
    KafkaEventRecord record = new KafkaEventRecord();
    record.setTopic("orders");
    record.setPartition(3);
    record.setOffset(42);
    record.setTimestamp(1735689600123L);
    record.setTimestampType("CREATE_TIME");
    record.setKey(key == null ? null : b64(key));
    record.setValue(value == null ? null : b64(value));
    return record;
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void utf8_kinesisRecord_decodesData() {
    KinesisEvent event = Fixtures.kinesisEvent("kinesis-docs-sample.json");

    assertThat(Records.utf8(event.getRecords().get(0))).isEqualTo("Hello, this is a test.");
    assertThat(Records.utf8(event.getRecords().get(1))).isEqualTo("This is only a test.");
  }

  @Test
  void utf8_kinesisRecord_decodesMultibyteCharacters() {
    assertThat(Records.utf8(kinesis("Grüße, 世界 🌊"))).isEqualTo("Grüße, 世界 🌊");
  }

  @Test
  void utf8_kinesisRecord_leavesBufferPositionUntouched() {
    KinesisEventRecord record = kinesis("{\"orderId\":\"o-1\"}");
    ByteBuffer data = record.getKinesis().getData();

    Records.utf8(record);
    Records.json(record);
    Records.json(record, Order.class);
    Records.bytes(record);

    assertThat(data.position()).isZero();
    assertThat(data.remaining()).isEqualTo("{\"orderId\":\"o-1\"}".length());
    assertThat(Records.utf8(record)).isEqualTo("{\"orderId\":\"o-1\"}");
  }

  @Test
  void utf8_bufferWithAdvancedPosition_decodesRemainingAndKeepsPosition() {
    KinesisEventRecord record = kinesis("xx-payload");
    ByteBuffer data = record.getKinesis().getData();
    data.position(3);

    assertThat(Records.utf8(record)).isEqualTo("payload");
    assertThat(data.position()).isEqualTo(3);
    assertThat(data.remaining()).isEqualTo(7);
  }

  @Test
  void bytes_kinesisRecord_returnsACopy() {
    KinesisEventRecord record = kinesis("abc");

    byte[] bytes = Records.bytes(record);
    bytes[0] = 'z';

    assertThat(Records.utf8(record)).isEqualTo("abc");
  }

  @Test
  void json_kinesisRecord_parsesTree() {
    JsonNode node = Records.json(kinesis("{\"orderId\":\"o-1\",\"items\":[1,2,3]}"));

    assertThat(node.get("orderId").asText()).isEqualTo("o-1");
    assertThat(node.get("items")).hasSize(3);
  }

  @Test
  void json_kinesisRecord_bindsTypeIgnoringUnknownFields() {
    Order order =
        Records.json(
            kinesis("{\"orderId\":\"o-1\",\"type\":\"OrderPlaced\",\"extra\":true}"), Order.class);

    assertThat(order).isEqualTo(new Order("o-1", "OrderPlaced"));
  }

  @Test
  void json_fixtureRecord_bindsType() {
    KinesisEvent event = Fixtures.kinesisEvent("kinesis-orders.json");

    assertThat(Records.json(event.getRecords().get(1), Order.class))
        .isEqualTo(new Order("order-1", "OrderShipped"));
  }

  @Test
  void json_invalidData_throwsNamingSequenceNumber() {
    KinesisEventRecord record = Fixtures.kinesisEvent("kinesis-orders.json").getRecords().get(2);
    String seq = record.getKinesis().getSequenceNumber();

    assertThatThrownBy(() -> Records.json(record))
        .isInstanceOf(RecordDecodingException.class)
        .hasMessageContaining("Kinesis record " + seq)
        .hasMessageContaining("not valid JSON")
        .satisfies(e -> assertThat(((RecordDecodingException) e).recordId()).isEqualTo(seq));
    assertThatThrownBy(() -> Records.json(record, Order.class))
        .isInstanceOf(RecordDecodingException.class)
        .hasMessageContaining(seq);
  }

  @Test
  void json_wrongShapeForType_throws() {
    assertThatThrownBy(() -> Records.json(kinesis("[1,2]"), Order.class))
        .isInstanceOf(RecordDecodingException.class)
        .hasMessageContaining("does not decode as JSON Order");
  }

  @Test
  void json_emptyData_throws() {
    assertThatThrownBy(() -> Records.json(kinesis(new byte[0])))
        .isInstanceOf(RecordDecodingException.class)
        .hasMessageContaining("is empty");
  }

  @Test
  void json_trailingGarbage_throws() {
    assertThatThrownBy(() -> Records.json(kinesis("{\"a\":1} {\"b\":2}")))
        .isInstanceOf(RecordDecodingException.class);
  }

  @Test
  void utf8_malformedBytes_throws() {
    KinesisEventRecord record = kinesis(new byte[] {'o', 'k', (byte) 0xC3, (byte) 0x28});

    assertThatThrownBy(() -> Records.utf8(record))
        .isInstanceOf(RecordDecodingException.class)
        .hasMessageContaining("not valid UTF-8")
        .hasMessageContaining(record.getKinesis().getSequenceNumber());
  }

  @Test
  void bytes_recordWithoutData_throws() {
    KinesisEventRecord record = kinesis("x");
    record.getKinesis().setData(null);

    assertThatThrownBy(() -> Records.bytes(record))
        .isInstanceOf(RecordDecodingException.class)
        .hasMessageContaining("has no data");
  }

  @Test
  void id_kinesisRecord_isSequenceNumber() {
    KinesisEventRecord record =
        Fixtures.kinesisEvent("kinesis-docs-sample.json").getRecords().get(0);

    assertThat(Records.id(record))
        .isEqualTo("49590338271490256608559692538361571095921575989136588898");
  }

  @Test
  void utf8_kafkaRecord_decodesBase64Value() {
    assertThat(Records.utf8(kafka("k", "hello kafka"))).isEqualTo("hello kafka");
    assertThat(Records.bytes(kafka("k", "abc"))).containsExactly('a', 'b', 'c');
  }

  @Test
  void json_kafkaRecord_parsesAndBinds() {
    KafkaEventRecord record =
        kafka("order-1", "{\"orderId\":\"order-1\",\"type\":\"OrderPlaced\"}");

    assertThat(Records.json(record).get("type").asText()).isEqualTo("OrderPlaced");
    assertThat(Records.json(record, Order.class)).isEqualTo(new Order("order-1", "OrderPlaced"));
  }

  @Test
  void keyUtf8_kafkaRecord_decodesKeyOrNull() {
    assertThat(Records.keyUtf8(kafka("order-1", "{}"))).isEqualTo("order-1");
    assertThat(Records.keyUtf8(kafka(null, "{}"))).isNull();
    assertThat(Records.keyBytes(kafka(null, "{}"))).isNull();
  }

  @Test
  void json_invalidKafkaValue_throwsNamingTopicPartitionOffset() {
    KafkaEventRecord record = kafka("k", "nope");

    assertThatThrownBy(() -> Records.json(record))
        .isInstanceOf(RecordDecodingException.class)
        .hasMessageContaining("Kafka record orders-3@42")
        .satisfies(
            e -> assertThat(((RecordDecodingException) e).recordId()).isEqualTo("orders-3@42"));
  }

  @Test
  void bytes_kafkaValueNotBase64_throws() {
    KafkaEventRecord record = kafka("k", "x");
    record.setValue("%%% not base64");

    assertThatThrownBy(() -> Records.bytes(record))
        .isInstanceOf(RecordDecodingException.class)
        .hasMessageContaining("value is not valid base64");
  }

  @Test
  void bytes_kafkaRecordWithoutValue_throws() {
    assertThatThrownBy(() -> Records.utf8(kafka("k", null)))
        .isInstanceOf(RecordDecodingException.class)
        .hasMessageContaining("orders-3@42 has no value");
  }

  /** A type Jackson cannot make without a mapping to a concrete class. */
  abstract static class NoCreator {
    public String id;
  }

  record Stamped(String id, java.time.Instant at) {}

  @Test
  void json_classJacksonCannotBind_failsAsTheHandlersFaultNotTheRecords() {
    KinesisEventRecord record = kinesis("{\"id\":\"a\",\"at\":\"2025-01-01T00:00:00Z\"}");

    assertThatThrownBy(() -> Records.json(record, NoCreator.class))
        .isInstanceOf(IllegalStateException.class)
        .isNotInstanceOf(RecordDecodingException.class)
        .hasMessageContaining(NoCreator.class.getName());
    assertThatThrownBy(() -> Records.json(record, Stamped.class)) // no java.time module here
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(Stamped.class.getName());
  }
}
