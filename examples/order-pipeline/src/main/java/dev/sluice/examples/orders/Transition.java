package dev.sluice.examples.orders;

/** What an event does to an order, given the order's current state. */
enum Transition {
  /** The event moves the order to its next state. */
  APPLY,
  /** The order is already at or past the event's state: a redelivery, nothing to do. */
  DUPLICATE,
  /** The event would skip a state, so an earlier event is missing: it cannot be applied. */
  SKIP_AHEAD;

  /** {@code current} is {@code null} for an order no event has been applied to. */
  static Transition of(OrderStatus current, OrderState eventState) {
    int reached = current == null ? -1 : current.state().ordinal();
    int target = eventState.ordinal();
    if (target == reached + 1) {
      return APPLY;
    }
    return target <= reached ? DUPLICATE : SKIP_AHEAD;
  }
}
