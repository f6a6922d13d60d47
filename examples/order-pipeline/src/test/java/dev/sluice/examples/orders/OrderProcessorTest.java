package dev.sluice.examples.orders;

import static dev.sluice.examples.orders.Fixtures.failedIds;
import static dev.sluice.examples.orders.Fixtures.seq;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.sluice.sdk.testing.BatchRunner;
import dev.sluice.sdk.testing.KinesisEvents;
import dev.sluice.sdk.testing.TestContext;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OrderProcessorTest {
  private static final Instant NOW = Instant.parse("2026-11-27T08:00:00Z");

  private final InMemoryOrderStore store = new InMemoryOrderStore();
  private final OrderProcessor processor =
      new OrderProcessor(store, Clock.fixed(NOW, ZoneOffset.UTC));

  @Test
  void handleRequest_orderFlowFixture_everyOrderDelivered() throws IOException {
    KinesisEvent event = Fixtures.event("order-flow.json");

    StreamsEventResponse response = processor.handleRequest(event, TestContext.create());

    assertThat(response.getBatchItemFailures()).isEmpty();
    OrderStatus status = store.orders.get("o-000123");
    assertThat(status.state()).isEqualTo(OrderState.DELIVERED);
    assertThat(status.history()).containsExactly("OrderPlaced", "OrderShipped", "OrderDelivered");
    assertThat(status.lastEventId()).isEqualTo("9a3b5c7d-8e1f-4a2b-9c4d-6e8f0a2b4c54");
    assertThat(status.updatedAt()).isEqualTo(NOW);
    assertThat(store.state("o-000124")).isEqualTo(OrderState.DELIVERED);
  }

  @Test
  void handleRequest_redeliveredEventInBatch_isNoOpAndLogged() throws IOException {
    KinesisEvent event = Fixtures.event("order-flow.json");
    TestContext context = TestContext.create();

    processor.handleRequest(event, context);

    // 7 records, of which one is a second copy of o-000123's OrderShipped
    assertThat(store.saves).isEqualTo(6);
    assertThat(context.logLines())
        .anySatisfy(
            line ->
                assertThat(line)
                    .startsWith("duplicate OrderShipped c41d8e2a")
                    .endsWith("order is already Shipped, ignored"));
  }

  @Test
  void handleRequest_wholeBatchAgain_changesNothingAndSucceeds() throws IOException {
    processor.handleRequest(Fixtures.event("order-flow.json"), TestContext.create());
    OrderStatus before = store.orders.get("o-000123");
    int savesBefore = store.saves;

    StreamsEventResponse response =
        processor.handleRequest(Fixtures.event("order-flow.json"), TestContext.create());

    assertThat(response.getBatchItemFailures()).isEmpty();
    assertThat(store.saves).isEqualTo(savesBefore);
    assertThat(store.orders.get("o-000123")).isEqualTo(before);
  }

  @Test
  void handleRequest_earlierStateAfterLaterOne_isNoOp() {
    KinesisEvent event =
        KinesisEvents.builder()
            .record("o-1", Events.placed("e1", "o-1"))
            .record("o-1", Events.shipped("e2", "o-1"))
            .record("o-1", Events.placed("e3", "o-1"))
            .build();

    StreamsEventResponse response = processor.handleRequest(event, TestContext.create());

    assertThat(response.getBatchItemFailures()).isEmpty();
    assertThat(store.orders.get("o-1").lastEventId()).isEqualTo("e2");
  }

  @Test
  void handleRequest_skipAheadFixture_reportsThatRecordAndStopsThere() throws IOException {
    KinesisEvent event = Fixtures.event("order-skip-ahead.json");
    TestContext context = TestContext.create();

    StreamsEventResponse response = processor.handleRequest(event, context);

    assertThat(failedIds(response)).containsExactly(seq(event, 1));
    // the OrderShipped after the rejected record would apply, but is left for the redelivery
    assertThat(store.state("o-000200")).isEqualTo(OrderState.PLACED);
    assertThat(context.logText())
        .contains("REJECTED seq=" + seq(event, 1))
        .contains("skips ahead: order is Placed");
  }

  @Test
  void handleRequest_shippedForUnknownOrder_rejected() {
    KinesisEvent event =
        KinesisEvents.builder()
            .record("o-1", Events.placed("e1", "o-1"))
            .record("o-2", Events.shipped("e2", "o-2"))
            .record("o-1", Events.shipped("e3", "o-1"))
            .build();
    TestContext context = TestContext.create();

    StreamsEventResponse response = processor.handleRequest(event, context);

    assertThat(failedIds(response)).containsExactly(seq(event, 1));
    assertThat(store.orders).containsOnlyKeys("o-1");
    assertThat(store.state("o-1")).isEqualTo(OrderState.PLACED);
    assertThat(context.logText()).contains("skips ahead: order is unknown");
  }

  @Test
  void handleRequest_malformedFixture_reportsTheFirstBadRecord() throws IOException {
    KinesisEvent event = Fixtures.event("order-malformed.json");
    TestContext context = TestContext.create();

    StreamsEventResponse response = processor.handleRequest(event, context);

    assertThat(failedIds(response)).containsExactly(seq(event, 1));
    assertThat(store.state("o-000300")).isEqualTo(OrderState.PLACED);
    assertThat(context.logText()).contains("REJECTED seq=" + seq(event, 1), "not valid JSON");
  }

  @Test
  void handleRequest_unknownType_reported() throws IOException {
    KinesisEvent event = Fixtures.event("order-malformed.json");
    event.setRecords(List.of(event.getRecords().get(0), event.getRecords().get(2)));
    TestContext context = TestContext.create();

    StreamsEventResponse response = processor.handleRequest(event, context);

    assertThat(failedIds(response)).containsExactly(seq(event, 1));
    assertThat(context.logText()).contains("unknown order event type OrderRefunded");
  }

  @Test
  void handleRequest_eventWithoutEventId_reported() {
    KinesisEvent event =
        KinesisEvents.of(
            "{\"orderId\":\"o-1\",\"type\":\"OrderPlaced\"}", Events.placed("e", "o-2"));
    TestContext context = TestContext.create();

    StreamsEventResponse response = processor.handleRequest(event, context);

    assertThat(failedIds(response)).containsExactly(seq(event, 0));
    assertThat(store.orders).isEmpty();
    assertThat(context.logText()).contains("order event without eventId");
  }

  @Test
  void handleRequest_jsonThatIsNotAnObject_reported() {
    KinesisEvent event = KinesisEvents.of(Events.placed("e", "o-1"), "[1,2]");

    StreamsEventResponse response = processor.handleRequest(event, TestContext.create());

    assertThat(failedIds(response)).containsExactly(seq(event, 1));
    assertThat(store.state("o-1")).isEqualTo(OrderState.PLACED);
  }

  @Test
  void handleRequest_storeFails_recordReportedAndLogged() {
    OrderStore broken =
        new OrderStore() {
          @Override
          public Optional<OrderStatus> find(String orderId) {
            return Optional.empty();
          }

          @Override
          public void save(OrderStatus status) throws IOException {
            throw new IOException("disk full");
          }
        };
    KinesisEvent event = KinesisEvents.of(Events.placed("e1", "o-1"), Events.placed("e2", "o-2"));
    TestContext context = TestContext.create();

    StreamsEventResponse response = new OrderProcessor(broken).handleRequest(event, context);

    assertThat(failedIds(response)).containsExactly(seq(event, 0));
    assertThat(context.logText()).contains("disk full");
  }

  @Test
  void handleRequest_noRecords_succeeds() {
    assertThat(
            processor
                .handleRequest(new KinesisEvent(), TestContext.create())
                .getBatchItemFailures())
        .isEmpty();
  }

  @Test
  void batchRunner_rejectedEventSkipped_ordersAroundItStillDelivered() {
    List<KinesisEventRecord> records =
        KinesisEvents.builder()
            .record("o-1", Events.placed("e1", "o-1"))
            .record("o-2", Events.placed("e2", "o-2"))
            .record("o-1", Events.delivered("bad", "o-1"))
            .record("o-2", Events.shipped("e3", "o-2"))
            .record("o-1", Events.shipped("e4", "o-1"))
            .record("o-1", Events.delivered("e5", "o-1"))
            .record("o-2", Events.delivered("e6", "o-2"))
            .records();

    BatchRunner.Result result = BatchRunner.of(processor).batchSize(1).maxRetries(1).run(records);

    assertThat(result.skipped()).containsExactly(records.get(2));
    assertThat(store.state("o-1")).isEqualTo(OrderState.DELIVERED);
    assertThat(store.state("o-2")).isEqualTo(OrderState.DELIVERED);
    assertThat(store.orders.get("o-1").history())
        .containsExactly("OrderPlaced", "OrderShipped", "OrderDelivered");
  }
}
