package dev.sluice.mapper.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.function.FunctionException;
import dev.sluice.function.FunctionService;
import dev.sluice.function.InvocationResult;
import dev.sluice.mapper.MappingConfig;
import dev.sluice.mapper.PartialFailures;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * Batches a partition lane's records and carries each batch to an outcome: invoked successfully,
 * partly (ReportBatchItemFailures), retried with backoff, bisected, or skipped to OnFailure. Every
 * method runs on the poll thread; invocation results come back through {@code post}, which the poll
 * loop drains, so nothing here needs a lock and nothing blocks while a function runs.
 */
final class BatchFlow {

  private static final Logger LOG = Logger.getLogger(BatchFlow.class);
  static final long MAX_PAYLOAD_BYTES = 6L * 1024 * 1024;

  /** What the flow reports to its runner. */
  interface Progress {
    void processed(int records, String lastProcessingResult);

    /** Whether {@code work} is still assigned: results for a revoked partition are dropped. */
    boolean current(PartitionWork work);
  }

  private final MappingConfig config;
  private final KafkaDeps deps;
  private final KafkaEvents events;
  private final KafkaFailures failures;
  private final Predicate<JsonNode> filter;
  private final Consumer<Runnable> post;
  private final Progress progress;
  private final long windowMillis;

  /** What a batch's records may add to its JSON's bound so that the event stays within 6 MB. */
  private final long recordRoom;

  BatchFlow(
      MappingConfig config,
      KafkaDeps deps,
      KafkaEvents events,
      KafkaFailures failures,
      Predicate<JsonNode> filter,
      Consumer<Runnable> post,
      Progress progress) {
    this.config = config;
    this.deps = deps;
    this.events = events;
    this.failures = failures;
    this.filter = filter;
    this.post = post;
    this.progress = progress;
    // Lambda batches Kafka records for 500 ms unless told otherwise
    this.windowMillis = config.kafka().windowMillis(config.maxBatchingWindowSeconds());
    this.recordRoom = events.recordRoom(MAX_PAYLOAD_BYTES);
  }

  /** Starts the lane's next batch if one is due; returns whether it did. */
  boolean dispatch(PartitionWork work, PartitionWork.Lane lane, long now) {
    if (lane.busy) {
      return false;
    }
    if (lane.resume != null) {
      if (now < lane.notBefore) {
        return false;
      }
      Runnable r = lane.resume;
      lane.resume = null;
      lane.busy = true;
      r.run();
      return true;
    }
    KafkaBatch next = lane.retries.poll();
    if (next == null) {
      if (lane.queue.isEmpty() || !ready(lane, now)) {
        return false;
      }
      LaneQueue.Taken taken = lane.queue.take(config.batchSize(), recordRoom);
      next = new KafkaBatch(taken.records(), 0, taken.bounds());
      // owned as soon as it left the queue: else a throw before run() left its records in no
      // lane, and the commit point passed them
      lane.owned = next;
      work.stats.batch();
    }
    lane.busy = true;
    run(work, lane, next);
    return true;
  }

  /** Milliseconds until this lane has something to do by the clock, or Long.MAX_VALUE. */
  long due(PartitionWork.Lane lane, long now) {
    if (lane.busy) {
      return Long.MAX_VALUE;
    }
    if (lane.resume != null) {
      return Math.max(0, lane.notBefore - now);
    }
    if (!lane.retries.isEmpty()) {
      return 0;
    }
    if (lane.queue.isEmpty()) {
      return Long.MAX_VALUE;
    }
    return ready(lane, now) ? 0 : lane.windowStart + windowMillis - now;
  }

  private boolean ready(PartitionWork.Lane lane, long now) {
    return lane.queue.size() >= config.batchSize()
        || lane.queue.bounds() >= recordRoom
        || now - lane.windowStart >= windowMillis;
  }

  private void run(PartitionWork work, PartitionWork.Lane lane, KafkaBatch batch) {
    // owned from the start: should anything below throw, the commit point stays before the batch
    lane.owned = batch;
    if (skipExpired(work, lane, batch)) {
      return;
    }
    KafkaBatch current = batch;
    CompletableFuture<FunctionService.Invoked> call;
    work.stats.calling();
    try {
      call =
          deps.functions()
              .invoke(config.functionName(), events.batch(batch.records(), batch.bounds()));
    } catch (FunctionException e) {
      if (e.kind() == FunctionException.Kind.TOO_LARGE) {
        work.stats.answered(false);
        // a record whose event alone is over 6 MB (batches are cut below that): no retry makes it
        // fit, so it goes to OnFailure at once, as in Lambda, instead of holding the partition
        skip(work, lane, batch, "MaximumPayloadSizeExceeded", tooLarge(e), batch.attempt() + 1);
        return;
      }
      call = CompletableFuture.failedFuture(e);
    } catch (RuntimeException | Error e) {
      // an OutOfMemoryError for want of a thread too: thrown on, it would end the poll thread
      // and with it the mapping, which would still read as Enabled
      call = CompletableFuture.failedFuture(e);
    }
    call.whenComplete(
        (inv, e) -> {
          // here, not in invoked(): an answer after the runner stopped is never taken in
          work.stats.answered(e == null);
          post.accept(() -> invoked(work, lane, current, inv, e));
        });
  }

