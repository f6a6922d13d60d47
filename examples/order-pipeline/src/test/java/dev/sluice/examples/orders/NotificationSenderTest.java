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
import java.util.List;
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
    assertThat(publisher.stored)
        .extracting(NotificationPublisher.Entry::partitionKey)
        .containsExactly(
            "o-000123", "o-000124", "o-000123", "o-000123", "o-000124", "o-000123", "o-000124");
    assertThat(publisher.storedJson())
        .extracting(n -> n.get("message").asText())
        .containsExactly(
            "Order o-000123 has been placed, total 52.48",
            "Order o-000124 has been placed, total 89.0",
            "Order o-000123 has shipped via UPS",
            "Order o-000123 has shipped via UPS",
            "Order o-000124 has shipped via DHL",
            "Order o-000123 has been delivered, signed by Ana Costa",
            "Order o-000124 has been delivered, signed by Neighbour");
  }

  @Test
  void handleRequest_shippedEvent_notificationHasEveryFieldAndTheEmailFromPlaced()
      throws IOException {
    sender.handleRequest(Fixtures.event("order-flow.json"), TestContext.create());

    JsonNode shipped = publisher.storedJson().get(2);
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
    assertThat(publisher.requestSizes()).containsExactly(3, 1, 1);
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
    assertThat(publisher.requestSizes()).containsExactly(4, 2, 2, 2);
    assertThat(pauses).containsExactly(50L, 100L, 200L);
    assertThat(context.logText()).contains("FAILED to send 2 notification(s)");
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
