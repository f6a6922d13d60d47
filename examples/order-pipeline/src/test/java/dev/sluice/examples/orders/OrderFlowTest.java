package dev.sluice.examples.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.sdk.testing.BatchRunner;
import dev.sluice.sdk.testing.KinesisEvents;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class OrderFlowTest {
  private static List<ObjectNode> generate(int orders, double invalidRate, long seed) {
    List<ObjectNode> events = new ArrayList<>();
    new OrderFlow(new OrderFlow.Settings(orders, 1, invalidRate, 50, seed)).generate(events::add);
    return events;
  }

  private static Map<String, List<String>> typesByOrder(List<ObjectNode> events) {
    Map<String, List<String>> types = new LinkedHashMap<>();
    for (JsonNode event : events) {
      types
          .computeIfAbsent(event.get("orderId").asText(), id -> new ArrayList<>())
          .add(event.get("type").asText());
    }
    return types;
  }

  @Test
  void generate_noInvalidRate_everyOrderPlacedShippedDeliveredInOrder() {
    List<ObjectNode> events = generate(500, 0, 42);

    Map<String, List<String>> types = typesByOrder(events);
    assertThat(events).hasSize(1500);
    assertThat(types.keySet())
        .containsExactlyInAnyOrderElementsOf(
            IntStream.rangeClosed(1, 500).mapToObj(OrderFlow::orderId).toList());
    assertThat(types.values())
        .allSatisfy(
            list ->
                assertThat(list).containsExactly("OrderPlaced", "OrderShipped", "OrderDelivered"));
  }

  @Test
  void generate_manyOrders_eventsOfOrdersInFlightInterleave() {
    List<ObjectNode> events = generate(300, 0, 1);

    Set<String> open = new HashSet<>();
    int mostOpen = 0;
    for (JsonNode event : events) {
      String orderId = event.get("orderId").asText();
      if (event.get("type").asText().equals("OrderDelivered")) {
        open.remove(orderId);
      } else {
        open.add(orderId);
      }
      mostOpen = Math.max(mostOpen, open.size());
    }
    assertThat(mostOpen).isBetween(25, 50);
  }

  @Test
  void generate_everyEvent_hasAFreshVersion4EventIdAndATimeThatGoesForward() {
    List<ObjectNode> events = generate(1000, 0.1, 7);

    Set<String> ids = new HashSet<>();
    events.forEach(e -> ids.add(e.get("eventId").asText()));
    assertThat(ids).hasSize(events.size());
    assertThat(UUID.fromString(events.get(0).get("eventId").asText()).version()).isEqualTo(4);
    assertThat(events)
        .extracting(e -> e.get("at").asText())
        .isSortedAccordingTo(
            (a, b) -> java.time.Instant.parse(a).compareTo(java.time.Instant.parse(b)));
  }

  @Test
  void generate_sameSeed_sameEvents_otherSeed_otherEvents() {
    assertThat(generate(100, 0.2, 99)).isEqualTo(generate(100, 0.2, 99));
    assertThat(generate(100, 0.2, 99)).isNotEqualTo(generate(100, 0.2, 100));
  }

  @Test
  void generate_orderPlaced_carriesCustomerEmailItemsAndTheirTotal() {
    for (JsonNode placed : generate(50, 0, 3)) {
      if (!placed.get("type").asText().equals("OrderPlaced")) {
        continue;
      }
      BigDecimal sum = BigDecimal.ZERO;
      for (JsonNode item : placed.get("items")) {
        sum = sum.add(item.get("price").decimalValue().multiply(item.get("qty").decimalValue()));
      }
      assertThat(placed.get("items")).isNotEmpty();
      assertThat(placed.get("total").decimalValue()).isEqualByComparingTo(sum);
      assertThat(placed.get("email").asText()).endsWith("@example.com");
      assertThat(placed.get("customer").asText()).contains(" ");
    }
  }

  @Test
  void generate_invalidRate_thatShareOfOrdersGetsOneEventTheProcessorRejects() {
    List<ObjectNode> events = generate(200, 0.1, 5);
    KinesisEvents.Builder stream = KinesisEvents.builder().streamName("orders");
    events.forEach(e -> stream.record(e.get("orderId").asText(), e.toString()));
    List<KinesisEventRecord> records = stream.records();
    InMemoryOrderStore store = new InMemoryOrderStore();

    // one record per batch and no retries: a rejected record is skipped on its own
    BatchRunner.Result result =
        BatchRunner.of(new OrderProcessor(store)).batchSize(1).maxRetries(0).run(records);

    assertThat(events).hasSize(200 * 3 + 20);
    assertThat(result.skipped()).hasSize(20);
    assertThat(result.logLines())
        .filteredOn(line -> line.startsWith("REJECTED"))
        .hasSize(20)
        .allSatisfy(line -> assertThat(line).contains("skips ahead"));
    assertThat(store.orders).hasSize(200);
    assertThat(store.orders.values())
        .allSatisfy(s -> assertThat(s.state()).isEqualTo(OrderState.DELIVERED));
  }

  @Test
  void settings_rateOutsideZeroToOne_rejected() {
    assertThatThrownBy(() -> new OrderFlow.Settings(10, 1, 1.5, 50, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
