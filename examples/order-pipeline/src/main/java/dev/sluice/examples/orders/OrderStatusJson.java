package dev.sluice.examples.orders;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON form of an {@link OrderStatus}: {@code {"orderId", "state", "lastEventId", "updatedAt",
 * "history": [event types]}}.
 */
final class OrderStatusJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private OrderStatusJson() {}

  static byte[] write(OrderStatus status) throws IOException {
    ObjectNode json = MAPPER.createObjectNode();
    json.put("orderId", status.orderId());
    json.put("state", status.state().label());
    json.put("lastEventId", status.lastEventId());
    json.put("updatedAt", status.updatedAt() == null ? null : status.updatedAt().toString());
    ArrayNode history = json.putArray("history");
    status.history().forEach(history::add);
    return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(json);
  }

  static OrderStatus read(byte[] content) throws IOException {
    JsonNode json = MAPPER.readTree(content);
    OrderState state = json == null ? null : OrderState.ofLabel(json.path("state").asText());
    if (state == null || !json.path("orderId").isTextual()) {
      throw new IOException("not an order status: " + json);
    }
    List<String> history = new ArrayList<>();
    json.path("history").forEach(type -> history.add(type.asText()));
    return new OrderStatus(
        json.get("orderId").asText(),
        state,
        json.path("lastEventId").asText(null),
        instant(json.path("updatedAt").asText(null)),
        history);
  }

  private static Instant instant(String text) throws IOException {
    try {
      return text == null ? null : Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new IOException("bad updatedAt " + text, e);
    }
  }
}
