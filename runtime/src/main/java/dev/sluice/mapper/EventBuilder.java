package dev.sluice.mapper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.log.LogRecord;
import dev.sluice.mapper.filter.FilterCriteria;
import dev.sluice.stream.SequenceNumbers;
import dev.sluice.stream.Shard;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * Lambda's Kinesis event for a batch, field for field, and the record view filters match against.
 */
final class EventBuilder {

  static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Base64.Encoder BASE64 = Base64.getEncoder();

  private final String region;
  private final String streamArn;
  private final String roleArn;
  private final com.fasterxml.jackson.core.SerializableString regionText;
  private final com.fasterxml.jackson.core.SerializableString streamArnText;
  private final com.fasterxml.jackson.core.SerializableString roleArnText;
  // the stream incarnation whose sequence numbers the events carry; -1 until one is chosen, so
  // that a builder used before forGeneration fails instead of issuing numbers of no stream
  private final long generation;

  /** A builder for a mapping's stream; {@link #forGeneration} picks the stream's incarnation. */
  EventBuilder(String region, String accountId, String streamArn) {
    this.region = region;
    this.streamArn = streamArn;
    this.roleArn = "arn:aws:iam::" + accountId + ":role/sluice-event-source";
    this.regionText = new com.fasterxml.jackson.core.io.SerializedString(region);
    this.streamArnText = new com.fasterxml.jackson.core.io.SerializedString(streamArn);
    this.roleArnText = new com.fasterxml.jackson.core.io.SerializedString(roleArn);
    this.generation = -1;
  }

  private EventBuilder(EventBuilder of, long generation) {
    this.region = of.region;
    this.streamArn = of.streamArn;
    this.roleArn = of.roleArn;
    this.regionText = of.regionText;
    this.streamArnText = of.streamArnText;
    this.roleArnText = of.roleArnText;
    this.generation = generation;
  }

  /** This builder for the stream created at {@code createdMillis}, whose numbers events carry. */
  EventBuilder forGeneration(long createdMillis) {
    return new EventBuilder(this, createdMillis);
  }

  /** The creation time of the stream whose sequence numbers the events carry. */
  long generation() {
    return generation;
  }

  /**
   * The same event as {@link #event}, streamed straight to bytes: no tree, one pass. This is the
   * hot path of every delivery, so everything that repeats from record to record (field names,
   * constant values, the shard's sequence-number prefix) is written from pre-encoded bytes, and the
   * data is base64-encoded straight into the output.
   */
  byte[] eventBytes(Shard shard, List<LogRecord> batch) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(256 + batch.size() * 400);
    ShardText text = ShardText.of(shard, generation);
    try (com.fasterxml.jackson.core.JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeFieldName(Names.RECORDS);
      g.writeStartArray();
      for (LogRecord r : batch) {
        writeRecord(g, text, r);
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode an event", e);
    }
    return out.toByteArray();
  }

  private void writeRecord(com.fasterxml.jackson.core.JsonGenerator g, ShardText text, LogRecord r)
      throws IOException {
    byte[] seq = text.sequenceNumber(r.offset());
    g.writeStartObject();
    g.writeFieldName(Names.KINESIS);
    g.writeStartObject();
    g.writeFieldName(Names.SCHEMA_VERSION);
    g.writeString(Names.V1);
    g.writeFieldName(Names.PARTITION_KEY);
    g.writeString(r.partitionKey());
    g.writeFieldName(Names.SEQUENCE_NUMBER);
    g.writeRawUTF8String(seq, text.eventIdPrefixLength(), SequenceNumbers.LENGTH);
    g.writeFieldName(Names.DATA);
    g.writeBinary(r.data());
    g.writeFieldName(Names.ARRIVAL);
    char[] seconds = secondsText(r.arrivalMillis());
    g.writeNumber(seconds, 0, seconds.length);
    g.writeEndObject();
    g.writeFieldName(Names.EVENT_SOURCE);
    g.writeString(Names.AWS_KINESIS);
    g.writeFieldName(Names.EVENT_VERSION);
    g.writeString(Names.V1);
    g.writeFieldName(Names.EVENT_ID);
    g.writeRawUTF8String(seq, 0, seq.length);
    g.writeFieldName(Names.EVENT_NAME);
    g.writeString(Names.RECORD_EVENT);
    g.writeFieldName(Names.IDENTITY_ARN);
    g.writeString(roleArnText);
    g.writeFieldName(Names.REGION);
    g.writeString(regionText);
    g.writeFieldName(Names.SOURCE_ARN);
    g.writeString(streamArnText);
    g.writeEndObject();
  }

