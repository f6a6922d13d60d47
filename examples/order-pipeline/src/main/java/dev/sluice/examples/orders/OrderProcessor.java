package dev.sluice.examples.orders;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.sluice.sdk.BatchFailures;
import dev.sluice.sdk.Records;
import java.io.IOException;
import java.time.Clock;

/**
 * Keeps each order's state, Placed → Shipped → Delivered, from the order events of a Kinesis
 * stream.
 *
 * <p>An event for the next state is applied. An event for a state the order has already reached is
 * a redelivery (Kinesis delivers at least once) and is ignored. An event that would skip a state, a
 * record that is not an order event, or a store that fails, fails the record: it is logged and
 * reported as a batch item failure, and the rest of the batch is left for the redelivery, which
 * starts at that record. The event-source mapping needs {@code FunctionResponseTypes:
 * [ReportBatchItemFailures]}.
 *
 * <p>State is kept in {@code ORDER_STATE_DIR} (default {@code sluice-order-state} in the temp dir).
 */
public class OrderProcessor implements RequestHandler<KinesisEvent, StreamsEventResponse> {
  private final OrderStore store;
  private final Clock clock;

  /** Keeps state in files, in the directory named by {@code ORDER_STATE_DIR}. */
  public OrderProcessor() {
    this(FileOrderStore.fromEnvironment(System.getenv()));
  }

  /** Keeps state in {@code store}. */
  public OrderProcessor(OrderStore store) {
    this(store, Clock.systemUTC());
  }

  OrderProcessor(OrderStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  @Override
  public StreamsEventResponse handleRequest(KinesisEvent event, Context context) {
    LambdaLogger log = context.getLogger();
    if (event == null || event.getRecords() == null) {
      return BatchFailures.none();
    }
    int applied = 0;
    for (KinesisEventRecord record : event.getRecords()) {
      try {
        applied += process(record, log) ? 1 : 0;
      } catch (InvalidOrderEventException | IOException e) {
        // Later records are not processed: Lambda delivers them again after this one, and applying
        // them now could put an order's events out of order.
        log.log("REJECTED seq=" + Records.id(record) + ": " + e.getMessage());
        log.log("applied " + applied + " event(s), stopped at seq=" + Records.id(record));
        return BatchFailures.of(record);
      }
    }
    log.log("applied " + applied + " of " + event.getRecords().size() + " event(s)");
    return BatchFailures.none();
  }

  /** Returns whether the record changed an order; throws if it cannot be applied. */
  private boolean process(KinesisEventRecord record, LambdaLogger log)
      throws InvalidOrderEventException, IOException {
    OrderEvent event = OrderEvent.from(record);
    OrderStatus current = store.find(event.orderId()).orElse(null);
    switch (Transition.of(current, event.type())) {
      case APPLY:
        store.save(OrderStatus.next(current, event, clock.instant()));
        return true;
      case DUPLICATE:
        log.log(
            "duplicate "
                + describe(event)
                + ": order is already "
                + current.state().label()
                + ", ignored");
        return false;
      default:
        throw new InvalidOrderEventException(
            describe(event)
                + " skips ahead: order is "
                + (current == null ? "unknown" : current.state().label()));
    }
  }

  private static String describe(OrderEvent event) {
    return event.type().eventType() + " " + event.eventId() + " of order " + event.orderId();
  }
}
