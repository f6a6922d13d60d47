package dev.sluice.kinesis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.IOException;

/**
 * The two encodings of the Kinesis protocol. They differ in more than syntax: in JSON, blobs are
 * base64 strings and timestamps are epoch seconds with a fraction; in CBOR (what the AWS SDK for
 * Java sends by default), blobs are byte strings and timestamps are epoch milliseconds.
 */
enum Wire {
  JSON("application/x-amz-json-1.1", strict(new ObjectMapper())),
  CBOR("application/x-amz-cbor-1.1", strict(new CBORMapper()));

  private final String contentType;
  private final ObjectMapper mapper;

  Wire(String contentType, ObjectMapper mapper) {
    this.contentType = contentType;
    this.mapper = mapper;
  }

  /** A body with anything after its one value is malformed, not that value. */
  private static ObjectMapper strict(ObjectMapper mapper) {
    return mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  /** The encoding a request's Content-Type names; JSON unless it names CBOR. */
  static Wire of(String contentType) {
    return contentType != null && contentType.contains("cbor") ? CBOR : JSON;
  }

  String contentType() {
    return contentType;
  }

  /** Parses a request body, which must be one object. */
  ObjectNode parse(byte[] body) {
    if (body.length == 0) {
      return JsonNodeFactory.instance.objectNode();
    }
    JsonNode node;
    try {
      node = mapper.readTree(body);
    } catch (IOException e) {
      throw new KinesisException(
          KinesisError.SerializationException, "Malformed request body: " + firstLine(e));
    }
    if (node == null || node.isMissingNode() || node.isNull()) {
      return JsonNodeFactory.instance.objectNode();
    }
    if (!(node instanceof ObjectNode object)) {
      throw new KinesisException(
          KinesisError.SerializationException, "The request body must be an object.");
    }
    return object;
  }

  byte[] write(JsonNode node) {
    try {
      return mapper.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode a response", e);
    }
  }

  /** A timestamp as this encoding carries it. */
  JsonNode timestamp(long epochMillis) {
    return this == CBOR
        ? JsonNodeFactory.instance.numberNode(epochMillis)
        : JsonNodeFactory.instance.numberNode(epochMillis / 1000.0);
  }

  /** Reads a timestamp this encoding carries (milliseconds in CBOR, seconds in JSON). */
  long timestampMillis(JsonNode node) {
    return this == CBOR ? node.asLong() : Math.round(node.asDouble() * 1000.0);
  }

  private static String firstLine(IOException e) {
    String msg =
        String.valueOf(
            (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
    int nl = msg.indexOf('\n');
    return nl < 0 ? msg : msg.substring(0, nl);
  }
}