  private static InvocationResult.Failure tooLarge(FunctionException e) {
    return new InvocationResult.Failure(
        "RequestEntityTooLargeException", e.getMessage(), List.of(), false);
  }

  /**
   * Which fetched records go to the function, by the filter criteria; null when every record does.
   * Without criteria no value is decoded: JSON-parsing every record is not free.
   */
  Predicate<ConsumerRecord<byte[], byte[]>> keep() {
    return filter == null ? null : r -> filter.test(KafkaEvents.filterView(r));
  }

  /**
   * Skips the batch's leading records older than MaximumRecordAgeInSeconds, which never reach the
   * function, and queues the younger rest to run next; returns whether it skipped any. Producers
   * set CreateTime, so a partition's timestamps need not rise: only the expired prefix is skipped,
   * which keeps the skipped offsets contiguous and the commit point moving in order.
   */
  private boolean skipExpired(PartitionWork work, PartitionWork.Lane lane, KafkaBatch batch) {
    int n = expired(batch);
    if (n == 0) {
      return false;
    }
    if (n < batch.records().size()) {
      lane.retries.addFirst(batch.from(n, batch.attempt()));
    }
    KafkaBatch old = batch.part(0, n, batch.failure());
    // attempt() calls so far: this retry has not run
    skip(work, lane, old, "RecordAgeExceeded", batch.failure(), batch.attempt());
    return true;
  }

  private int expired(KafkaBatch batch) {
    if (config.maxRecordAgeSeconds() < 0) {
      return 0;
    }
    long bornBefore = deps.clock().millis() - config.maxRecordAgeSeconds() * 1000L;
    List<ConsumerRecord<byte[], byte[]>> records = batch.records();
    int n = 0;
    while (n < records.size() && isBefore(records.get(n), bornBefore)) {
      n++;
    }
    return n;
  }

  private static boolean isBefore(ConsumerRecord<byte[], byte[]> r, long millis) {
    return r.timestamp() >= 0 && r.timestamp() < millis; // -1: the record has no timestamp
  }

  private void invoked(
      PartitionWork work,
      PartitionWork.Lane lane,
      KafkaBatch batch,
      FunctionService.Invoked inv,
      Throwable e) {
    if (!progress.current(work)) {
      return;
    }
    if (e != null) {
      // throttled, or the function is gone: not the batch's fault, so no retry is counted, and
      // the wait grows with the refusals in a row, as Lambda backs off throttles
      Throwable cause = e instanceof CompletionException ? e.getCause() : e;
      progress.processed(0, "PROBLEM: Function call failed: " + cause.getMessage());
      failing(work, lane); // refused for good (a function gone) holds the partition too
      lane.throttles++;
      later(work, lane, batch, Math.min(lane.throttles, 30));
      return;
    }
    lane.throttles = 0; // the call reached the function
    lane.lastRequestId = inv.requestId();
    if (inv.report().result() instanceof InvocationResult.Failure f) {
      failed(work, lane, batch, f);
      return;
    }
    if (!config.reportBatchItemFailures()) {
      succeeded(work, lane, batch.records());
      return;
    }
    byte[] response = ((InvocationResult.Success) inv.report().result()).payload();
    PartialFailures.Verdict v = KafkaPartialFailures.read(response, batch.records());
    if (v.invalid() != null) {
      LOG.errorf(
          "Mapping %s: function %s returned an invalid batchItemFailures response (%s); the whole"
              + " batch of %s counts as failed",
          config.uuid(), config.functionName(), v.invalid(), work.name);
      failed(
          work,
          lane,
          batch,
          new InvocationResult.Failure("InvalidBatchItemFailures", v.invalid(), List.of(), true));
    } else if (v.firstFailed() < 0) {
      succeeded(work, lane, batch.records());
    } else {
      partiallyFailed(work, lane, batch, v.firstFailed());
    }
  }

  private void partiallyFailed(
      PartitionWork work, PartitionWork.Lane lane, KafkaBatch batch, int firstFailed) {
    List<ConsumerRecord<byte[], byte[]>> ok = batch.records().subList(0, firstFailed);
    InvocationResult.Failure f =
        new InvocationResult.Failure(
            "BatchItemFailure", "the function reported these records as failed", List.of(), false);
    KafkaBatch rest = batch.from(firstFailed, batch.attempt() + 1, f);
    work.done(ok);
    work.stats.processed(ok.size());
    failing(work, lane);
    progress.processed(ok.size(), "PROBLEM: Function reported batch item failures");
    if (exhausted(batch)) {
      skip(
          work,
          lane,
          batch.from(firstFailed, batch.attempt(), f),
          "RetryAttemptsExhausted",
          f,
          batch.attempt() + 1);
    } else {
      later(work, lane, rest, rest.attempt());
    }
  }

