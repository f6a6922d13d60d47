package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;

/**
 * Records {@code order-K#N} (key {@code order-K}, N counting up per key) put through the Kinesis
 * API, remembering which were acknowledged, and the check of their first deliveries' order.
 */
final class KeyedRecords {

  private final Map<String, Integer> next = new HashMap<>();
  private final Set<String> acked = new HashSet<>();

  /** Puts one record for each of {@code keys} keys; a failed call acknowledges none. */
  void put(KinesisClient kinesis, String stream, int keys) {
    List<PutRecordsRequestEntry> entries = new ArrayList<>();
    List<String> values = new ArrayList<>();
    for (int k = 0; k < keys; k++) {
      String key = "order-" + k;
      String value = key + "#" + next.merge(key, 1, Integer::sum);
      values.add(value);
      entries.add(
          PutRecordsRequestEntry.builder()
              .partitionKey(key)
              .data(SdkBytes.fromUtf8String(value))
              .build());
    }
    PutRecordsResponse r;
    try {
      r = kinesis.putRecords(b -> b.streamName(stream).records(entries));
    } catch (RuntimeException serverGone) {
      return;
    }
    for (int i = 0; i < values.size(); i++) {
      if (r.records().get(i).errorCode() == null) {
        acked.add(values.get(i));
      }
    }
  }

  /** The records acknowledged so far. */
  Set<String> acked() {
    return acked;
  }

  /**
   * Checks that on first delivery each key's counters only grow (a redelivery may repeat, never
   * reorder); returns how many distinct records were delivered. Lines torn by a kill are skipped.
   */
  static int assertFirstDeliveriesInKeyOrder(List<String> delivered) {
    Map<String, Integer> firstSeenMax = new HashMap<>();
    Set<String> seen = new HashSet<>();
    for (String value : delivered) {
      String[] p = value.split("#");
      if (p.length != 2 || !p[1].matches("\\d+") || !seen.add(value)) {
        continue;
      }
      int n = Integer.parseInt(p[1]);
      Integer prev = firstSeenMax.put(p[0], n);
      assertThat(prev == null || prev < n).as("first delivery order of %s at %d", p[0], n).isTrue();
    }
    return seen.size();
  }
}
