package dev.sluice.examples.orders;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.sdk.RecordDecodingException;
import dev.sluice.sdk.Records;

/**
 * One order event, as carried by a Kinesis record: the fields every event has, plus the whole JSON
 * object for the type-specific ones.
 */
record OrderEvent(String eventId, String orderId, OrderState type, JsonNode body) {

  /** Decodes the record's data; throws if it is not an order event this pipeline knows. */
  static OrderEvent from(KinesisEventRecord record) throws InvalidOrderEventException {
    JsonNode json;
    try {
      json = Records.json(record);
    } catch (RecordDecodingException e) {
      throw new InvalidOrderEventException(e.getMessage(), e);
    }
    return from(json);
  }

  /** Reads an event from its JSON object. */
  static OrderEvent from(JsonNode json) throws InvalidOrderEventException {
    if (!json.isObject()) {
      throw new InvalidOrderEventException("an order event is a JSON object, not " + json);
    }
    String eventId = required(json, "eventId");
    String orderId = required(json, "orderId");
    String typeName = required(json, "type");
    OrderState type = OrderState.ofEventType(typeName);
    if (type == null) {
      throw new InvalidOrderEventException("unknown order event type " + typeName);
    }
    return new OrderEvent(eventId, orderId, type, json);
  }

  /** A text field of the event; {@code null} if absent, empty or not text. */
  String text(String field) {
    JsonNode value = body.get(field);
    return value != null && value.isTextual() && !value.asText().isEmpty() ? value.asText() : null;
  }

  private static String required(JsonNode json, String field) throws InvalidOrderEventException {
    JsonNode value = json.get(field);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      throw new InvalidOrderEventException("order event without " + field + ": " + json);
    }
    return value.asText();
  }
}
