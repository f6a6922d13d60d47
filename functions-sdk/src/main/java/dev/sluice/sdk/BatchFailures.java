package dev.sluice.sdk;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse.BatchItemFailure;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds the {@link StreamsEventResponse} a handler returns to report a partial batch failure
 * ({@code FunctionResponseTypes: [ReportBatchItemFailures]} on the event-source mapping).
 *
 * <p>How Lambda reads the response: an empty or {@code null} {@code batchItemFailures} list means
 * the whole batch succeeded. Otherwise Lambda checkpoints just before the <em>lowest</em> reported
 * sequence number and delivers the stream again from that record, so every record after it is
 * delivered again as well, whether or not it succeeded. A {@code null} or empty item identifier, or
 * one that is not in the batch, makes Lambda treat the whole batch as failed.
 */
public final class BatchFailures {
  private BatchFailures() {}

  /** The whole batch succeeded: an empty {@code batchItemFailures} list. */
  public static StreamsEventResponse none() {
    return new StreamsEventResponse(new ArrayList<>());
  }

  /**
   * The given records failed; each is reported by its sequence number. Order is kept and duplicates
   * are dropped. An empty list is the same as {@link #none()}.
   *
   * @throws IllegalArgumentException if a record has no sequence number, since Lambda would fail
   *     the whole batch for it
   */
  public static StreamsEventResponse of(List<KinesisEventRecord> failed) {
    List<String> ids = new ArrayList<>();
    for (KinesisEventRecord record : failed) {
      ids.add(Records.id(record));
    }
    return ofSequenceNumbers(ids);
  }

  /** The given records failed. */
  public static StreamsEventResponse of(KinesisEventRecord... failed) {
    return of(List.of(failed));
  }

  /**
   * The records with these sequence numbers failed. Order is kept and duplicates are dropped.
   *
   * @throws IllegalArgumentException if an identifier is null or empty
   */
  public static StreamsEventResponse ofSequenceNumbers(Collection<String> sequenceNumbers) {
    Set<String> unique = new LinkedHashSet<>();
    for (String id : sequenceNumbers) {
      if (id == null || id.isEmpty()) {
        throw new IllegalArgumentException(
            "a batch item failure needs a sequence number; Lambda would fail the whole batch");
      }
      unique.add(id);
    }
    List<BatchItemFailure> failures = new ArrayList<>(unique.size());
    for (String id : unique) {
      failures.add(new BatchItemFailure(id));
    }
    return new StreamsEventResponse(failures);
  }

  /** The records with these sequence numbers failed. */
  public static StreamsEventResponse ofSequenceNumbers(String... sequenceNumbers) {
    return ofSequenceNumbers(List.of(sequenceNumbers));
  }

  /**
   * Runs {@code processor} over the records of {@code event}, in order, until one throws; that one
   * is reported as the batch item failure and the records after it are left alone.
   *
   * <p>Lambda delivers the shard again from the lowest failed sequence number, so the records after
   * a failure come back anyway: processing them now would only do their work twice, and worse,
   * before the failed record's retry, so that a later event of the same key (an order's Shipped)
   * would take effect before an earlier one (its Placed). Stopping keeps the shard's order.
   *
   * @return {@link #none()} if every record succeeded (or the event has no records)
   */
  public static StreamsEventResponse forEach(KinesisEvent event, RecordProcessor processor) {
    return forEach(event, processor, (record, error) -> {});
  }

  /**
   * Like {@link #forEach(KinesisEvent, RecordProcessor)}, and calls {@code onFailure} for the
   * failed record, e.g. to log it with {@code context.getLogger()}.
   */
  public static StreamsEventResponse forEach(
      KinesisEvent event, RecordProcessor processor, FailureListener onFailure) {
    if (event == null || event.getRecords() == null) {
      return none();
    }
    for (KinesisEventRecord record : event.getRecords()) {
      try {
        processor.process(record);
      } catch (Exception e) {
        onFailure.failed(record, e);
        return of(record);
      }
    }
    return none();
  }

  /** Processes one record; throwing marks it failed. */
  @FunctionalInterface
  public interface RecordProcessor {
    void process(KinesisEventRecord record) throws Exception;
  }

  /** Told about each record whose processing threw. */
  @FunctionalInterface
  public interface FailureListener {
    void failed(KinesisEventRecord record, Exception error);
  }
}
