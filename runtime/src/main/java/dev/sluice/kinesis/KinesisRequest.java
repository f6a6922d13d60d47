package dev.sluice.kinesis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.stream.Arns;
import dev.sluice.stream.Shard;
import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;

/**
 * One decoded request: typed access to its members with Kinesis's validation, and the means to
 * build a response in the same encoding.
 */
final class KinesisRequest {

  private static final Pattern STREAM_NAME = Pattern.compile("[a-zA-Z0-9_.-]+");
  private static final Pattern STREAM_ARN =
      Pattern.compile("arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+");

  private final ObjectNode body;
  private final Wire wire;
  private final Arns arns;
  private final Executor eventLoop;

  KinesisRequest(ObjectNode body, Wire wire, Arns arns, Executor eventLoop) {
    this.body = body;
    this.wire = wire;
    this.arns = arns;
    this.eventLoop = eventLoop;
  }

  /**
   * Runs tasks on the event loop that took the request: storage futures complete on storage
   * threads, and building a response there would hold up the next group commit.
   */
  Executor eventLoop() {
    return eventLoop;
  }

  Wire wire() {
    return wire;
  }

  ObjectNode body() {
    return body;
  }

  /** The member, or null when absent or null. */
  JsonNode node(String field) {
    JsonNode n = body.get(field);
    return n == null || n.isNull() ? null : n;
  }

  String string(String field) {
    JsonNode n = node(field);
    if (n == null) {
      return null;
    }
    if (!n.isTextual()) {
      throw wrongType(field, "a string");
    }
    return unicode(n.textValue(), field);
  }

