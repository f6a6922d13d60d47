package dev.sluice.examples.orders;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Generates the events of many orders, interleaved as a shop would produce them: up to a window of
 * orders is in flight at once, and each step either starts the next order or advances a random one
 * of those in flight. Each order's own events come in order, Placed → Shipped → Delivered, except
 * for the one deliberately out-of-order event of an order chosen to be invalid.
 *
 * <p>Everything, event ids included, follows from the seed.
 */
final class OrderFlow {
  static final Instant START = Instant.parse("2026-11-25T10:00:00Z");
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Settings settings;
  private final Random random;
  private final FakeOrders fake;
  private Instant clock = START;

  /**
   * @param orders how many orders to generate
   * @param firstOrder the number of the first order ({@code o-000001} for 1)
   * @param invalidRate the fraction of orders that get one event that skips a state, 0 to 1
   * @param inFlight how many orders may be between Placed and Delivered at once
   * @param seed the seed of everything random
   */
  record Settings(int orders, int firstOrder, double invalidRate, int inFlight, long seed) {
    Settings {
      if (orders < 0 || firstOrder < 0 || inFlight < 1) {
        throw new IllegalArgumentException("orders and firstOrder >= 0, inFlight >= 1");
      }
      if (!(invalidRate >= 0 && invalidRate <= 1)) {
        throw new IllegalArgumentException("invalidRate is between 0 and 1: " + invalidRate);
      }
    }

    /** How many orders get an out-of-order event. */
    int invalidOrders() {
      return (int) Math.round(invalidRate * orders);
    }
  }

  OrderFlow(Settings settings) {
    this.settings = settings;
    this.random = new Random(settings.seed());
    this.fake = new FakeOrders(random);
  }

  static String orderId(int number) {
    return String.format("o-%06d", number);
  }

  /** Passes every event, in stream order, to {@code sink}. */
  void generate(Consumer<ObjectNode> sink) {
    List<Order> active = new ArrayList<>();
    int started = 0;
    int invalidLeft = settings.invalidOrders();
    while (started < settings.orders() || !active.isEmpty()) {
      // The chance to start an order shrinks as the window fills. Starts are a third of all steps
      // (an order has three events), so about two thirds of the window is in flight at a time.
      boolean start =
          started < settings.orders() && random.nextInt(settings.inFlight()) >= active.size();
      int pick = start ? active.size() : random.nextInt(active.size());
      if (start) {
        // selection sampling: exactly invalidOrders() of the orders are chosen, evenly spread
        boolean invalid = random.nextInt(settings.orders() - started) < invalidLeft;
        invalidLeft -= invalid ? 1 : 0;
        active.add(newOrder(settings.firstOrder() + started, invalid));
        started++;
      }
      Order order = active.get(pick);
      sink.accept(step(order));
      if (order.next == null) {
        active.set(pick, active.get(active.size() - 1));
        active.remove(active.size() - 1);
      }
    }
  }

  private Order newOrder(int number, boolean invalid) {
    // The bad event comes either before OrderPlaced (so the order is unknown) or right after it.
    OrderState skipBefore =
        !invalid ? null : random.nextBoolean() ? OrderState.PLACED : OrderState.SHIPPED;
    return new Order(orderId(number), fake.customer(number), skipBefore);
  }

  /** The order's next event: its next state, or the out-of-order one when due. */
  private ObjectNode step(Order order) {
    if (order.skipBefore == order.next && order.skipBefore != null) {
      order.skipBefore = null;
      // the state after the next one: skips a state
      return event(order, OrderState.values()[order.next.ordinal() + 1]);
    }
    ObjectNode event = event(order, order.next);
    order.advance();
    return event;
  }

  private ObjectNode event(Order order, OrderState type) {
    clock = clock.plusMillis(1 + random.nextInt(1500));
    ObjectNode event = MAPPER.createObjectNode();
    event.put("eventId", uuid().toString());
    event.put("orderId", order.id);
    event.put("type", type.eventType());
    event.put("at", clock.toString());
    switch (type) {
      case PLACED -> fake.fillPlaced(event, order.customer);
      case SHIPPED -> fake.fillShipped(event);
      case DELIVERED -> fake.fillDelivered(event, order.customer);
    }
    return event;
  }

  /** A version 4 (random) UUID drawn from the seeded generator. */
  private UUID uuid() {
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low);
  }

  /** An order in flight. */
  private static final class Order {
    final String id;
    final FakeOrders.Customer customer;
    OrderState next = OrderState.PLACED;
    OrderState skipBefore;

    Order(String id, FakeOrders.Customer customer, OrderState skipBefore) {
      this.id = id;
      this.customer = customer;
      this.skipBefore = skipBefore;
    }

    void advance() {
      next = next == OrderState.DELIVERED ? null : OrderState.values()[next.ordinal() + 1];
    }
  }
}
