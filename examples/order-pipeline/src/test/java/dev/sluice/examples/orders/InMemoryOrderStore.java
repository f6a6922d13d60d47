package dev.sluice.examples.orders;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** An {@link OrderStore} in a map, counting saves. */
final class InMemoryOrderStore implements OrderStore {
  final Map<String, OrderStatus> orders = new HashMap<>();
  int saves;

  @Override
  public Optional<OrderStatus> find(String orderId) {
    return Optional.ofNullable(orders.get(orderId));
  }

  @Override
  public void save(OrderStatus status) {
    saves++;
    orders.put(status.orderId(), status);
  }

  OrderState state(String orderId) {
    OrderStatus status = orders.get(orderId);
    return status == null ? null : status.state();
  }
}
