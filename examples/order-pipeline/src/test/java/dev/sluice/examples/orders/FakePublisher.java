package dev.sluice.examples.orders;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link NotificationPublisher} that keeps what it is given. It can refuse chosen notifications
 * (by event id) a number of times, or fail whole requests, as Kinesis does under throttling.
 */
final class FakePublisher implements NotificationPublisher {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  final List<List<Entry>> requests = new ArrayList<>();
  final List<Entry> stored = new ArrayList<>();
  private final Map<String, Integer> refusalsLeft = new HashMap<>();
  private int requestFailuresLeft;

  /** The notification of this event is refused the next {@code times} times it is sent. */
  FakePublisher refuse(String eventId, int times) {
    refusalsLeft.put(eventId, times);
    return this;
  }

  /** The next {@code times} requests fail as a whole. */
  FakePublisher failRequests(int times) {
    requestFailuresLeft = times;
    return this;
  }

  @Override
  public Map<Integer, String> publish(List<Entry> entries) {
    requests.add(List.copyOf(entries));
    if (requestFailuresLeft > 0) {
      requestFailuresLeft--;
      throw new IllegalStateException("connection reset");
    }
    Map<Integer, String> failed = new TreeMap<>();
    for (int i = 0; i < entries.size(); i++) {
      String eventId = json(entries.get(i)).get("eventId").asText();
      int left = refusalsLeft.getOrDefault(eventId, 0);
      if (left > 0) {
        refusalsLeft.put(eventId, left - 1);
        failed.put(i, "ProvisionedThroughputExceededException: Rate exceeded for shard");
      } else {
        stored.add(entries.get(i));
      }
    }
    return failed;
  }

  List<JsonNode> storedJson() {
    return stored.stream().map(FakePublisher::json).toList();
  }

  List<Integer> requestSizes() {
    return requests.stream().map(List::size).toList();
  }

  static JsonNode json(Entry entry) {
    try {
      return MAPPER.readTree(entry.data());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
