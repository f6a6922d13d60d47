package dev.sluice.examples.orders;

/** Order event JSON for tests. */
final class Events {
  private Events() {}

  static String placed(String eventId, String orderId) {
    return "{\"eventId\":\""
        + eventId
        + "\",\"orderId\":\""
        + orderId
        + "\",\"type\":\"OrderPlaced\",\"at\":\"2026-11-25T10:00:00Z\",\"customer\":\"Ana Costa\""
        + ",\"email\":\"ana@example.com\",\"items\":[{\"sku\":\"SKU-1001\",\"qty\":2,\"price\":9.5}]"
        + ",\"total\":19.00}";
  }

  static String shipped(String eventId, String orderId) {
    return "{\"eventId\":\""
        + eventId
        + "\",\"orderId\":\""
        + orderId
        + "\",\"type\":\"OrderShipped\",\"at\":\"2026-11-25T12:00:00Z\",\"carrier\":\"UPS\""
        + ",\"trackingNumber\":\"1Z999\"}";
  }

  static String delivered(String eventId, String orderId) {
    return "{\"eventId\":\""
        + eventId
        + "\",\"orderId\":\""
        + orderId
        + "\",\"type\":\"OrderDelivered\",\"at\":\"2026-11-26T09:00:00Z\",\"signedBy\":\"Ana Costa\"}";
  }
}
