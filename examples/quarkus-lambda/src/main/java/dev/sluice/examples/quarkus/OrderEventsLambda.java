package dev.sluice.examples.quarkus;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse.BatchItemFailure;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads order events from a Kinesis stream, as a Quarkus CDI bean. Each record's data is JSON
 * {@code {"orderId": "...", "type": "OrderPlaced" | "OrderShipped" | "OrderDelivered"}}.
 *
 * <p>Quarkus' {@code QuarkusStreamHandler} (the handler named in the function's configuration)
 * boots the application and delegates to the bean named by {@code quarkus.lambda.handler}; the
 * event is read and the response written with Quarkus' own Jackson mapper.
 *
 * <p>Logs one line per record and a summary per batch. The first record whose data is not a JSON
 * object with a known {@code type} is reported in {@code batchItemFailures} (the event-source
 * mapping needs {@code FunctionResponseTypes: [ReportBatchItemFailures]}), and the batch stops
 * there, so that an order's events never take effect out of order.
 */
@Named("orders")
public class OrderEventsLambda implements RequestHandler<KinesisEvent, StreamsEventResponse> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Inject OrderCounts counts;

  @Override
  public StreamsEventResponse handleRequest(KinesisEvent event, Context context) {
    LambdaLogger log = context.getLogger();
    List<KinesisEvent.KinesisEventRecord> records =
        event.getRecords() == null ? List.of() : event.getRecords();
    Map<String, Integer> batch = new LinkedHashMap<>();
    OrderCounts.TYPES.forEach(type -> batch.put(type, 0));
    List<BatchItemFailure> failures = new ArrayList<>();

    for (KinesisEvent.KinesisEventRecord record : records) {
      KinesisEvent.Record kinesis = record.getKinesis();
      String seq = kinesis.getSequenceNumber();
      try {
        JsonNode order = JSON.readTree(bytes(kinesis.getData()));
        String type = order != null && order.isObject() ? order.path("type").asText(null) : null;
        if (!counts.isKnown(type)) {
          throw new IllegalArgumentException("unknown order event type " + type);
        }
        counts.add(type);
        batch.merge(type, 1, Integer::sum);
        line(
            log,
            type
                + " order="
                + order.path("orderId").asText("?")
                + " partitionKey="
                + kinesis.getPartitionKey()
                + " seq="
                + seq);
      } catch (Exception e) {
        line(
            log, "FAILED seq=" + seq + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
        failures.add(BatchItemFailure.builder().withItemIdentifier(seq).build());
        // Lambda delivers again from here: the records after it would run twice, and before it
        break;
      }
    }
    line(
        log,
        "batch of "
            + records.size()
            + ": "
            + batch
            + ", failures="
            + failures.size()
            + ", totals="
            + counts.snapshot());
    return StreamsEventResponse.builder().withBatchItemFailures(failures).build();
  }

  /**
   * One log line. LambdaLogger.log adds no line break of its own (Quarkus' test context prints the
   * text as is), so the line carries its own.
   */
  private static void line(LambdaLogger log, String text) {
    log.log(text + "\n");
  }

  private static byte[] bytes(ByteBuffer data) {
    if (data == null) {
      return new byte[0];
    }
    ByteBuffer copy = data.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return bytes;
  }
}
