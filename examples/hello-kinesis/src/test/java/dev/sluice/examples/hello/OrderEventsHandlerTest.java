package dev.sluice.examples.hello;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse.BatchItemFailure;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import dev.sluice.sdk.Records;
import dev.sluice.sdk.testing.BatchRunner;
import dev.sluice.sdk.testing.KinesisEvents;
import dev.sluice.sdk.testing.TestContext;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class OrderEventsHandlerTest {
  private final OrderEventsHandler handler = new OrderEventsHandler();

  private static List<String> failedIds(StreamsEventResponse response) {
    return response.getBatchItemFailures().stream()
        .map(BatchItemFailure::getItemIdentifier)
        .toList();
  }

  private static String seq(KinesisEvent event, int index) {
    return event.getRecords().get(index).getKinesis().getSequenceNumber();
  }

  @Test
  void validOrders_succeedAndLogOneLinePerRecord() {
    KinesisEvent event =
        KinesisEvents.builder()
            .record("order-1", "{\"orderId\":\"order-1\",\"type\":\"OrderPlaced\"}")
            .record(
                "order-1", "{\"orderId\":\"order-1\",\"type\":\"OrderShipped\",\"carrier\":\"x\"}")
            .record("order-1", "{\"orderId\":\"order-1\",\"type\":\"OrderDelivered\"}")
            .build();
    TestContext context = TestContext.create();

    StreamsEventResponse response = handler.handleRequest(event, context);

    assertThat(response.getBatchItemFailures()).isEmpty();
    assertThat(context.logLines())
        .containsExactly(
            "OrderPlaced order=order-1 partitionKey=order-1 seq=" + seq(event, 0),
            "OrderShipped order=order-1 partitionKey=order-1 seq=" + seq(event, 1),
            "OrderDelivered order=order-1 partitionKey=order-1 seq=" + seq(event, 2));
  }

  @Test
  void invalidJson_reportedAsBatchItemFailureAndTheRestLeftForTheRetry() {
    KinesisEvent event =
        KinesisEvents.of(
            "{\"orderId\":\"o-1\",\"type\":\"OrderPlaced\"}", "{not json", "[\"an\",\"array\"]");
    TestContext context = TestContext.create();

    StreamsEventResponse response = handler.handleRequest(event, context);

    assertThat(failedIds(response)).containsExactly(seq(event, 1));
    assertThat(context.logLines()).hasSize(2);
    assertThat(context.logLines().get(1)).startsWith("FAILED seq=" + seq(event, 1));
  }

  @Test
  void unknownType_reportedAsBatchItemFailureBeforeAnyLaterRecordRuns() {
    KinesisEvent event =
        KinesisEvents.of(
            "{\"orderId\":\"o-1\",\"type\":\"OrderRefunded\"}",
            "{\"orderId\":\"o-2\"}",
            "null",
            "{\"orderId\":\"o-3\",\"type\":\"OrderPlaced\"}");
    TestContext context = TestContext.create();

    StreamsEventResponse response = handler.handleRequest(event, context);

    assertThat(failedIds(response)).containsExactly(seq(event, 0));
    assertThat(context.logLines())
        .singleElement()
        .asString()
        .contains("unknown order event type OrderRefunded");

    StreamsEventResponse missing =
        handler.handleRequest(KinesisEvents.of("{\"orderId\":\"o-2\"}", "null"), context);
    assertThat(missing.getBatchItemFailures()).hasSize(1);
  }

  @Test
  void realLambdaEvent_badRecordsReported() throws IOException {
    KinesisEvent event;
    try (InputStream in = getClass().getResourceAsStream("/events/kinesis-orders.json")) {
      event =
          LambdaEventSerializers.serializerFor(KinesisEvent.class, getClass().getClassLoader())
              .fromJson(in);
    }

    StreamsEventResponse response = handler.handleRequest(event, TestContext.create());

    // record 2 is not JSON (record 3, of the unknown type OrderRefunded, waits for its retry)
    assertThat(failedIds(response)).containsExactly(seq(event, 2));
  }

  @Test
  void batchRunner_badRecordRetriedThenSkippedWithItsBatch() {
    List<KinesisEventRecord> records =
        KinesisEvents.builder()
            .streamName("orders")
            .record("order-1", "{\"orderId\":\"order-1\",\"type\":\"OrderPlaced\"}")
            .record("order-2", "{\"orderId\":\"order-2\",\"type\":\"OrderPlaced\"}")
            .record("order-1", "garbage")
            .record("order-1", "{\"orderId\":\"order-1\",\"type\":\"OrderShipped\"}")
            .record("order-2", "{\"orderId\":\"order-2\",\"type\":\"OrderShipped\"}")
            .records();

    BatchRunner.Result result =
        BatchRunner.of(handler)
            .batchSize(2)
            .context(TestContext.builder().functionName("order-events").build())
            .run(records);

    // [0,1] ok; [2,3] fails at 2 three times (default 2 retries) and is skipped; [4] ok
    assertThat(result.invocations())
        .extracting(
            i -> i.records().stream().map(Records::utf8).toList().size() + "@" + i.outcome())
        .containsExactly(
            "2@SUCCESS",
            "2@PARTIAL_FAILURE",
            "2@PARTIAL_FAILURE",
            "2@PARTIAL_FAILURE",
            "1@SUCCESS");
    assertThat(result.succeeded()).containsExactly(records.get(0), records.get(1), records.get(4));
    assertThat(result.skipped()).containsExactly(records.get(2), records.get(3));
    assertThat(result.logLines()).filteredOn(l -> l.startsWith("FAILED")).hasSize(3);
  }
}
