package dev.sluice.examples.orders;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.sluice.sdk.BatchFailures;
import dev.sluice.sdk.Records;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;

/**
 * Turns every order event of a Kinesis stream into a customer notification, written to the stream
 * named by {@code NOTIFICATIONS_STREAM} (default {@code notifications}) with the order id as
 * partition key.
 *
 * <p>Each order's notifications are written in order (see {@link RetryingPublisher}). Those not
 * written, even after retries (a refused one, and those still held back when writing stopped), fail
 * the batch from the earliest record they came from (a batch item failure: the mapping needs {@code
 * FunctionResponseTypes: [ReportBatchItemFailures]}). A record that is not an order event gets no
 * notification and is logged, but does not fail the batch: retrying garbage cannot help, and the
 * {@link OrderProcessor} is the function that reports bad data.
 *
 * <p>Redeliveries produce the same notification again; its {@code notificationId} (the event id)
 * lets the consumer drop the copies.
 */
public class NotificationSender implements RequestHandler<KinesisEvent, StreamsEventResponse> {
  private final RetryingPublisher publisher;
  private final EmailBook emails = new EmailBook();

  /** Writes with a Kinesis client configured from the environment, built once per instance. */
  public NotificationSender() {
    this(KinesisPublisher.fromEnvironment(System.getenv()));
  }

  NotificationSender(NotificationPublisher publisher) {
    this(new RetryingPublisher(publisher));
  }

  NotificationSender(RetryingPublisher publisher) {
    this.publisher = publisher;
  }

  @Override
  public StreamsEventResponse handleRequest(KinesisEvent event, Context context) {
    LambdaLogger log = context.getLogger();
    if (event == null || event.getRecords() == null) {
      return BatchFailures.none();
    }
    List<KinesisEventRecord> sources = new ArrayList<>();
    List<NotificationPublisher.Entry> entries = new ArrayList<>();
    for (KinesisEventRecord record : event.getRecords()) {
      try {
        OrderEvent order = OrderEvent.from(record);
        Notification notification = Notification.of(order, emails.emailFor(order));
        entries.add(new NotificationPublisher.Entry(order.orderId(), notification.toJson()));
        sources.add(record);
      } catch (InvalidOrderEventException e) {
        log.log("MALFORMED seq=" + Records.id(record) + ", no notification: " + e.getMessage());
      }
    }
    SortedSet<Integer> failed = publisher.publishAll(entries, log);
    if (failed.isEmpty()) {
      log.log(
          "sent "
              + entries.size()
              + " notification(s) for "
              + event.getRecords().size()
              + " record(s)");
      return BatchFailures.none();
    }
    // Lambda redelivers from the lowest reported record on, so reporting the earliest is enough.
    KinesisEventRecord earliest = sources.get(failed.first());
    log.log(
        "FAILED to send "
            + failed.size()
            + " notification(s) after retries; reporting seq="
            + Records.id(earliest));
    return BatchFailures.of(earliest);
  }
}
