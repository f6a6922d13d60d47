package dev.sluice.mapper.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.function.KinesisBatch;
import java.util.Base64;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Lambda's SelfManagedKafka event: {@code {"eventSource": "SelfManagedKafka", "bootstrapServers",
 * "records": {"topic-partition": [record, ...]}}}, each record with its topic, partition, offset,
 * timestamp, timestampType, base64 key and value, and headers as {@code [{"name": [byte, ...]}]}.
 * Header bytes are written signed (-128–127), as Lambda writes them (a Java {@code byte[]}); the
 * Lambda event libraries of other languages read them as signed bytes since 2023.
 */
final class KafkaEvents {

  static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Base64.Encoder BASE64 = Base64.getEncoder();

  private final String bootstrapServers;

  KafkaEvents(List<String> bootstrapServers) {
    this.bootstrapServers = String.join(",", bootstrapServers);
  }

  /** The event for records of one partition. */
  ObjectNode event(List<ConsumerRecord<byte[], byte[]>> records) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("eventSource", "SelfManagedKafka");
    n.put("bootstrapServers", bootstrapServers);
    ObjectNode byPartition = n.putObject("records");
    for (ConsumerRecord<byte[], byte[]> r : records) {
      String key = r.topic() + "-" + r.partition();
      ArrayNode list =
          byPartition.has(key) ? (ArrayNode) byPartition.get(key) : byPartition.putArray(key);
      list.add(record(r));
    }
    return n;
  }

  /**
   * The same event as {@link #event}, as objects, its JSON built only if needed.
   *
   * @param records records that never change afterwards
   * @param bounds the sum of their {@link KafkaBatches#jsonBound}s
   */
  KinesisBatch batch(List<ConsumerRecord<byte[], byte[]>> records, long bounds) {
    return KafkaBatches.of(bootstrapServers, records, bounds);
  }

  /** How much of the 6 MB payload limit the records' JSON bounds may use: all but the envelope. */
  long recordRoom(long maxPayloadBytes) {
    return maxPayloadBytes - KafkaBatches.envelopeBound(bootstrapServers);
  }

  /** The same event as {@link #event}, as the UTF-8 bytes an invocation sends. */
  byte[] eventBytes(List<ConsumerRecord<byte[], byte[]>> records) {
    return KafkaEventBytes.of(bootstrapServers, records);
  }

  /** One record as the event carries it; a null key or value is left out, as Lambda does. */
  static ObjectNode record(ConsumerRecord<byte[], byte[]> r) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("topic", r.topic());
    o.put("partition", r.partition());
    o.put("offset", r.offset());
    o.put("timestamp", r.timestamp());
    o.put("timestampType", r.timestampType().name()); // CREATE_TIME, not Kafka's CreateTime
    if (r.key() != null) {
      o.put("key", BASE64.encodeToString(r.key()));
    }
    if (r.value() != null) {
      o.put("value", BASE64.encodeToString(r.value()));
    }
    ArrayNode headers = o.putArray("headers");
    for (Header h : r.headers()) {
      ArrayNode bytes = headers.addObject().putArray(h.key());
      if (h.value() != null) {
        for (byte b : h.value()) {
          bytes.add(b);
        }
      }
    }
    return o;
  }

  /**
   * What filter patterns see: the record with its value JSON-decoded, or, when it is not JSON, as
   * its UTF-8 text: Lambda filters Kafka messages that are plain strings too (e.g. {@code {"value":
   * [{"anything-but": ["error"]}]}}), unlike Kinesis data.
   */
  static JsonNode filterView(ConsumerRecord<byte[], byte[]> r) {
    ObjectNode o = record(r);
    if (r.value() != null) {
      o.set("value", dev.sluice.mapper.filter.FilterCriteria.decodeOrText(r.value()));
    }
    return o;
  }
}