  /** {@link #seconds} as text, without a BigDecimal: whole seconds, a dot, three digits. */
  static char[] secondsText(long millis) {
    long whole = millis / 1000;
    int frac = (int) (millis % 1000);
    String w = Long.toString(whole);
    char[] out = new char[w.length() + 4];
    w.getChars(0, w.length(), out, 0);
    out[w.length()] = '.';
    out[w.length() + 1] = (char) ('0' + frac / 100);
    out[w.length() + 2] = (char) ('0' + frac / 10 % 10);
    out[w.length() + 3] = (char) ('0' + frac % 10);
    return out;
  }

  /** The event's JSON bytes, written straight from the tree. */
  static byte[] bytes(JsonNode event) {
    try {
      return MAPPER.writeValueAsBytes(event);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot encode an event", e);
    }
  }

  String streamArn() {
    return streamArn;
  }

  String region() {
    return region;
  }

  String roleArn() {
    return roleArn;
  }

  /** {@code {"Records": [...]}} for {@code batch}, with extra top-level members if given. */
  ObjectNode event(Shard shard, List<LogRecord> batch) {
    ObjectNode event = MAPPER.createObjectNode();
    ArrayNode records = event.putArray("Records");
    for (LogRecord r : batch) {
      records.add(record(shard, r));
    }
    return event;
  }

  /**
   * Lambda's KinesisTimeWindowEvent: the {@code Records} of {@code batch} (empty for the final
   * invoke) plus the window, its state, the shard and the window flags.
   */
  ObjectNode windowEvent(
      Shard shard,
      List<LogRecord> batch,
      long windowStart,
      long windowEnd,
      java.util.Map<String, String> state,
      boolean finalInvoke,
      boolean terminatedEarly) {
    ObjectNode event = event(shard, batch);
    ObjectNode window = event.putObject("window");
    window.put("start", iso(windowStart));
    window.put("end", iso(windowEnd));
    ObjectNode s = event.putObject("state");
    state.forEach(s::put);
    event.put("shardId", shard.id());
    event.put("eventSourceARN", streamArn);
    event.put("isFinalInvokeForWindow", finalInvoke);
    event.put("isWindowTerminatedEarly", terminatedEarly);
    return event;
  }

  ObjectNode record(Shard shard, LogRecord r) {
    String seq = shard.sequenceNumber(generation, r.offset());
    ObjectNode n = MAPPER.createObjectNode();
    n.set("kinesis", kinesis(seq, r, BASE64.encodeToString(r.data())));
    n.put("eventSource", "aws:kinesis");
    n.put("eventVersion", "1.0");
    n.put("eventID", shard.id() + ":" + seq);
    n.put("eventName", "aws:kinesis:record");
    n.put("invokeIdentityArn", roleArn);
    n.put("awsRegion", region);
    n.put("eventSourceARN", streamArn);
    return n;
  }

  /**
   * What a filter pattern sees: the record's metadata with {@code data} JSON-decoded; data that is
   * not JSON matches no pattern on it ({@link FilterCriteria#decode}).
   */
  JsonNode filterView(Shard shard, LogRecord r) {
    return kinesis(shard.sequenceNumber(generation, r.offset()), r, null)
        .set("data", FilterCriteria.decode(r.data()));
  }

  private static ObjectNode kinesis(String seq, LogRecord r, String data) {
    ObjectNode k = MAPPER.createObjectNode();
    k.put("kinesisSchemaVersion", "1.0");
    k.put("partitionKey", r.partitionKey());
    k.put("sequenceNumber", seq);
    if (data != null) {
      k.put("data", data);
    }
    k.put("approximateArrivalTimestamp", seconds(r.arrivalMillis()));
    return k;
  }

  /** Epoch seconds with millisecond fraction, as Lambda writes approximateArrivalTimestamp. */
  static BigDecimal seconds(long millis) {
    return BigDecimal.valueOf(millis, 3);
  }

  static String iso(long millis) {
    return Instant.ofEpochMilli(millis).toString();
  }
}
