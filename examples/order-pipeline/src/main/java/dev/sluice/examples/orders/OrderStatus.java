package dev.sluice.examples.orders;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What is known of one order: its state, the event that put it there and the types of the events
 * applied so far.
 *
 * @param orderId the order
 * @param state the state the last applied event moved it to
 * @param lastEventId the {@code eventId} of that event
 * @param updatedAt when that event was applied
 * @param history the types of the applied events, oldest first
 */
public record OrderStatus(
    String orderId, OrderState state, String lastEventId, Instant updatedAt, List<String> history) {

  public OrderStatus {
    Objects.requireNonNull(orderId, "orderId");
    Objects.requireNonNull(state, "state");
    history = List.copyOf(history);
  }

  /** The status after applying {@code event}, which must be the next step from {@code current}. */
  static OrderStatus next(OrderStatus current, OrderEvent event, Instant now) {
    List<String> history = new ArrayList<>(current == null ? List.of() : current.history());
    history.add(event.type().eventType());
    return new OrderStatus(event.orderId(), event.type(), event.eventId(), now, history);
  }
}
