package dev.sluice.examples.quarkus;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Running totals of the order events one warm instance has seen, per event type. */
@ApplicationScoped
public class OrderCounts {
  /** The event types the handler accepts; anything else is a malformed record. */
  public static final List<String> TYPES = List.of("OrderPlaced", "OrderShipped", "OrderDelivered");

  private final Map<String, AtomicLong> totals = new LinkedHashMap<>();

  public OrderCounts() {
    TYPES.forEach(type -> totals.put(type, new AtomicLong()));
  }

  public boolean isKnown(String type) {
    return type != null && totals.containsKey(type);
  }

  public void add(String type) {
    totals.get(type).incrementAndGet();
  }

  /** A copy of the totals, in the order of {@link #TYPES}. */
  public Map<String, Long> snapshot() {
    Map<String, Long> copy = new LinkedHashMap<>();
    totals.forEach((type, count) -> copy.put(type, count.get()));
    return copy;
  }
}
