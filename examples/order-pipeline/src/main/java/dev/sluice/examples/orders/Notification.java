package dev.sluice.examples.orders;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;

/**
 * The customer notification for one order event. Its id is the event's id, so a consumer can drop
 * the copies that redeliveries produce.
 */
record Notification(
    String notificationId,
    String eventId,
    String orderId,
    String type,
    String channel,
    String to,
    String message) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The notification for {@code event}, to {@code email} ({@code null} if not known). */
  static Notification of(OrderEvent event, String email) {
    return new Notification(
        event.eventId(),
        event.eventId(),
        event.orderId(),
        event.type().eventType(),
        "email",
        email,
        message(event));
  }

  /** The message text, e.g. {@code Order o-000123 has shipped via UPS}. */
  static String message(OrderEvent event) {
    String order = "Order " + event.orderId();
    switch (event.type()) {
      case PLACED:
        String total = total(event.body().get("total"));
        return order + " has been placed" + (total == null ? "" : ", total " + total);
      case SHIPPED:
        String carrier = event.text("carrier");
        return order + " has shipped" + (carrier == null ? "" : " via " + carrier);
      default:
        String signedBy = event.text("signedBy");
        return order + " has been delivered" + (signedBy == null ? "" : ", signed by " + signedBy);
    }
  }

  /** The notification as a JSON object, in UTF-8. */
  byte[] toJson() {
    ObjectNode json = MAPPER.createObjectNode();
    json.put("notificationId", notificationId);
    json.put("eventId", eventId);
    json.put("orderId", orderId);
    json.put("type", type);
    json.put("channel", channel);
    json.put("to", to);
    json.put("message", message);
    try {
      return MAPPER.writeValueAsBytes(json);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String total(JsonNode total) {
    if (total == null) {
      return null;
    }
    if (total.isNumber()) {
      return total.decimalValue().toPlainString();
    }
    return total.isTextual() && !total.asText().isEmpty() ? total.asText() : null;
  }
}
