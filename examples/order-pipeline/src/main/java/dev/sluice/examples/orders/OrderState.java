package dev.sluice.examples.orders;

/** The stages of an order, in the only order it may pass through them. */
public enum OrderState {
  PLACED("Placed", "OrderPlaced"),
  SHIPPED("Shipped", "OrderShipped"),
  DELIVERED("Delivered", "OrderDelivered");

  private final String label;
  private final String eventType;

  OrderState(String label, String eventType) {
    this.label = label;
    this.eventType = eventType;
  }

  /** The name stored in an order's state file, e.g. {@code Shipped}. */
  public String label() {
    return label;
  }

  /**
   * The {@code type} of the event that moves an order into this state, e.g. {@code OrderShipped}.
   */
  public String eventType() {
    return eventType;
  }

  /** The state reached by an event of this type; {@code null} if the type is unknown. */
  static OrderState ofEventType(String type) {
    for (OrderState state : values()) {
      if (state.eventType.equals(type)) {
        return state;
      }
    }
    return null;
  }

  /** The state with this label; {@code null} if there is none. */
  static OrderState ofLabel(String label) {
    for (OrderState state : values()) {
      if (state.label.equals(label)) {
        return state;
      }
    }
    return null;
  }
}