  /**
   * {@code s} if it is well-formed UTF-16: a JSON escape can carry a lone surrogate (U+D800, say),
   * which no UTF-8 or CBOR answer can hold, so a key or tag made of one would fail every later read
   * of it.
   */
  static String unicode(String s, String field) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new KinesisException(
            KinesisError.SerializationException,
            field
                + " is not valid Unicode: it holds an unpaired surrogate at character "
                + i
                + ".");
      }
    }
    return s;
  }

  String requireString(String field) {
    String s = string(field);
    if (s == null) {
      throw KinesisException.validation(lower(field), "null", "Member must not be null");
    }
    return s;
  }

  /** A string member whose length must lie within [min, max]. */
  String string(String field, int min, int max, boolean required) {
    String s = required ? requireString(field) : string(field);
    if (s != null && (s.length() < min || s.length() > max)) {
      throw KinesisException.validation(
          lower(field),
          s,
          "Member must have length "
              + (s.length() < min
                  ? "greater than or equal to " + min
                  : "less than or equal to " + max));
    }
    return s;
  }

  /**
   * A shard id member: 1 to 128 characters of the stream name's alphabet, as Kinesis's model
   * requires; anything else is a ValidationException, not a shard that is not found. Returned in
   * its full form: Kinesis finds a shard by the number after the id's last {@code -}, so {@code 1},
   * {@code shard-1} and {@code shardId-1} all name {@code shardId-000000000001}.
   */
  String shardId(String field, boolean required) {
    String id = string(field, 1, 128, required);
    if (id != null && !STREAM_NAME.matcher(id).matches()) {
      throw KinesisException.validation(
          lower(field), id, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    }
    return id == null ? null : fullShardId(id);
  }

  static String fullShardId(String id) {
    String number = id.substring(id.lastIndexOf('-') + 1);
    if (number.isEmpty() || !number.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return id; // no shard has such an id: it is not found under its own name
    }
    String digits = number.replaceFirst("^0+(?=\\d)", "");
    return digits.length() > 9 ? id : Shard.idOf(Integer.parseInt(digits));
  }

  /** A NextToken: at least one character (an empty one is a ValidationException), or null. */
  String nextToken() {
    return string("NextToken", 1, 1_048_576, false);
  }

  Integer integer(String field) {
    JsonNode n = node(field);
    if (n == null) {
      return null;
    }
    if (!n.canConvertToInt() || !n.isIntegralNumber()) {
      throw wrongType(field, "an integer");
    }
    return n.intValue();
  }

  /** An integer member within [min, max], or {@code dflt} when absent. */
  int integer(String field, int min, int max, int dflt, KinesisError whenOutOfRange) {
    Integer v = integer(field);
    if (v == null) {
      return dflt;
    }
    if (v < min || v > max) {
      String constraint =
          "Member must have value "
              + (v < min ? "greater than or equal to " + min : "less than or equal to " + max);
      if (whenOutOfRange == KinesisError.ValidationException) {
        throw KinesisException.validation(lower(field), v, constraint);
      }
      throw new KinesisException(
          whenOutOfRange, field + " " + v + " is out of range: " + constraint + ".");
    }
    return v;
  }

  Boolean bool(String field) {
    JsonNode n = node(field);
    if (n == null) {
      return null;
    }
    if (!n.isBoolean()) {
      throw wrongType(field, "a boolean");
    }
    return n.booleanValue();
  }

  ObjectNode object(String field) {
    JsonNode n = node(field);
    if (n == null) {
      return null;
    }
    if (!n.isObject()) {
      throw wrongType(field, "a structure");
    }
    return (ObjectNode) n;
  }

  ArrayNode array(String field) {
    JsonNode n = node(field);
    if (n == null) {
      return null;
    }
    if (!n.isArray()) {
      throw wrongType(field, "a list");
    }
    return (ArrayNode) n;
  }

  /** A blob member: a CBOR byte string or a JSON base64 string. */
  static byte[] blob(JsonNode n, String field) {
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isBinary() && !n.isTextual()) {
      throw wrongType(field, "a blob");
    }
    try {
      return n.binaryValue();
    } catch (IOException | IllegalArgumentException e) {
      throw new KinesisException(
          KinesisError.SerializationException, field + " is not valid base64.");
    }
  }

  Long timestampMillis(String field) {
    JsonNode n = node(field);
    if (n == null) {
      return null;
    }
    if (!n.isNumber()) {
      throw wrongType(field, "a timestamp");
    }
    return wire.timestampMillis(n);
  }

  /**
   * {@code field} when it has the StreamName shape (1-128 of {@code [a-zA-Z0-9_.-]}); null when
   * absent.
   */
  String streamNameShaped(String field) {
    String name = string(field, 1, 128, false);
    if (name != null && !STREAM_NAME.matcher(name).matches()) {
      throw KinesisException.validation(
          lower(field), name, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    }
    return name;
  }

  /**
   * {@code field} when it has the StreamARN shape; null when absent. A stream name where the ARN
   * belongs fails Kinesis's request validation, before any lookup.
   */
  String streamArnShaped(String field) {
    String arn = string(field, 1, 2048, false);
    if (arn != null && !STREAM_ARN.matcher(arn).matches()) {
      throw KinesisException.validation(
          lower(field), arn, "Member must satisfy regular expression pattern: " + STREAM_ARN);
    }
    return arn;
  }

  /**
   * The stream named by StreamName or StreamARN; when both are given they must name the same
   * stream.
   */
  String streamName() {
    String name = streamNameShaped("StreamName");
    String arn = streamArnShaped("StreamARN");
    String fromArn = arn == null ? null : arns.streamName(arn);
    if (arn != null && fromArn == null) {
      throw KinesisException.invalid(
          "StreamARN " + arn + " is not a stream ARN of this account and region.");
    }
    if (name == null && fromArn == null) {
      throw KinesisException.invalid("Either StreamName or StreamARN should be provided.");
    }
    if (name != null && fromArn != null && !name.equals(fromArn)) {
      throw KinesisException.invalid(
          "StreamName " + name + " and StreamARN " + arn + " do not match.");
    }
    return name != null ? name : fromArn;
  }

  /** A new object node for a response. */
  static ObjectNode newObject() {
    return JsonNodeFactory.instance.objectNode();
  }

  private static KinesisException wrongType(String field, String expected) {
    return new KinesisException(
        KinesisError.SerializationException, "Expected " + field + " to be " + expected + ".");
  }

  static String lower(String field) {
    return Character.toLowerCase(field.charAt(0)) + field.substring(1);
  }
}
