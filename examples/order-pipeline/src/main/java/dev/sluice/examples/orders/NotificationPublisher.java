package dev.sluice.examples.orders;

import java.util.List;
import java.util.Map;

/** Writes records to the notifications stream, one request at a time (Kinesis PutRecords). */
interface NotificationPublisher {
  /** PutRecords takes at most this many records per request. */
  int MAX_ENTRIES = 500;

  /**
   * Writes up to {@link #MAX_ENTRIES} entries in one request.
   *
   * @return the positions in {@code entries} of those that were not written, each with the reason;
   *     empty if all were
   * @throws RuntimeException if the request as a whole failed
   */
  Map<Integer, String> publish(List<Entry> entries);

  /** One record to write. */
  record Entry(String partitionKey, byte[] data) {}
}
