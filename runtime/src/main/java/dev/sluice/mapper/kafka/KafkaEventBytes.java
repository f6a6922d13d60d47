package dev.sluice.mapper.kafka;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * The event of {@link KafkaEvents#event}, streamed straight to UTF-8 bytes. Every delivery goes
 * through here: building a tree, rendering it to a String and encoding that cost the poll thread
 * three copies of each batch, so the JSON is written in one pass with pre-encoded field names. The
 * text is the tree's, byte for byte.
 */
final class KafkaEventBytes {

  private static final SerializableString TOPIC = new SerializedString("topic");
  private static final SerializableString PARTITION = new SerializedString("partition");
  private static final SerializableString OFFSET = new SerializedString("offset");
  private static final SerializableString TIMESTAMP = new SerializedString("timestamp");
  private static final SerializableString TIMESTAMP_TYPE = new SerializedString("timestampType");
  private static final SerializableString KEY = new SerializedString("key");
  private static final SerializableString VALUE = new SerializedString("value");
  private static final SerializableString HEADERS = new SerializedString("headers");

  private static final Base64.Encoder BASE64 = Base64.getEncoder();

  private KafkaEventBytes() {}

  /** The SelfManagedKafka event for {@code records}, grouped by topic-partition as they come. */
  static byte[] of(String bootstrapServers, List<ConsumerRecord<byte[], byte[]>> records) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256 + records.size() * 320);
    try (JsonGenerator g = KafkaEvents.MAPPER.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("eventSource", "SelfManagedKafka");
      g.writeStringField("bootstrapServers", bootstrapServers);
      g.writeObjectFieldStart("records");
      for (Map.Entry<String, List<ConsumerRecord<byte[], byte[]>>> e :
          byPartition(records).entrySet()) {
        g.writeArrayFieldStart(e.getKey());
        for (ConsumerRecord<byte[], byte[]> r : e.getValue()) {
          write(g, r);
        }
        g.writeEndArray();
      }
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode a Kafka event", e);
    }
    return out.toByteArray();
  }

  /** A batch is normally one partition's: the common case allocates no map entries per record. */
  private static Map<String, List<ConsumerRecord<byte[], byte[]>>> byPartition(
      List<ConsumerRecord<byte[], byte[]>> records) {
    Map<String, List<ConsumerRecord<byte[], byte[]>>> groups = new LinkedHashMap<>();
    String lastKey = null;
    List<ConsumerRecord<byte[], byte[]>> last = null;
    for (ConsumerRecord<byte[], byte[]> r : records) {
      if (last == null || !sameTopicPartition(last.get(0), r)) {
        lastKey = r.topic() + "-" + r.partition();
        last = groups.computeIfAbsent(lastKey, k -> new ArrayList<>());
      }
      last.add(r);
    }
    return groups;
  }

  private static boolean sameTopicPartition(
      ConsumerRecord<byte[], byte[]> a, ConsumerRecord<byte[], byte[]> b) {
    return a.partition() == b.partition() && a.topic().equals(b.topic());
  }

  /**
   * Base64 text needs no escaping, so it goes out as it is; the JDK's encoder is an intrinsic and
   * several times faster than the generator's own base64 loop.
   */
  private static void writeBase64(JsonGenerator g, byte[] data) throws IOException {
    byte[] text = BASE64.encode(data);
    g.writeRawUTF8String(text, 0, text.length);
  }

  private static void write(JsonGenerator g, ConsumerRecord<byte[], byte[]> r) throws IOException {
    g.writeStartObject();
    g.writeFieldName(TOPIC);
    g.writeString(r.topic());
    g.writeFieldName(PARTITION);
    g.writeNumber(r.partition());
    g.writeFieldName(OFFSET);
    g.writeNumber(r.offset());
    g.writeFieldName(TIMESTAMP);
    g.writeNumber(r.timestamp());
    g.writeFieldName(TIMESTAMP_TYPE);
    g.writeString(r.timestampType().name());
    if (r.key() != null) {
      g.writeFieldName(KEY);
      writeBase64(g, r.key());
    }
    if (r.value() != null) {
      g.writeFieldName(VALUE);
      writeBase64(g, r.value());
    }
    g.writeFieldName(HEADERS);
    g.writeStartArray();
    for (Header h : r.headers()) {
      g.writeStartObject();
      g.writeArrayFieldStart(h.key());
      if (h.value() != null) {
        for (byte b : h.value()) {
          g.writeNumber(b); // signed, as in Lambda's events
        }
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }
}
