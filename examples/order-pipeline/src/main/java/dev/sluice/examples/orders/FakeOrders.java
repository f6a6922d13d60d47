package dev.sluice.examples.orders;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.Random;

/** Plausible customers, baskets, carriers and signatures for generated order events. */
final class FakeOrders {
  private static final String[] FIRST_NAMES = {
    "Ana", "Ben", "Chloe", "Dmitri", "Esther", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemal",
    "Lena", "Mateo", "Nora", "Oskar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Viktor"
  };
  private static final String[] LAST_NAMES = {
    "Almeida", "Becker", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen", "Ivanova",
    "Jensen", "Kowalski", "Lindqvist", "Moreau", "Novak", "Okafor", "Petrov", "Rossi", "Sato"
  };
  private static final String[] CARRIERS = {"UPS", "DHL", "FedEx", "USPS", "GLS"};
  private static final int CATALOG_SIZE = 40;

  private final Random random;

  FakeOrders(Random random) {
    this.random = random;
  }

  /** A customer of the order with this number. */
  Customer customer(int orderNumber) {
    String first = pick(FIRST_NAMES);
    String last = pick(LAST_NAMES);
    String email = (first + "." + last + orderNumber + "@example.com").toLowerCase(Locale.ROOT);
    return new Customer(first + " " + last, email);
  }

  /** Adds {@code customer}, {@code email}, {@code items} and their {@code total}. */
  void fillPlaced(ObjectNode event, Customer customer) {
    event.put("customer", customer.name());
    event.put("email", customer.email());
    ArrayNode items = event.putArray("items");
    BigDecimal total = BigDecimal.ZERO.setScale(2);
    int lines = 1 + random.nextInt(4);
    for (int i = 0; i < lines; i++) {
      int product = random.nextInt(CATALOG_SIZE);
      int qty = 1 + random.nextInt(3);
      BigDecimal price = price(product);
      items.addObject().put("sku", "SKU-" + (1001 + product)).put("qty", qty).put("price", price);
      total = total.add(price.multiply(BigDecimal.valueOf(qty)));
    }
    event.put("total", total);
  }

  /** Adds {@code carrier} and {@code trackingNumber}. */
  void fillShipped(ObjectNode event) {
    String carrier = pick(CARRIERS);
    event.put("carrier", carrier);
    event.put("trackingNumber", carrier.substring(0, 2) + digits(12));
  }

  /** Adds {@code signedBy}: usually the customer, sometimes someone else. */
  void fillDelivered(ObjectNode event, Customer customer) {
    int who = random.nextInt(10);
    event.put("signedBy", who < 7 ? customer.name() : who < 9 ? "Neighbour" : "Front desk");
  }

  // A fixed price per product, so that the same SKU always costs the same.
  private static BigDecimal price(int product) {
    return BigDecimal.valueOf(299 + (product * 7919L) % 12000, 2);
  }

  private String digits(int count) {
    StringBuilder text = new StringBuilder(count);
    for (int i = 0; i < count; i++) {
      text.append((char) ('0' + random.nextInt(10)));
    }
    return text.toString();
  }

  private String pick(String[] choices) {
    return choices[random.nextInt(choices.length)];
  }

  /** Who placed an order. */
  record Customer(String name, String email) {}
}
