package dev.sluice.examples.hello;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.sluice.sdk.BatchFailures;
import dev.sluice.sdk.Records;
import java.util.Set;

/**
 * Reads order events from a Kinesis stream: each record is JSON {@code {"orderId": "...", "type":
 * "OrderPlaced" | "OrderShipped" | "OrderDelivered"}}.
 *
 * <p>Logs one line per record. The first record that is not a JSON object or has no known {@code
 * type} is reported as the batch item failure, and the batch stops there (the event-source mapping
 * needs {@code FunctionResponseTypes: [ReportBatchItemFailures]}).
 */
public class OrderEventsHandler implements RequestHandler<KinesisEvent, StreamsEventResponse> {
  static final Set<String> TYPES = Set.of("OrderPlaced", "OrderShipped", "OrderDelivered");

  /** The fields this handler reads; others are ignored. */
  public record OrderEvent(String orderId, String type) {}

  @Override
  public StreamsEventResponse handleRequest(KinesisEvent event, Context context) {
    LambdaLogger log = context.getLogger();
    return BatchFailures.forEach(
        event,
        record -> {
          OrderEvent order = Records.json(record, OrderEvent.class);
          if (order == null || !TYPES.contains(order.type())) {
            throw new IllegalArgumentException(
                "unknown order event type " + (order == null ? null : order.type()));
          }
          log.log(
              order.type()
                  + " order="
                  + order.orderId()
                  + " partitionKey="
                  + record.getKinesis().getPartitionKey()
                  + " seq="
                  + Records.id(record));
        },
        (record, error) -> log.log("FAILED seq=" + Records.id(record) + ": " + error.getMessage()));
  }
}
