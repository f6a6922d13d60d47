package dev.sluice.mapper.kafka;

import java.util.HashMap;
import java.util.Map;

/**
 * How a Kafka mapping's consumer fetches. Apart from {@link KafkaRunner}, so that the benchmark's
 * raw consumer uses exactly these settings without the runtime's other libraries.
 */
public final class FetchSettings {

  /** How long the broker may hold a fetch that finds no records. */
  static final int FETCH_MAX_WAIT_MILLIS = 50;

  /** More than one fetch holds, so that a poll leaves nothing buffered. */
  static final int MAX_POLL_RECORDS = 100_000;

  /** A partition's share of a fetch; a larger first batch still comes whole. */
  static final int PARTITION_FETCH_BYTES = 256 * 1024;

  /** One fetch, and so one poll, brings at most this much (the client default is 50 MB). */
  static final int FETCH_MAX_BYTES = 16 * 1024 * 1024;

  private FetchSettings() {}

  /**
   * {@code max.poll.records}, {@code max.partition.fetch.bytes}, {@code fetch.max.bytes} and {@code
   * fetch.max.wait.ms}, as client properties.
   */
  public static Map<String, String> of() {
    Map<String, String> f = new HashMap<>();
    // kafka-clients sends no fetch to a broker while a partition it leads still has records
    // buffered in the consumer, paused partitions aside. A poll capped near the batch size left a
    // resumed partition's remainder buffered, so fetches went out half as often and carried half as
    // much. A poll takes all that is buffered instead, and small per-partition fetches keep what it
    // hands over past the pause limit small (at most one fetch, fetch.max.bytes, per broker).
    f.put("max.poll.records", String.valueOf(MAX_POLL_RECORDS));
    f.put("max.partition.fetch.bytes", String.valueOf(PARTITION_FETCH_BYTES));
    f.put("fetch.max.bytes", String.valueOf(FETCH_MAX_BYTES));
    // A paused partition is left out of the fetch in flight, and the consumer sends the next fetch
    // only when that one returns; when every partition in it is caught up, the broker holds it
    // for this long (500 ms by default), and a resumed partition with a backlog waits as long.
    f.put("fetch.max.wait.ms", String.valueOf(FETCH_MAX_WAIT_MILLIS));
    return Map.copyOf(f);
  }
}
