package dev.sluice.examples.orders;

import java.io.IOException;
import java.util.Optional;

/** Where {@link OrderProcessor} keeps the status of each order. */
public interface OrderStore {
  /** The order's status; empty if no event of the order has been applied yet. */
  Optional<OrderStatus> find(String orderId) throws IOException;

  /** Stores the status, replacing the order's previous one; durable once this returns. */
  void save(OrderStatus status) throws IOException;
}