  private void failed(
      PartitionWork work, PartitionWork.Lane lane, KafkaBatch batch, InvocationResult.Failure f) {
    progress.processed(0, "PROBLEM: Function call failed");
    work.stats.functionError();
    failing(work, lane);
    if (config.bisectOnError() && batch.records().size() > 1) {
      int half = batch.records().size() / 2;
      // splitting does not count as a retry; each half names f should it expire before a call
      lane.retries.addFirst(batch.part(half, batch.records().size(), f));
      lane.retries.addFirst(batch.part(0, half, f));
      lane.owned = null;
      lane.busy = false;
      return;
    }
    if (exhausted(batch)) {
      skip(work, lane, batch, "RetryAttemptsExhausted", f, batch.attempt() + 1);
    } else {
      later(work, lane, batch.retry(f), batch.attempt() + 1);
    }
  }

  /** Lambda caps infinite retries at 10 when a Kafka mapping has an OnFailure destination. */
  private boolean exhausted(KafkaBatch batch) {
    int max = config.maxRetryAttempts();
    if (max < 0 && config.onFailure() != null) {
      max = 10;
    }
    return max >= 0 && batch.attempt() >= max;
  }

  /** Notes that the lane's batch failed, from now unless it was failing already. */
  private void failing(PartitionWork work, PartitionWork.Lane lane) {
    if (lane.failingSince < 0) {
      lane.failingSince = deps.clock().millis();
      work.stats.failingSince(work.oldestFailing());
    }
  }

  private void later(PartitionWork work, PartitionWork.Lane lane, KafkaBatch batch, int attempt) {
    work.stats.retry();
    lane.owned = batch;
    after(
        lane,
        deps.backoffMillis(Math.max(0, attempt - 1)),
        () -> {
          if (!skipExpired(work, lane, batch)) {
            run(work, lane, batch);
          }
        });
  }

  /** Frees the lane and has the poll loop run {@code task} on it once the delay has passed. */
  private void after(PartitionWork.Lane lane, long delayMillis, Runnable task) {
    lane.resume = task;
    lane.notBefore = deps.clock().millis() + delayMillis;
    lane.busy = false;
  }

  /** Skips {@code batch} to OnFailure after {@code invokes} attempts (approximateInvokeCount). */
  private void skip(
      PartitionWork work,
      PartitionWork.Lane lane,
      KafkaBatch batch,
      String condition,
      InvocationResult.Failure f,
      int invokes) {
    lane.owned = batch;
    LOG.warnf(
        "Mapping %s: skipping %d records of %s from offset %d (%s) after %d attempts",
        config.uuid(),
        batch.records().size(),
        work.name,
        batch.first().offset(),
        condition,
        invokes);
    deliver(
        work,
        lane,
        batch,
        batch,
        new KafkaFailures.Skip(condition, f, invokes, lane.lastRequestId));
  }

  /**
   * Sends the failure record of {@code unsent}, the part of skipped {@code batch} whose messages
   * are not sent yet, until it is; then {@code batch} is done. A retry sends only what a failed
   * attempt left, so a topic destination gets no duplicates of the messages that went through.
   */
  private void deliver(
      PartitionWork work,
      PartitionWork.Lane lane,
      KafkaBatch batch,
      KafkaBatch unsent,
      KafkaFailures.Skip why) {
    CompletableFuture<Void> sent;
    try {
      sent = failures.skipped(unsent, why);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenComplete(
        (v, e) ->
            post.accept(
                () -> {
                  if (!progress.current(work)) {
                    return;
                  }
                  if (e != null) {
                    LOG.errorf(
                        e,
                        "Mapping %s: cannot deliver the failure record; retrying",
                        config.uuid());
                    KafkaBatch left = KafkaFailures.unsent(e, unsent);
                    after(lane, deps.backoffMillis(3), () -> deliver(work, lane, batch, left, why));
                    return;
                  }
                  work.stats.toOnFailure(batch.records().size());
                  complete(work, lane, batch.records());
                }));
  }

  private void succeeded(
      PartitionWork work, PartitionWork.Lane lane, List<ConsumerRecord<byte[], byte[]>> records) {
    progress.processed(records.size(), "OK");
    work.stats.processed(records.size());
    complete(work, lane, records);
  }

  private void complete(
      PartitionWork work, PartitionWork.Lane lane, List<ConsumerRecord<byte[], byte[]>> records) {
    work.done(records);
    lane.owned = null;
    lane.busy = false;
    lane.lastRequestId = null;
    if (lane.failingSince >= 0 && lane.retries.isEmpty()) { // bisected halves still count
      lane.failingSince = -1;
      work.stats.failingSince(work.oldestFailing());
    }
  }
}
