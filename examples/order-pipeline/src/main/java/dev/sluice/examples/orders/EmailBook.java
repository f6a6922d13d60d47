package dev.sluice.examples.orders;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The customer email of recently placed orders, as seen by this function instance.
 *
 * <p>Only {@code OrderPlaced} carries the email. Kinesis sends all events of an order to the same
 * shard, so the instance reading that shard usually saw the order being placed; after a restart, or
 * for orders older than the most recent {@value #CAPACITY}, the email is not known.
 */
final class EmailBook {
  static final int CAPACITY = 20_000;

  private final Map<String, String> emails;

  EmailBook() {
    this(CAPACITY);
  }

  EmailBook(int capacity) {
    // access order + eldest removal: a small LRU cache
    this.emails =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > capacity;
          }
        };
  }

  /** Remembers the email the event carries, if any; returns the email known for its order. */
  synchronized String emailFor(OrderEvent event) {
    String email = event.text("email");
    if (email != null) {
      emails.put(event.orderId(), email);
      return email;
    }
    return emails.get(event.orderId());
  }
}
