package dev.sluice.sdk;

import com.amazonaws.services.lambda.runtime.events.KafkaEvent.KafkaEventRecord;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Decodes the payload of stream records delivered to a Lambda handler.
 *
 * <p>A Kinesis record's data is the {@link ByteBuffer} of {@code record.getKinesis().getData()}.
 * These methods read the bytes between its position and limit through a duplicate, so the buffer's
 * position, limit and mark are left as they were and a record can be decoded any number of times.
 *
 * <p>A Kafka record's {@code value} and {@code key} are base64 strings, as Lambda delivers them.
 *
 * <p>Decoding is strict: malformed UTF-8, empty or malformed JSON and trailing garbage after a JSON
 * value all throw {@link RecordDecodingException}, whose message names the record. Binding to a
 * class ignores JSON properties the class does not declare, so producers may add fields. A type
 * Jackson cannot bind at all (an abstract class or interface, or a field such as {@code
 * java.time.Instant} whose Jackson module is not on the class path) is the handler's fault, not the
 * record's: that throws {@link IllegalStateException}. Jackson modules on the class path are
 * registered.
 *
 * <p>All methods are thread-safe.
 */
public final class Records {
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .findAndRegisterModules() // e.g. jackson-datatype-jsr310, when the handler ships it
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private Records() {}

  // ---- Kinesis

  /** The record's sequence number, the {@code itemIdentifier} of a batch item failure. */
  public static String id(KinesisEventRecord record) {
    return record == null || record.getKinesis() == null
        ? null
        : record.getKinesis().getSequenceNumber();
  }

  /** A copy of the record's data bytes; the record's buffer is not disturbed. */
  public static byte[] bytes(KinesisEventRecord record) {
    String id = id(record);
    if (record == null) {
      throw new RecordDecodingException(null, "Kinesis record is null", null);
    }
    if (record.getKinesis() == null || record.getKinesis().getData() == null) {
      throw new RecordDecodingException(id, "Kinesis record " + id + " has no data", null);
    }
    ByteBuffer view = record.getKinesis().getData().duplicate();
    byte[] bytes = new byte[view.remaining()];
    view.get(bytes);
    return bytes;
  }

  /** The record's data as UTF-8 text. */
  public static String utf8(KinesisEventRecord record) {
    return decodeUtf8(bytes(record), describe(record), id(record));
  }

  /** The record's data parsed as one JSON value. */
  public static JsonNode json(KinesisEventRecord record) {
    return parse(bytes(record), describe(record), id(record));
  }

  /** The record's data parsed as JSON and bound to {@code type}. */
  public static <T> T json(KinesisEventRecord record, Class<T> type) {
    return bind(bytes(record), type, describe(record), id(record));
  }

  // ---- Kafka

  /** {@code topic-partition@offset}, e.g. {@code orders-3@42}. */
  public static String id(KafkaEventRecord record) {
    return record == null
        ? null
        : record.getTopic() + "-" + record.getPartition() + "@" + record.getOffset();
  }

  /** The record's value, base64-decoded. */
  public static byte[] bytes(KafkaEventRecord record) {
    return base64(record, record == null ? null : record.getValue(), "value");
  }

  /** The record's value as UTF-8 text. */
  public static String utf8(KafkaEventRecord record) {
    return decodeUtf8(bytes(record), describe(record), id(record));
  }

  /** The record's value parsed as one JSON value. */
  public static JsonNode json(KafkaEventRecord record) {
    return parse(bytes(record), describe(record), id(record));
  }

  /** The record's value parsed as JSON and bound to {@code type}. */
  public static <T> T json(KafkaEventRecord record, Class<T> type) {
    return bind(bytes(record), type, describe(record), id(record));
  }

  /** The record's key, base64-decoded; {@code null} if the record has no key. */
  public static byte[] keyBytes(KafkaEventRecord record) {
    if (record != null && record.getKey() == null) {
      return null;
    }
    return base64(record, record == null ? null : record.getKey(), "key");
  }

  /** The record's key as UTF-8 text; {@code null} if the record has no key. */
  public static String keyUtf8(KafkaEventRecord record) {
    byte[] key = keyBytes(record);
    return key == null ? null : decodeUtf8(key, describe(record) + " key", id(record));
  }

  // ---- shared

  private static byte[] base64(KafkaEventRecord record, String text, String field) {
    String id = id(record);
    if (record == null) {
      throw new RecordDecodingException(null, "Kafka record is null", null);
    }
    if (text == null) {
      throw new RecordDecodingException(id, describe(record) + " has no " + field, null);
    }
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new RecordDecodingException(
          id, describe(record) + " " + field + " is not valid base64: " + e.getMessage(), e);
    }
  }

  private static String describe(KinesisEventRecord record) {
    return "Kinesis record " + id(record);
  }

  private static String describe(KafkaEventRecord record) {
    return "Kafka record " + id(record);
  }

  private static String decodeUtf8(byte[] bytes, String what, String id) {
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes));
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw new RecordDecodingException(
          id, what + " is not valid UTF-8 (" + e.getMessage() + ")", e);
    }
  }

  private static JsonNode parse(byte[] bytes, String what, String id) {
    if (bytes.length == 0) {
      throw new RecordDecodingException(id, what + " is empty, not JSON", null);
    }
    try {
      JsonNode node = MAPPER.readTree(bytes);
      if (node == null || node.isMissingNode()) {
        throw new RecordDecodingException(id, what + " holds no JSON value", null);
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new RecordDecodingException(
          id, what + " is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new RecordDecodingException(id, what + " could not be read as JSON: " + e, e);
    }
  }

  private static <T> T bind(byte[] bytes, Class<T> type, String what, String id) {
    if (type == null) {
      throw new IllegalArgumentException("type must not be null");
    }
    if (bytes.length == 0) {
      throw new RecordDecodingException(id, what + " is empty, not JSON", null);
    }
    try {
      return MAPPER.readValue(bytes, type);
    } catch (InvalidDefinitionException e) {
      // the class, not the record, is at fault: every record would fail alike, and a handler
      // skipping undecodable records would drop them all
      throw new IllegalStateException(
          type.getName() + " cannot be bound from JSON: " + e.getOriginalMessage(), e);
    } catch (JsonProcessingException e) {
      throw new RecordDecodingException(
          id,
          what + " does not decode as JSON " + type.getSimpleName() + ": " + e.getOriginalMessage(),
          e);
    } catch (IOException e) {
      throw new RecordDecodingException(id, what + " could not be read as JSON: " + e, e);
    }
  }
}
