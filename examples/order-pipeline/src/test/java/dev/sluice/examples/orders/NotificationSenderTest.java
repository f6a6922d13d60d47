package dev.sluice.examples.orders;

import static dev.sluice.examples.orders.Fixtures.failedIds;
import static dev.sluice.examples.orders.Fixtures.seq;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.sdk.testing.KinesisEvents;
import dev.sluice.sdk.testing.TestContext;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NotificationSenderTest {
  private final FakePublisher publisher = new FakePublisher();
  private final List<Long> pauses = new ArrayList<>();
  private final NotificationSender sender =
      new NotificationSender(
          new RetryingPublisher(publisher, 3, Duration.ofMillis(50), pauses::add));

  @Test
  void handleRequest_orderFlowFixture_oneNotificationPerEventKeyedByOrder() throws IOException {
    KinesisEvent event = Fixtures.event("order-flow.json");

    StreamsEventResponse response = sender.handleRequest(event, TestContext.create());

    assertThat(response.getBatchItemFailures()).isEmpty();
    assertThat(messagesOf("o-000123"))
        .containsExactly(
            "Order o-000123 has been placed, total 52.48",
            "Order o-000123 has shipped via UPS",
            "Order o-000123 has shipped via UPS",
            "Order o-000123 has been delivered, signed by Ana Costa");
    assertThat(messagesOf("o-000124"))
        .containsExactly(
            "Order o-000124 has been placed, total 89.0",
            "Order o-000124 has shipped via DHL",
            "Order o-000124 has been delivered, signed by Neighbour");
    // one notification per order and request: the orders' 4 and 3 events take 4 requests
    assertThat(publisher.requestSizes()).containsExactly(2, 2, 2, 1);
  }

  private List<String> messagesOf(String orderId) {
    return publisher.storedJson().stream()
        .filter(n -> n.get("orderId").asText().equals(orderId))
        .map(n -> n.get("message").asText())
        .toList();
  }

  @Test
  void handleRequest_shippedEvent_notificationHasEveryFieldAndTheEmailFromPlaced()
      throws IOException {
    sender.handleRequest(Fixtures.event("order-flow.json"), TestContext.create());

    JsonNode shipped =
        publisher.storedJson().stream()
            .filter(n -> n.get("eventId").asText().equals("c41d8e2a-6f7b-4a19-b3e5-0d9c2f8a7e32"))
            .findFirst()
            .orElseThrow();
    assertThat(shipped.toString())
        .isEqualTo(
            "{\"notificationId\":\"c41d8e2a-6f7b-4a19-b3e5-0d9c2f8a7e32\","
                + "\"eventId\":\"c41d8e2a-6f7b-4a19-b3e5-0d9c2f8a7e32\",\"orderId\":\"o-000123\","
                + "\"type\":\"OrderShipped\",\"channel\":\"email\",\"to\":\"ana.costa@example.com\","
                + "\"message\":\"Order o-000123 has shipped via UPS\"}");
  }

  @Test
  void handleRequest_orderPlacedElsewhere_notificationToNull() {
    KinesisEvent event = KinesisEvents.of(Events.shipped("e-9", "o-9"));

    sender.handleRequest(event, TestContext.create());

    JsonNode notification = publisher.storedJson().get(0);
    assertThat(notification.get("to").isNull()).isTrue();
    assertThat(notification.get("notificationId").asText()).isEqualTo("e-9");
  }

  @Test
  void handleRequest_malformedFixture_badRecordsLoggedAndBatchSucceeds() throws IOException {
    KinesisEvent event = Fixtures.event("order-malformed.json");
    TestContext context = TestContext.create();

    StreamsEventResponse response = sender.handleRequest(event, context);

    assertThat(response.getBatchItemFailures()).isEmpty();
    assertThat(publisher.storedJson())
        .extracting(n -> n.get("type").asText())
        .containsExactly("OrderPlaced");
    assertThat(context.logText())
        .contains("MALFORMED seq=" + seq(event, 1))
        .contains("MALFORMED seq=" + seq(event, 2), "unknown order event type OrderRefunded");
  }

  @Test
  void handleRequest_entryRefusedTwice_retriedUntilWrittenWithGrowingPauses() {
    KinesisEvent event =
        KinesisEvents.of(
            Events.placed("e1", "o-1"), Events.placed("e2", "o-2"), Events.shipped("e3", "o-1"));
    publisher.refuse("e2", 2);

    StreamsEventResponse response = sender.handleRequest(event, TestContext.create());

    assertThat(response.getBatchItemFailures()).isEmpty();
    // e3 goes with e2's first retry: it is o-1's, whose e1 is written
    assertThat(publisher.requestSizes()).containsExactly(2, 2, 1);
    assertThat(publisher.storedJson())
        .extracting(n -> n.get("eventId").asText())
        .containsExactly("e1", "e3", "e2");
    assertThat(pauses).containsExactly(50L, 100L);
  }

  @Test
  void handleRequest_entriesRefusedBeyondRetries_earliestSourceRecordReported() {
    KinesisEvent event =
        KinesisEvents.of(
            "garbage",
            Events.placed("e1", "o-1"),
            Events.placed("e2", "o-2"),
            Events.shipped("e3", "o-1"),
            Events.shipped("e4", "o-2"));
    publisher.refuse("e3", 100).refuse("e2", 100);
    TestContext context = TestContext.create();

    StreamsEventResponse response = sender.handleRequest(event, context);

    // record 0 has no notification, so notification 1 (e2) comes from record 2
    assertThat(failedIds(response)).containsExactly(seq(event, 2));
    // e4 waits behind e2, its order's earlier notification, and is never sent
    assertThat(publisher.requestSizes()).containsExactly(2, 2, 2, 2);
    assertThat(publisher.storedJson())
        .extracting(n -> n.get("eventId").asText())
        .containsExactly("e1");
    assertThat(pauses).containsExactly(50L, 100L, 200L);
    assertThat(context.logText()).contains("FAILED to send 3 notification(s)");
  }

  @Test
  void handleRequest_earlierNotificationOfAnOrderRefused_laterOnesOfTheOrderWaitForIt() {
    KinesisEvent event =
        KinesisEvents.of(
            Events.placed("e1", "o-1"),
            Events.shipped("e2", "o-1"),
            Events.placed("e3", "o-2"),
            Events.delivered("e4", "o-1"));
    publisher.refuse("e1", 1);

    StreamsEventResponse response = sender.handleRequest(event, TestContext.create());

    assertThat(response.getBatchItemFailures()).isEmpty();
    assertThat(publisher.storedJson())
        .extracting(n -> n.get("eventId").asText())
        .containsExactly("e3", "e1", "e2", "e4");
    assertThat(publisher.requestSizes()).containsExactly(2, 1, 1, 1);
    assertThat(pauses).containsExactly(50L);
  }

  @Test
  void handleRequest_manyEventsPerOrderSomeRefused_eachOrdersNotificationsInOrder() {
    Random random = new Random(7);
    List<String> data = new ArrayList<>();
    Map<String, List<String>> sent = new HashMap<>();
    for (int i = 0; i < 600; i++) {
      String eventId = "e" + i;
      String orderId = "o-" + random.nextInt(40);
      data.add(Events.shipped(eventId, orderId));
      sent.computeIfAbsent(orderId, k -> new ArrayList<>()).add(eventId);
      if (random.nextInt(5) == 0) {
        publisher.refuse(eventId, 1 + random.nextInt(3));
      }
    }

    StreamsEventResponse response =
        sender.handleRequest(KinesisEvents.of(data), TestContext.create());

    assertThat(response.getBatchItemFailures()).isEmpty();
    for (List<NotificationPublisher.Entry> request : publisher.requests) {
      assertThat(request)
          .extracting(NotificationPublisher.Entry::partitionKey)
          .doesNotHaveDuplicates();
    }
    Map<String, List<String>> stored = new HashMap<>();
    for (NotificationPublisher.Entry entry : publisher.stored) {
      stored
          .computeIfAbsent(entry.partitionKey(), k -> new ArrayList<>())
          .add(FakePublisher.json(entry).get("eventId").asText());
    }
    assertThat(stored).isEqualTo(sent);
  }

  @Test
  void handleRequest_requestFailsOnce_wholeRequestRetried() {
    KinesisEvent event = KinesisEvents.of(Events.placed("e1", "o-1"), Events.placed("e2", "o-2"));
    publisher.failRequests(1);
    TestContext context = TestContext.create();

    StreamsEventResponse response = sender.handleRequest(event, context);

    assertThat(response.getBatchItemFailures()).isEmpty();
    assertThat(publisher.requestSizes()).containsExactly(2, 2);
    assertThat(publisher.stored).hasSize(2);
    assertThat(context.logText()).contains("connection reset");
  }

  @Test
  void handleRequest_1200Events_writtenInRequestsOfAtMost500() {
    List<String> data = new ArrayList<>();
    for (int i = 0; i < 1200; i++) {
      data.add(Events.placed("e" + i, "o-" + i));
    }
    publisher.refuse("e10", 1).refuse("e700", 1);

    StreamsEventResponse response =
        sender.handleRequest(KinesisEvents.of(data), TestContext.create());

    assertThat(response.getBatchItemFailures()).isEmpty();
    assertThat(publisher.requestSizes()).containsExactly(500, 500, 200, 2);
    assertThat(publisher.stored).hasSize(1200);
  }
}
