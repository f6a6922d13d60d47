package dev.sluice.mapper;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.log.LogRecord;
import dev.sluice.stream.HashKeys;
import dev.sluice.stream.Shard;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventBuilderTest {

  final EventBuilder events =
      new EventBuilder(
              "us-east-1", "000000000000", "arn:aws:kinesis:us-east-1:000000000000:stream/orders")
          .forGeneration(1_795_000_000_123L);
  final Shard shard = Shard.open(6, null, null, HashKeys.split(1).get(0), 0);
  final List<LogRecord> batch =
      List.of(
          new LogRecord(
              41,
              1545084650987L,
              "order-1",
              "{\"type\":\"OrderPlaced\"}".getBytes(StandardCharsets.UTF_8)),
          new LogRecord(42, 1545084711000L, "order-\"2\"", new byte[] {0, (byte) 255, 10}));

  @Test
  void eventBytes_streamedEvent_isExactlyTheTreeEvent() throws Exception {
    String streamed = new String(events.eventBytes(shard, batch), StandardCharsets.UTF_8);
    String tree =
        new String(EventBuilder.bytes(events.event(shard, batch)), StandardCharsets.UTF_8);
    assertThat(streamed).isEqualTo(tree).contains("\"approximateArrivalTimestamp\":1545084650.987");
  }

  @Test
  void eventBytes_edgeOffsetsTimestampsAndData_matchTheTreeEvent() throws Exception {
    Shard far = Shard.open(1_234_567_890, null, null, HashKeys.split(1).get(0), 0);
    List<LogRecord> edges =
        List.of(
            new LogRecord(0, 5, "k", new byte[0]),
            new LogRecord(9, 1_000, "k", new byte[] {1}),
            new LogRecord(10, 1_732_536_000_050L, "ключ", new byte[] {1, 2}),
            new LogRecord(Long.MAX_VALUE, 1_732_536_000_999L, "k\n", new byte[] {1, 2, 3}));

    String streamed = new String(events.eventBytes(far, edges), StandardCharsets.UTF_8);
    String tree = new String(EventBuilder.bytes(events.event(far, edges)), StandardCharsets.UTF_8);

    assertThat(streamed)
        .isEqualTo(tree)
        .contains("\"approximateArrivalTimestamp\":0.005")
        .contains("\"approximateArrivalTimestamp\":1.000")
        .contains("\"approximateArrivalTimestamp\":1732536000.050")
        .contains(
            "\"sequenceNumber\":\"490000000000001795000000123" + "12345678909223372036854775807\"")
        .contains("\"eventID\":\"shardId-001234567890:490000000000001795000000123" + "1234567890");
  }

  @Test
  void event_record_hasLambdasKinesisFields() throws Exception {
    JsonNode r =
        EventBuilder.MAPPER.readTree(events.eventBytes(shard, batch)).get("Records").get(0);
    assertThat(r.get("eventSource").asText()).isEqualTo("aws:kinesis");
    assertThat(r.get("eventName").asText()).isEqualTo("aws:kinesis:record");
    assertThat(r.get("eventID").asText())
        .isEqualTo("shardId-000000000006:" + r.at("/kinesis/sequenceNumber").asText());
    assertThat(r.at("/kinesis/approximateArrivalTimestamp").decimalValue())
        .isEqualByComparingTo("1545084650.987");
    assertThat(r.at("/kinesis/data").asText()).isEqualTo("eyJ0eXBlIjoiT3JkZXJQbGFjZWQifQ==");
    assertThat(r.get("eventSourceARN").asText())
        .isEqualTo("arn:aws:kinesis:us-east-1:000000000000:stream/orders");
  }
}
