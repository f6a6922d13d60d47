package dev.sluice.sdk.testing;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse.BatchItemFailure;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Drives a Kinesis handler over a list of records the way a Lambda event-source mapping with {@code
 * ReportBatchItemFailures} does, in a plain unit test: no server, no threads, no clock.
 *
 * <p>The records are taken as one shard, in order. Batches of up to {@link #batchSize(int)} records
 * are delivered, one invocation at a time. After each invocation:
 *
 * <ul>
 *   <li><b>Success</b>: the handler returned {@code null}, a {@link StreamsEventResponse} with a
 *       {@code null} or empty {@code batchItemFailures}, or any other value (a plain {@code
 *       RequestHandler<KinesisEvent, ?>}). The checkpoint moves past the batch.
 *   <li><b>Partial failure</b>: every reported {@code itemIdentifier} is the sequence number of a
 *       record in the batch. The records before the lowest reported one succeed; the next batch
 *       starts at the lowest reported one (so later records are delivered again).
 *   <li><b>Whole batch failed</b>: the handler threw, or reported an item failure that is {@code
 *       null}, has a {@code null} or empty identifier, or names a record not in the batch. The next
 *       batch starts at the same record.
 * </ul>
 *
 * <p>Retries are counted per checkpoint. After a failure, the record the next batch starts with has
 * failed once more (if the checkpoint did not move) or for the first time (if a partial failure
 * moved it). Once that count exceeds {@link #maxRetries(int)}, the records of the last batch from
 * the checkpoint on are <em>skipped</em> (Lambda would send them to the on-failure destination) and
 * delivery resumes after that batch. With the default of 2 retries a record is delivered at most
 * three times before being skipped. A {@code Map} response is read like Lambda reads JSON: its
 * {@code batchItemFailures} list of {@code {"itemIdentifier": ...}} objects.
 *
 * <p>Each invocation gets its own event and record objects (with data buffers at position 0) and
 * its own {@link TestContext}, derived from {@link #context(TestContext)}, whose request id is a
 * UUID derived from the invocation's number, so runs are deterministic.
 *
 * <pre>{@code
 * BatchRunner.Result result = BatchRunner.of(new OrderEventsHandler())
 *     .batchSize(10)
 *     .run(KinesisEvents.records("{...}", "{...}"));
 * assertThat(result.skipped()).isEmpty();
 * }</pre>
 */
public final class BatchRunner {
  /** Lambda's default batch size for Kinesis. */
  public static final int DEFAULT_BATCH_SIZE = 100;

  public static final int DEFAULT_MAX_RETRIES = 2;

  private final RequestHandler<KinesisEvent, ?> handler;
  private int batchSize = DEFAULT_BATCH_SIZE;
  private int maxRetries = DEFAULT_MAX_RETRIES;
  private TestContext context = TestContext.builder().build();

  private BatchRunner(RequestHandler<KinesisEvent, ?> handler) {
    this.handler = Objects.requireNonNull(handler, "handler");
  }

  /** A runner for a handler that may return a {@link StreamsEventResponse} or anything else. */
  public static BatchRunner of(RequestHandler<KinesisEvent, ?> handler) {
    return new BatchRunner(handler);
  }

  /** Most records per invocation, 1 to 10,000; default 100. */
  public BatchRunner batchSize(int batchSize) {
    if (batchSize < 1 || batchSize > 10_000) {
      throw new IllegalArgumentException("batchSize must be 1 to 10000, was " + batchSize);
    }
    this.batchSize = batchSize;
    return this;
  }

  /** Retries of a failing batch before its records are skipped, 0 to 10,000; default 2. */
  public BatchRunner maxRetries(int maxRetries) {
    if (maxRetries < 0 || maxRetries > 10_000) {
      throw new IllegalArgumentException("maxRetries must be 0 to 10000, was " + maxRetries);
    }
    this.maxRetries = maxRetries;
    return this;
  }

  /**
   * The settings (function name, timeout, clock...) of the invocations' contexts; each invocation
   * gets {@code context.nextInvocation(requestId)}.
   */
  public BatchRunner context(TestContext context) {
    this.context = Objects.requireNonNull(context, "context");
    return this;
  }

  /** Runs the records of {@code event}, as one shard. */
  public Result run(KinesisEvent event) {
    return run(event.getRecords() == null ? List.of() : event.getRecords());
  }

  /** Delivers every record; returns once each has succeeded or been skipped. */
  public Result run(List<KinesisEventRecord> records) {
    List<KinesisEventRecord> all = List.copyOf(records);
    List<Invocation> invocations = new ArrayList<>();
    List<KinesisEventRecord> succeeded = new ArrayList<>();
    List<KinesisEventRecord> skipped = new ArrayList<>();

    int checkpoint = 0; // index of the next record to deliver
    int failures = 0; // failed deliveries of the record at the checkpoint
    while (checkpoint < all.size()) {
      List<KinesisEventRecord> batch =
          all.subList(checkpoint, Math.min(all.size(), checkpoint + batchSize));
      Invocation invocation = invoke(invocations.size() + 1, failures, batch);
      invocations.add(invocation);

      int firstFailed; // index in batch of the first record to deliver again
      switch (invocation.outcome()) {
        case SUCCESS:
          succeeded.addAll(batch);
          checkpoint += batch.size();
          failures = 0;
          continue;
        case PARTIAL_FAILURE:
          firstFailed = invocation.lowestFailedIndex;
          break;
        default:
          firstFailed = 0;
          break;
      }
      succeeded.addAll(batch.subList(0, firstFailed));
      failures = firstFailed > 0 ? 1 : failures + 1;
      checkpoint += firstFailed;
      if (failures > maxRetries) {
        skipped.addAll(batch.subList(firstFailed, batch.size()));
        checkpoint += batch.size() - firstFailed;
        failures = 0;
      }
    }
    return new Result(invocations, succeeded, skipped);
  }

  private Invocation invoke(int number, int attempt, List<KinesisEventRecord> batch) {
    List<KinesisEventRecord> delivered = new ArrayList<>(batch.size());
    Map<String, Integer> indexBySequence = new HashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      delivered.add(copy(batch.get(i)));
      String seq =
          batch.get(i).getKinesis() == null ? null : batch.get(i).getKinesis().getSequenceNumber();
      if (seq != null) {
        indexBySequence.putIfAbsent(seq, i);
      }
    }
    KinesisEvent event = new KinesisEvent();
    event.setRecords(delivered);
    String requestId =
        UUID.nameUUIDFromBytes(("sluice-batch-runner-" + number).getBytes(StandardCharsets.UTF_8))
            .toString();
    TestContext invocationContext = context.nextInvocation(requestId);

    Object response;
    try {
      response = handler.handleRequest(event, invocationContext);
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) {
      return new Invocation(
          number,
          attempt,
          delivered,
          invocationContext,
          null,
          e,
          Outcome.ERROR,
          List.of(),
          -1,
          "handler threw " + e);
    }

    List<String> reported;
    try {
      reported = reportedFailures(response);
    } catch (IllegalArgumentException e) {
      return new Invocation(
          number,
          attempt,
          delivered,
          invocationContext,
          response,
          null,
          Outcome.INVALID_RESPONSE,
          List.of(),
          -1,
          e.getMessage());
    }
    if (reported.isEmpty()) {
      return new Invocation(
          number,
          attempt,
          delivered,
          invocationContext,
          response,
          null,
          Outcome.SUCCESS,
          List.of(),
          -1,
          null);
    }
    int lowest = Integer.MAX_VALUE;
    for (String id : reported) {
      Integer index = id == null || id.isEmpty() ? null : indexBySequence.get(id);
      if (index == null) {
        String why =
            id == null
                ? "an itemIdentifier is null"
                : id.isEmpty()
                    ? "an itemIdentifier is empty"
                    : "itemIdentifier " + id + " is not a sequence number of the batch";
        return new Invocation(
            number,
            attempt,
            delivered,
            invocationContext,
            response,
            null,
            Outcome.INVALID_RESPONSE,
            reported,
            -1,
            why);
      }
      lowest = Math.min(lowest, index);
    }
    return new Invocation(
        number,
        attempt,
        delivered,
        invocationContext,
        response,
        null,
        Outcome.PARTIAL_FAILURE,
        reported,
        lowest,
        null);
  }

  /** The reported item identifiers; empty for success; IllegalArgumentException if malformed. */
  private static List<String> reportedFailures(Object response) {
    if (response instanceof StreamsEventResponse) {
      List<BatchItemFailure> failures = ((StreamsEventResponse) response).getBatchItemFailures();
      if (failures == null) {
        return List.of();
      }
      List<String> ids = new ArrayList<>(failures.size());
      for (BatchItemFailure failure : failures) {
        if (failure == null) {
          throw new IllegalArgumentException("a batchItemFailures entry is null");
        }
        ids.add(failure.getItemIdentifier());
      }
      return ids;
    }
    if (response instanceof Map && ((Map<?, ?>) response).containsKey("batchItemFailures")) {
      Object failures = ((Map<?, ?>) response).get("batchItemFailures");
      if (failures == null) {
        return List.of();
      }
      if (!(failures instanceof Collection)) {
        throw new IllegalArgumentException("batchItemFailures is not a list");
      }
      List<String> ids = new ArrayList<>();
      for (Object failure : (Collection<?>) failures) {
        if (failure instanceof BatchItemFailure) {
          ids.add(((BatchItemFailure) failure).getItemIdentifier());
        } else if (failure instanceof Map) {
          Object id = ((Map<?, ?>) failure).get("itemIdentifier");
          if (id != null && !(id instanceof String)) {
            throw new IllegalArgumentException("an itemIdentifier is not a string: " + id);
          }
          ids.add((String) id);
        } else {
          throw new IllegalArgumentException(
              "a batchItemFailures entry is not an object: " + failure);
        }
      }
      return ids;
    }
    return List.of();
  }

  private static KinesisEventRecord copy(KinesisEventRecord original) {
    KinesisEventRecord record = new KinesisEventRecord();
    record.setEventSource(original.getEventSource());
    record.setEventID(original.getEventID());
    record.setInvokeIdentityArn(original.getInvokeIdentityArn());
    record.setEventName(original.getEventName());
    record.setEventVersion(original.getEventVersion());
    record.setEventSourceARN(original.getEventSourceARN());
    record.setAwsRegion(original.getAwsRegion());
    KinesisEvent.Record source = original.getKinesis();
    if (source != null) {
      KinesisEvent.Record kinesis = new KinesisEvent.Record();
      kinesis.setKinesisSchemaVersion(source.getKinesisSchemaVersion());
      kinesis.setPartitionKey(source.getPartitionKey());
      kinesis.setSequenceNumber(source.getSequenceNumber());
      kinesis.setEncryptionType(source.getEncryptionType());
      if (source.getApproximateArrivalTimestamp() != null) {
        kinesis.setApproximateArrivalTimestamp(
            new java.util.Date(source.getApproximateArrivalTimestamp().getTime()));
      }
      if (source.getData() != null) {
        ByteBuffer view = source.getData().duplicate();
        byte[] bytes = new byte[view.remaining()];
        view.get(bytes);
        kinesis.setData(ByteBuffer.wrap(bytes));
      }
      record.setKinesis(kinesis);
    }
    return record;
  }

  /** How Lambda judged one invocation. */
  public enum Outcome {
    /** The whole batch succeeded. */
    SUCCESS,
    /** Valid batch item failures were reported. */
    PARTIAL_FAILURE,
    /** A batch item failure was malformed or not in the batch: the whole batch failed. */
    INVALID_RESPONSE,
    /** The handler threw: the whole batch failed. */
    ERROR
  }

  /** One call of the handler. */
  public static final class Invocation {
    private final int number;
    private final int attempt;
    private final List<KinesisEventRecord> records;
    private final TestContext context;
    private final Object response;
    private final Throwable error;
    private final Outcome outcome;
    private final List<String> reportedFailures;
    private final int lowestFailedIndex;
    private final String detail;

    private Invocation(
        int number,
        int attempt,
        List<KinesisEventRecord> records,
        TestContext context,
        Object response,
        Throwable error,
        Outcome outcome,
        List<String> reportedFailures,
        int lowestFailedIndex,
        String detail) {
      this.number = number;
      this.attempt = attempt;
      this.records = Collections.unmodifiableList(records);
      this.context = context;
      this.response = response;
      this.error = error;
      this.outcome = outcome;
      this.reportedFailures = Collections.unmodifiableList(new ArrayList<>(reportedFailures));
      this.lowestFailedIndex = lowestFailedIndex;
      this.detail = detail;
    }

    /** 1 for the first invocation of the run, then 2, 3... */
    public int number() {
      return number;
    }

    /**
     * 0 when the first record of this batch is delivered for the first time, n on its n-th retry.
     */
    public int attempt() {
      return attempt;
    }

    /** The records as delivered to the handler (copies of the run's records). */
    public List<KinesisEventRecord> records() {
      return records;
    }

    public List<String> sequenceNumbers() {
      return sequenceNumbersOf(records);
    }

    /** The context the handler was given, with what it logged. */
    public TestContext context() {
      return context;
    }

    /** What the handler returned; {@code null} if it threw. */
    public Object response() {
      return response;
    }

    /** What the handler threw, or {@code null}. */
    public Throwable error() {
      return error;
    }

    public Outcome outcome() {
      return outcome;
    }

    /** The item identifiers the handler reported, as given. */
    public List<String> reportedFailures() {
      return reportedFailures;
    }

    /** Why the batch failed (for {@code ERROR} and {@code INVALID_RESPONSE}), else {@code null}. */
    public String detail() {
      return detail;
    }

    @Override
    public String toString() {
      return "Invocation#"
          + number
          + "{attempt="
          + attempt
          + ", records="
          + records.size()
          + ", outcome="
          + outcome
          + (detail == null ? "" : ", " + detail)
          + "}";
    }
  }

  /** What a run did. */
  public static final class Result {
    private final List<Invocation> invocations;
    private final List<KinesisEventRecord> succeeded;
    private final List<KinesisEventRecord> skipped;

    private Result(
        List<Invocation> invocations,
        List<KinesisEventRecord> succeeded,
        List<KinesisEventRecord> skipped) {
      this.invocations = Collections.unmodifiableList(invocations);
      this.succeeded = Collections.unmodifiableList(succeeded);
      this.skipped = Collections.unmodifiableList(skipped);
    }

    /** Every invocation, in order. */
    public List<Invocation> invocations() {
      return invocations;
    }

    /** The run's records that were checkpointed as processed, in order. */
    public List<KinesisEventRecord> succeeded() {
      return succeeded;
    }

    /** The run's records given up on after the retries were exhausted, in order. */
    public List<KinesisEventRecord> skipped() {
      return skipped;
    }

    public List<String> succeededSequenceNumbers() {
      return sequenceNumbersOf(succeeded);
    }

    public List<String> skippedSequenceNumbers() {
      return sequenceNumbersOf(skipped);
    }

    /** What every invocation logged, in order. */
    public List<String> logLines() {
      List<String> lines = new ArrayList<>();
      for (Invocation invocation : invocations) {
        lines.addAll(invocation.context().logLines());
      }
      return lines;
    }

    @Override
    public String toString() {
      return "Result{invocations="
          + invocations
          + ", succeeded="
          + succeeded.size()
          + ", skipped="
          + skipped.size()
          + "}";
    }
  }

  private static List<String> sequenceNumbersOf(List<KinesisEventRecord> records) {
    List<String> ids = new ArrayList<>(records.size());
    for (KinesisEventRecord record : records) {
      ids.add(record.getKinesis() == null ? null : record.getKinesis().getSequenceNumber());
    }
    return ids;
  }
}
