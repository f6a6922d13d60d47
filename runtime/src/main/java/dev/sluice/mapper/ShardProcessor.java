package dev.sluice.mapper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.checkpoint.Checkpoint;
import dev.sluice.checkpoint.WindowFloor;
import dev.sluice.checkpoint.WindowState;
import dev.sluice.function.FunctionException;
import dev.sluice.function.FunctionService;
import dev.sluice.function.InvocationResult;
import dev.sluice.function.KinesisBatch;
import dev.sluice.log.LogRecord;
import dev.sluice.log.ReadResult;
import dev.sluice.log.ShardOffsets;
import dev.sluice.log.ShardRef;
import dev.sluice.stream.Shard;
import dev.sluice.stream.StreamMeta;
import dev.sluice.stream.StreamStatus;
import io.vertx.core.Context;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import org.jboss.logging.Logger;

/**
 * Feeds one shard to one mapping's function: reads records, batches them, invokes, and reports a
 * checkpoint only for records whose invocation succeeded or that were deliberately skipped.
 *
 * <p>Thread model: every method runs on the shard's event-loop context ({@link #loop}); storage and
 * function futures complete elsewhere and hop back. Nothing here blocks. An idle shard costs one
 * pending watch future: appends and reshards wake the processor. Every delay (retry backoff, the
 * batching window, a tumbling window's end) is a {@link Timers} task, measured on the mapper's
 * clock.
 *
 * <p>With ParallelizationFactor N, records go to N lanes by partition-key hash; each lane runs one
 * batch at a time, so records with the same key are never in flight together and keep their order.
 * The checkpoint is the lowest offset not yet completed in any lane.
 *
 * <p>With TumblingWindowInSeconds, the shard runs as one lane (the window's state is one sequence
 * of invocations) and a batch never spans two windows: see {@link TumblingWindow}. A window ends
 * when the shard's records move past it, when its end time passed (by the injected clock) with
 * every existing record read, or when the shard ends; it then gets one final invoke with no
 * records, retried like a batch, before any record of the next window runs. The open window and its
 * state go with every checkpoint reported, and so does the bound that keeps a closed window from
 * opening again; both come back from the checkpoint the processor starts at.
 *
 * <p>A processor reads one incarnation of its stream, the one its starting checkpoint names, and
 * every checkpoint it reports names it too. Once the stream is deleted, or created again under its
 * name (the same shard ids, offsets from 0 again), it reads and sends nothing more, not even
 * records it read already, and tells its mapping, which stops it.
 */
final class ShardProcessor {

  private static final Logger LOG = Logger.getLogger(ShardProcessor.class);
  private static final long MAX_PAYLOAD_BYTES = 6L * 1024 * 1024;

  /** A record's arrival digits and comma, with room to spare. */
  private static final long RECORD_OVERHEAD_BYTES = 32;

  /** What the processor reports to its mapping. */
  interface Progress {
    void checkpoint(String shardId, Checkpoint checkpoint);

    /** The outcome of the latest invocation, as Lambda's LastProcessingResult. */
    void result(String lastProcessingResult);

    /**
     * The stream this processor reads was deleted, or created again under its name, since it
     * started: it stopped reading and sending, and waits to be stopped. Told once.
     */
    void streamGone(String shardId);
  }

  private final MappingConfig config;
  private final Shard shard;
  private final ShardRef ref;

  /** The creation time of the stream incarnation this processor reads. */
  private final long incarnation;

  private final MapperDeps deps;
  private final Context context;
  private final Executor loop;
  private final Set<Timers.Handle> timers = new HashSet<>();
  private final EventBuilder events;

  /** {@link KinesisBatches#fixedRecordBytes} of this shard, measured at first use; -1 before. */
  private long fixedRecordBytes = -1;

  private final RecordFilter filter;
  private final FailureSink failures;
  private final Progress progress;
  private final ShardStats stats;
  private final Lane[] lanes;
  private final TumblingWindow window;
  private boolean windowTimerArmed;
  private boolean shardEnded;
  private final PendingOffsets pending = new PendingOffsets();
  private long readOffset;
  private long committed;
  private long lastDelivered = -1; // arrival time of the last record delivered
  private boolean fetching;
  private CompletableFuture<Void> waiting; // the watch future while idle, else null
  private boolean stopped;
  private boolean finished;
  private boolean gone;

  /** A pump is due after a delay: see {@link #pumpLater}. */
  private boolean lookingAgain;

  private static final long UNHELD_RETRY_MILLIS = 1_000;

  /**
   * How soon a processor that read a closed shard to its engine's end looks again when the catalog
   * shows a higher final end: the engine's view lags (a cached end on shared storage), and looking
   * at once spun the event loop until it caught up.
   */
  private static final long LAGGING_END_RETRY_MILLIS = 50;

  /** Invocations and OnFailure sends whose outcome has not been handled yet. */
  private int invoking;

  /**
   * Set while the shard leaves this node: no new batch starts, and this completes once none runs.
   */
  private CompletableFuture<Void> drained;

  ShardProcessor(
      MappingConfig config,
      Shard shard,
      Checkpoint start,
      MapperDeps deps,
      Context context,
      EventBuilder events,
      RecordFilter filter,
      FailureSink failures,
      Progress progress,
      ShardStats stats) {
    this.config = config;
    this.shard = shard;
    this.ref = new ShardRef(config.stream(), shard.id());
    this.incarnation =
        Objects.requireNonNull(start.incarnation(), "the start names no stream incarnation");
    this.deps = deps;
    this.context = context;
    this.loop = task -> context.runOnContext(v -> task.run());
    this.events = events.forGeneration(incarnation);
    this.filter = filter;
    this.failures = failures;
    this.progress = progress;
    this.stats = stats;
    stats.offset(start.offset(), start.finished());
    this.readOffset = start.offset();
    this.committed = start.offset();
    this.window =
        config.tumblingWindowSeconds() > 0
            ? new TumblingWindow(config.tumblingWindowSeconds())
            : null;
    if (window != null) {
      window.restoreFloor(start.windowFloor());
      window.restore(start.window());
    }
    this.lanes = new Lane[window != null ? 1 : config.parallelizationFactor()];
    for (int i = 0; i < lanes.length; i++) {
      lanes[i] = new Lane();
    }
  }

  void start() {
    loop.execute(this::pump);
  }

  void stop() {
    loop.execute(
        () -> {
          if (!stopped) {
            stopNow();
          }
        });
  }

  private void stopNow() {
    stopped = true;
    if (waiting != null) {
      deps.catalog().watch().cancel(ref, waiting);
    }
    timers.forEach(Timers.Handle::cancel);
    timers.clear();
    stats.stopped();
    if (drained != null) {
      drained.complete(null); // stopped outright while draining: nothing more comes
    }
  }

  /**
   * Stops once the batches in flight are answered and their checkpoints handed on, starting no new
   * one meanwhile: the shard is moving to another node, which must not deliver it while this one
   * still does. A failed batch is not retried here; the next owner runs it again.
   */
  CompletableFuture<Void> drain() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    loop.execute(
        () -> {
          if (stopped) {
            done.complete(null);
            return;
          }
          if (drained != null) {
            drained.whenComplete((v, e) -> done.complete(null)); // draining already
            return;
          }
          drained = done;
          // retries and window timers would start new work: the next owner does it
          timers.forEach(Timers.Handle::cancel);
          timers.clear();
          checkDrained();
        });
    return done;
  }

  /**
   * Handles {@code work}'s outcome with {@code then} on this shard's loop, counting it as in flight
   * until then: a drain waits for it.
   */
  private <T> void inFlight(CompletableFuture<T> work, BiConsumer<T, Throwable> then) {
    invoking++;
    work.whenComplete(
        (v, e) ->
            loop.execute(
                () -> {
                  invoking--;
                  then.accept(v, e);
                  checkDrained();
                }));
  }

  private void checkDrained() {
    if (drained != null && invoking == 0 && !stopped) {
      stopNow();
    }
  }

  /** Runs {@code task} on this shard's loop after {@code delayMillis}, unless stopped by then. */
  private void after(long delayMillis, Runnable task) {
    Timers.Handle[] handle = new Timers.Handle[1];
    handle[0] =
        deps.timers()
            .schedule(
                context,
                delayMillis,
                () -> {
                  timers.remove(handle[0]); // set before this runs: both happen on this context
                  if (!stopped) {
                    task.run();
                  }
                });
    timers.add(handle[0]);
  }

  private void pump() {
    if (stopped || finished || fetching || drained != null || gone) {
      return;
    }
    if (!sameStream()) {
      streamGone();
      return;
    }
    for (Lane lane : lanes) {
      dispatch(lane);
    }
    if (pending.size() >= maxBuffered()
        || pending.span() >= MAX_PENDING_SPAN
        || queuedBytes() >= MAX_QUEUED_BYTES_PER_LANE * lanes.length) {
      return; // back-pressure: completions pump again
    }
    ShardOffsets o;
    try {
      o = deps.engine().offsets(ref);
    } catch (RuntimeException missing) {
      if (!sameStream()) {
        streamGone();
      } else {
        // the shard expired (the runner stops this processor), or the engine does not hold it yet:
        // on shared storage the catalog shows a shard whose attaching failed and is tried again,
        // and nothing else would pump this processor once it is attached
        pumpLater(UNHELD_RETRY_MILLIS);
      }
      return;
    }
    readOffset = Math.max(readOffset, o.startOffset());
    if (readOffset < o.endOffset()) {
      fetching = true;
      deps.engine()
          .read(ref, readOffset, readLimit(), MAX_PAYLOAD_BYTES * lanes.length)
          .whenComplete(this::screen);
    } else {
      if (pending.isEmpty()) {
        stats.caughtUp();
      }
      if (!maybeFinish()) {
        await();
      }
    }
  }

  private int maxBuffered() {
    return config.batchSize() * lanes.length * 2;
  }

  private int readLimit() {
    return Math.min(maxBuffered() - pending.size(), MAX_PENDING_SPAN - pending.span());
  }

  /**
   * How far reading may run ahead of the oldest record not completed. The count of records not
   * completed bounds the rest, but not this: while one lane retries a poisoned batch for a day, the
   * other lanes (or a filter dropping most records) complete millions behind it, and each of them
   * keeps its place until the oldest completes.
   */
  static final int MAX_PENDING_SPAN = 1 << 20;

  /**
   * What a lane may hold queued beyond the batch it sends: one more batch's worth. A count bound
   * alone let large records pile up (BatchSize 10,000 of 1 MiB records is 10 GB) while a batch can
   * only ever carry 6 MB.
   */
  private static final long MAX_QUEUED_BYTES_PER_LANE = 2L * MAX_PAYLOAD_BYTES;

  private long queuedBytes() {
    long total = 0;
    for (Lane lane : lanes) {
      total += lane.queuedBytes;
    }
    return total;
  }

  /**
   * Tests the fetched records against the filters on a worker thread, then goes on on the event
   * loop: decoding every record's data as JSON for a read of up to 6 MB a lane would hold the loop
   * for too long.
   */
  private void screen(ReadResult r, Throwable e) {
    if (e != null || filter == null || r.records().isEmpty()) {
      loop.execute(() -> fetched(r, null, e));
      return;
    }
    context
        .executeBlocking(() -> matches(r), false)
        .onComplete(ar -> fetched(r, ar.result(), ar.cause()));
  }

  /** Which of the read's records the filters let through, by index. */
  private boolean[] matches(ReadResult r) {
    List<LogRecord> records = r.records();
    boolean[] keep = new boolean[records.size()];
    for (int i = 0; i < keep.length; i++) {
      keep[i] = filter.matches(events.filterView(shard, records.get(i)));
    }
    return keep;
  }

  /**
   * Queues a read's records in their lanes; {@code keep} says which pass the filters (null: all).
   */
  private void fetched(ReadResult r, boolean[] keep, Throwable e) {
    fetching = false;
    if (stopped) {
      return;
    }
    if (!sameStream()) {
      // read from the deleted stream's last moments, or from the new one under the same name
      streamGone();
      return;
    }
    if (e != null) {
      LOG.warnf(e, "Mapping %s: reading %s failed; retrying", config.uuid(), ref);
      after(1000, this::pump);
      return;
    }
    long now = deps.clock().millis();
    List<LogRecord> dropped = new ArrayList<>(0);
    List<LogRecord> records = r.records();
    for (int i = 0; i < records.size(); i++) {
      LogRecord rec = records.get(i);
      pending.add(rec.offset());
      if (keep != null && !keep[i]) {
        dropped.add(rec); // filtered before batching, as in Lambda: it takes no room in a batch
        continue;
      }
      Lane lane = lanes[laneOf(rec)];
      if (lane.queue.isEmpty()) {
        lane.windowStart = now;
      }
      lane.queue.add(rec);
      lane.queuedBytes += cost(rec);
    }
    readOffset = r.nextOffset();
    if (!dropped.isEmpty()) {
      completeRecords(dropped); // checkpointed past once the records before them are done
    }
    measureAge();
    pump();
  }

  /**
   * Whether the stream is still the incarnation this processor reads: neither deleted (nor being
   * deleted) nor created again under its name. A map lookup; cheap enough per read and per batch.
   */
  private boolean sameStream() {
    StreamMeta meta = deps.catalog().find(config.stream()).orElse(null);
    return meta != null
        && meta.status() != StreamStatus.DELETING
        && meta.createdMillis() == incarnation;
  }

  private void streamGone() {
    if (gone) {
      return;
    }
    gone = true;
    LOG.debugf(
        "Mapping %s: %s was deleted or created again; its processor ends", config.uuid(), ref);
    progress.streamGone(shard.id());
  }

  private int laneOf(LogRecord rec) {
    return Math.floorMod(rec.partitionKey().hashCode(), lanes.length);
  }

  private void await() {
    if (waiting != null) {
      return;
    }
    if (closedAt() >= 0) {
      // read to its final end: nothing more comes, so only the batches in flight (or waiting
      // on a retry or window timer) are left, and they pump again when they end. The watch
      // would fire at once for a closed shard, again and again, and keep every future it made.
      if (pending.isEmpty() && readOffset < closedAt()) {
        pumpLater(LAGGING_END_RETRY_MILLIS);
      } else if (pending.isEmpty()) {
        loop.execute(this::pump); // closed since maybeFinish() looked: the next pump finishes
      }
      return;
    }
    CompletableFuture<Void> change = deps.catalog().watch().next(ref);
    waiting = change;
    change.thenRun(
        () ->
            loop.execute(
                () -> {
                  waiting = null;
                  pump();
                }));
    // a change between the check in pump() and registering the watch must not be missed
    if (grown() || closedAt() >= 0) {
      change.complete(null);
    }
  }

  /** Pumps after {@code millis}, unless a delayed pump is due already. */
  private void pumpLater(long millis) {
    if (lookingAgain) {
      return;
    }
    lookingAgain = true;
    after(
        millis,
        () -> {
          lookingAgain = false;
          pump();
        });
  }

  /** Whether records came past the read offset; true when the shard is gone (pump looks why). */
  private boolean grown() {
    try {
      return deps.engine().offsets(ref).endOffset() > readOffset;
    } catch (RuntimeException missing) {
      return true;
    }
  }

  /**
   * The shard's end offset once the catalog shows it closed for good, else -1: a provisional end
   * may still grow with other nodes' late appends.
   */
  private long closedAt() {
    StreamMeta meta = deps.catalog().find(config.stream()).orElse(null);
    Shard now = meta == null ? null : meta.shard(shard.id()).orElse(null);
    return now == null || !now.isClosedForGood() ? -1 : now.endOffset();
  }

  private boolean maybeFinish() {
    long end = closedAt();
    if (end < 0 || readOffset < end || !pending.isEmpty()) {
      return false;
    }
    if (window != null && window.isOpen()) {
      if (window.invoked()) {
        shardEnded = true;
        dispatch(lanes[0]); // the final invoke; its completion pumps again
        return true;
      }
      window.close();
    }
    finished = true;
    stats.offset(end, true);
    progress.checkpoint(shard.id(), checkpoint(end, true, null));
    return true;
  }

  private void dispatch(Lane lane) {
    if (lane.busy || stopped || drained != null || gone) {
      return;
    }
    if (!sameStream()) {
      streamGone(); // what was read of the deleted stream is not sent after all
      return;
    }
    if (window != null && window.terminatedEarly() && closeWindowIfDue(lane)) {
      // its final invoke comes first: retries of its records continue the window with a fresh
      // state, as in Lambda, instead of carrying the state that was too large on
      return;
    }
    Batch next = lane.retries.poll();
    if (next != null && window != null && !window.isOpen()) {
      window.enter(window.windowOf(next.records().get(0))); // reopened after its early end
    }
    if (next == null) {
      if (window != null && closeWindowIfDue(lane)) {
        return;
      }
      if (lane.queue.isEmpty() || !ready(lane)) {
        armWindow(lane);
        armWindowEnd(lane);
        return;
      }
      List<LogRecord> records = take(lane);
      if (window != null) {
        window.enter(window.windowOf(records.get(0)));
      }
      next = new Batch(records, 0, false);
    }
    lane.busy = true;
    run(lane, next);
  }

  private boolean ready(Lane lane) {
    long windowMillis = config.maxBatchingWindowSeconds() * 1000L;
    if (window != null
        && window.windowOf(lane.queue.peekFirst()) != window.windowOf(lane.queue.peekLast())) {
      return true; // the batch cannot grow: the next record belongs to a later window
    }
    return lane.queue.size() >= config.batchSize()
        || lane.queuedBytes >= MAX_PAYLOAD_BYTES
        || deps.clock().millis() - lane.windowStart >= windowMillis;
  }

  private void armWindow(Lane lane) {
    if (lane.queue.isEmpty() || lane.timerArmed) {
      return;
    }
    long wait =
        lane.windowStart + config.maxBatchingWindowSeconds() * 1000L - deps.clock().millis();
    lane.timerArmed = true;
    after(
        wait,
        () -> {
          lane.timerArmed = false;
          dispatch(lane);
        });
  }

  private List<LogRecord> take(Lane lane) {
    List<LogRecord> batch = new ArrayList<>();
    long bytes = 0;
    while (!lane.queue.isEmpty() && batch.size() < config.batchSize()) {
      LogRecord next = lane.queue.peek();
      if (!batch.isEmpty() && bytes + cost(next) > MAX_PAYLOAD_BYTES) {
        break;
      }
      if (window != null
          && !batch.isEmpty()
          && window.windowOf(next) != window.windowOf(batch.get(0))) {
        break; // a batch never spans two windows
      }
      bytes += cost(next);
      batch.add(lane.queue.poll());
    }
    lane.queuedBytes -= bytes;
    // the records left waited since windowStart at most, so it stays: none waits beyond the window
    return batch;
  }

  /**
   * At most the bytes {@code r} adds to the batch's event JSON: what every record of this shard
   * costs, its key and base64 data, its arrival time's digits and a comma. Cut by a lower estimate
   * (no key, data at 4/3), batches of small records went over 6 MB and were refused every time.
   */
  private long cost(LogRecord r) {
    if (fixedRecordBytes < 0) {
      fixedRecordBytes = KinesisBatches.fixedRecordBytes(events, shard);
    }
    return fixedRecordBytes
        + KinesisBatches.maxKeyBytes(r.partitionKey())
        + KinesisBatches.base64Length(r.data().length)
        + RECORD_OVERHEAD_BYTES;
  }

  private void run(Lane lane, Batch batch) {
    if (!batch.filtered()) { // a new batch (its records passed the filter when fetched)
      batch = new Batch(batch.records(), 0, true);
      stats.batches.increment();
    }
    lane.current = batch;
    if (skipExpired(lane, batch, batch.failure())) {
      return;
    }
    Batch current = batch;
    Object payload = window == null ? plainEvent(batch) : windowEvent(batch);
    inFlight(invoke(payload), (inv, e) -> invoked(lane, current, inv, e));
  }

  /** The batch's event as objects too, its JSON built only if the function needs it. */
  private Object plainEvent(Batch batch) {
    KinesisBatch objects = KinesisBatches.of(events, shard, batch.records());
    return objects != null ? objects : events.eventBytes(shard, batch.records());
  }

  private byte[] windowEvent(Batch batch) {
    return EventBuilder.bytes(
        events.windowEvent(
            shard, batch.records(), window.start(), window.end(), window.state(), false, false));
  }

  /**
   * Calls the function with JSON bytes or a {@link KinesisBatch}; the batch counts as in flight
   * until the answer is back.
   */
  private CompletableFuture<FunctionService.Invoked> invoke(Object payload) {
    stats.inFlight.incrementAndGet();
    CompletableFuture<FunctionService.Invoked> call;
    try {
      call =
          payload instanceof KinesisBatch b
              ? deps.functions().invoke(config.functionName(), b)
              : deps.functions().invoke(config.functionName(), (byte[]) payload, null);
    } catch (RuntimeException | Error e) {
      // a throttle or a payload over the limit (FunctionException), or anything else going wrong
      // before the call, an OutOfMemoryError for want of a thread too: either way it must take a
      // failure path, or the lane would stay busy for good
      call = CompletableFuture.failedFuture(e);
    }
    return call.whenComplete(
        (inv, e) -> {
          stats.inFlight.decrementAndGet();
          if (e == null) {
            stats.invocations.increment(); // a throttled call never reached the function
          }
        });
  }

  /**
   * Skips the batch's records older than MaximumRecordAgeInSeconds, which Lambda never sends to the
   * function, and queues the younger rest to run next; returns whether it skipped any. A shard's
   * records arrive in order, so the expired ones are a prefix.
   */
  private boolean skipExpired(Lane lane, Batch batch, InvocationResult.Failure last) {
    int n = expired(batch);
    if (n == 0) {
      return false;
    }
    if (n < batch.records().size()) {
      lane.retries.addFirst(batch.from(n, batch.attempt()));
    }
    Batch old = new Batch(batch.records().subList(0, n), batch.attempt(), true);
    skip(lane, old, "RecordAgeExceeded", last, batch.attempt()); // invoked attempt() times
    return true;
  }

  /**
   * How many of the batch's first records are too old: past MaximumRecordAgeInSeconds, or no longer
   * in the stream (its retention trimmed them), which ends the retries of a failing batch even with
   * Lambda's defaults (-1 and -1: retried until the records expire).
   */
  private int expired(Batch batch) {
    long bornAfter =
        config.maxRecordAgeSeconds() < 0
            ? Long.MIN_VALUE
            : deps.clock().millis() - config.maxRecordAgeSeconds() * 1000L;
    long start = trimmedBelow();
    List<LogRecord> records = batch.records();
    int n = 0;
    while (n < records.size()
        && (records.get(n).arrivalMillis() < bornAfter || records.get(n).offset() < start)) {
      n++;
    }
    return n;
  }

  /** The stream's first offset; none when the shard is gone (the runner stops this processor). */
  private long trimmedBelow() {
    try {
      return deps.engine().offsets(ref).startOffset();
    } catch (RuntimeException missing) {
      return Long.MIN_VALUE;
    }
  }

  private void invoked(Lane lane, Batch batch, FunctionService.Invoked inv, Throwable e) {
    if (stopped) {
      return;
    }
    if (e != null && tooLarge(e) && batch.records().size() > 1) {
      // over Lambda's 6 MB after all (a tumbling window's state adds to it): halves go at once,
      // as splitting does not count as a retry
      int half = batch.records().size() / 2;
      lane.retries.addFirst(batch.part(half, batch.records().size(), batch.failure()));
      lane.retries.addFirst(batch.part(0, half, batch.failure()));
      lane.busy = false;
      dispatch(lane);
      return;
    }
    if (e != null) {
      // throttled, or the function is gone: not the batch's fault, so no retry is counted
      Throwable cause = e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
      progress.result("PROBLEM: Function call failed: " + cause.getMessage());
      retrying(lane);
      lane.throttles++;
      laterThrottled(lane, batch);
      return;
    }
    if (inv.report().result() instanceof InvocationResult.Failure f) {
      failed(lane, batch, f, inv.requestId());
      return;
    }
    byte[] response = ((InvocationResult.Success) inv.report().result()).payload();
    java.util.Map<String, String> state = null;
    if (window != null) {
      try {
        state = TumblingWindow.parseState(response);
      } catch (IllegalArgumentException bad) {
        LOG.errorf(
            "Mapping %s: function %s returned an invalid TimeWindowEventResponse (%s); the whole"
                + " batch of %s counts as failed",
            config.uuid(), config.functionName(), bad.getMessage(), ref);
        failed(
            lane,
            batch,
            new InvocationResult.Failure(
                "InvalidTimeWindowEventResponse", bad.getMessage(), List.of(), true),
            inv.requestId());
        return;
      }
    }
    if (!config.reportBatchItemFailures()) {
      acceptState(state);
      succeeded(lane, batch.records());
      return;
    }
    PartialFailures.Verdict v = PartialFailures.read(response, shard, incarnation, batch.records());
    if (v.invalid() == null) {
      // the state of a partly failed batch covers its successful records: the failed ones are
      // sent again with it
      acceptState(state);
    }
    if (v.invalid() != null) {
      LOG.errorf(
          "Mapping %s: function %s returned an invalid batchItemFailures response (%s); the whole"
              + " batch of %s counts as failed",
          config.uuid(), config.functionName(), v.invalid(), ref);
      failed(
          lane,
          batch,
          new InvocationResult.Failure("InvalidBatchItemFailures", v.invalid(), List.of(), true),
          inv.requestId());
    } else if (v.firstFailed() < 0) {
      succeeded(lane, batch.records());
    } else {
      partiallyFailed(lane, batch, v.firstFailed(), inv.requestId());
    }
  }

  private void partiallyFailed(Lane lane, Batch batch, int firstFailed, String requestId) {
    lane.lastRequestId = requestId;
    List<LogRecord> ok = batch.records().subList(0, firstFailed);
    Batch rest = batch.from(firstFailed, batch.attempt() + 1);
    if (!ok.isEmpty()) {
      completeRecords(ok);
    }
    stats.records.add(ok.size());
    progress.result("PROBLEM: Function reported batch item failures");
    lane.current = rest;
    retrying(lane);
    InvocationResult.Failure f =
        new InvocationResult.Failure(
            "BatchItemFailure", "the function reported these records as failed", List.of(), false);
    if (exhausted(batch)) {
      skip(
          lane,
          batch.from(firstFailed, batch.attempt()),
          "RetryAttemptsExhausted",
          f,
          1 + batch.attempt());
    } else {
      lane.lastFailure = f; // for the OnFailure record, should the retry come too late
      later(lane, rest, rest.attempt());
    }
  }

  private void failed(Lane lane, Batch batch, InvocationResult.Failure f, String requestId) {
    lane.throttles = 0; // the call reached the function
    lane.lastRequestId = requestId;
    stats.functionErrors.increment();
    progress.result("PROBLEM: Function call failed");
    retrying(lane);
    if (config.bisectOnError() && batch.records().size() > 1) {
      int half = batch.records().size() / 2;
      lane.retries.addFirst(batch.part(half, batch.records().size(), f));
      lane.retries.addFirst(batch.part(0, half, f));
      lane.busy = false;
      dispatch(lane);
      return;
    }
    if (exhausted(batch)) {
      skip(lane, batch, "RetryAttemptsExhausted", f, batch.attempt() + 1);
    } else {
      lane.lastFailure = f;
      later(lane, batch.retry(), batch.attempt() + 1);
    }
  }

  private static boolean tooLarge(Throwable e) {
    Throwable cause = e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
    return cause instanceof FunctionException f && f.kind() == FunctionException.Kind.TOO_LARGE;
  }

  private boolean exhausted(Batch batch) {
    return config.maxRetryAttempts() >= 0 && batch.attempt() >= config.maxRetryAttempts();
  }

  private void later(Lane lane, Batch batch, int attempt) {
    retryAfter(lane, batch, deps.backoffMillis(Math.max(0, attempt - 1)));
  }

  /**
   * Retries a batch whose call never reached the function: it counts no attempt, but its backoff
   * grows with the refusals in a row, as Lambda backs off throttles, up to the usual maximum.
   */
  private void laterThrottled(Lane lane, Batch batch) {
    retryAfter(lane, batch, deps.backoffMillis(Math.min(lane.throttles - 1, 30)));
  }

  private void retryAfter(Lane lane, Batch batch, long delayMillis) {
    stats.retries.increment();
    after(
        delayMillis,
        () -> {
          if (skipExpired(lane, batch, lane.lastFailure)) {
            return;
          }
          lane.retries.addFirst(batch);
          lane.busy = false;
          dispatch(lane);
        });
  }

  /**
   * Sends {@code batch}'s OnFailure record, then checkpoints past it; it was invoked {@code
   * invokes} times.
   */
  private void skip(
      Lane lane, Batch batch, String condition, InvocationResult.Failure f, int invokes) {
    LOG.warnf(
        "Mapping %s: skipping %d records of %s from offset %d (%s) after %d attempts",
        config.uuid(), batch.records().size(), ref, batch.firstOffset(), condition, invokes);
    ObjectNode record =
        failures.failureRecord(
            config, shard, batch, condition, f, invokes, lane.lastRequestId, events);
    // a send in flight holds a drain too: its records checkpoint when it lands
    inFlight(
        failures.send(config, shard, record),
        (v, e) -> sent(lane, batch, condition, f, invokes, e));
  }

  private void sent(
      Lane lane,
      Batch batch,
      String condition,
      InvocationResult.Failure f,
      int invokes,
      Throwable e) {
    if (stopped) {
      return; // handed over: the next owner skips them again
    }
    if (e != null) {
      LOG.errorf(e, "Mapping %s: cannot deliver the failure record; retrying", config.uuid());
      if (drained == null) {
        after(deps.backoffMillis(3), () -> skip(lane, batch, condition, f, invokes));
      }
      return;
    }
    complete(lane, batch.records());
    if (config.onFailure() != null) {
      stats.recordsToOnFailure.add(batch.records().size());
    }
  }

  private void acceptState(java.util.Map<String, String> state) {
    if (window != null) {
      window.accept(state);
      if (window.terminatedEarly()) {
        LOG.warnf(
            "Mapping %s: the state of the window from %s of %s is over 1 MB; the window terminates"
                + " early",
            config.uuid(), EventBuilder.iso(window.start()), ref);
      }
    }
  }

  /**
   * Runs the open window's final invoke when it is due (the lane is idle, nothing to retry);
   * returns whether the lane is now busy with it.
   */
  private boolean closeWindowIfDue(Lane lane) {
    long next = lane.queue.isEmpty() ? -1 : window.windowOf(lane.queue.peekFirst());
    long now = deps.clock().millis();
    if (!window.closeDue(next, next < 0 && caughtUp(), shardEnded, now)) {
      return false;
    }
    if (!window.invoked()) {
      window.close(); // nothing of it reached the function (all filtered out or skipped)
      return false;
    }
    lane.busy = true;
    runFinal(lane, 0);
    return true;
  }

  private boolean caughtUp() {
    if (fetching) {
      return false;
    }
    try {
      return readOffset >= deps.engine().offsets(ref).endOffset();
    } catch (RuntimeException gone) {
      return true;
    }
  }

  /** Wakes the processor when the open window's end passes, to close it if no record comes. */
  private void armWindowEnd(Lane lane) {
    if (window == null || !window.isOpen() || windowTimerArmed || !lane.queue.isEmpty()) {
      return;
    }
    long wait = window.end() + TumblingWindow.CLOSE_GRACE_MILLIS - deps.clock().millis();
    windowTimerArmed = true;
    after(
        wait > 0 ? wait : 10, // past the end but still reading: look again shortly
        () -> {
          windowTimerArmed = false;
          dispatch(lane);
          pump();
        });
  }

  private void runFinal(Lane lane, int attempt) {
    if (stopped || drained != null || gone) {
      return;
    }
    if (!sameStream()) {
      streamGone(); // the window's records were the deleted stream's
      return;
    }
    byte[] payload =
        EventBuilder.bytes(
            events.windowEvent(
                shard,
                List.of(),
                window.start(),
                window.end(),
                window.state(),
                true,
                window.terminatedEarly()));
    inFlight(invoke(payload), (inv, e) -> finalInvoked(lane, attempt, inv, e));
  }

  private void finalInvoked(Lane lane, int attempt, FunctionService.Invoked inv, Throwable e) {
    if (stopped) {
      return;
    }
    if (e != null && tooLarge(e)) {
      finalTooLarge(lane, e);
      return;
    }
    if (e != null) {
      Throwable cause = e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
      progress.result("PROBLEM: Function call failed: " + cause.getMessage());
      retrying(lane);
      lane.throttles++;
      if (finalExpired()) {
        giveUpFinal(lane, attempt, "the call failed", cause.getMessage());
        return;
      }
      stats.retries.increment();
      after(deps.backoffMillis(Math.min(lane.throttles - 1, 30)), () -> runFinal(lane, attempt));
      return;
    }
    if (inv.report().result() instanceof InvocationResult.Failure f) {
      stats.functionErrors.increment();
      progress.result("PROBLEM: Function call failed");
      retrying(lane);
      boolean exhausted = config.maxRetryAttempts() >= 0 && attempt >= config.maxRetryAttempts();
      if (exhausted || finalExpired()) {
        giveUpFinal(lane, attempt, f.errorType(), f.errorMessage());
      } else {
        retryFinal(lane, attempt, attempt + 1);
      }
      return;
    }
    progress.result("OK");
    windowClosed(lane);
  }

  /**
   * Whether a failing final invoke is past retrying, as a failing batch is once its records expire:
   * the window's records are older than MaximumRecordAgeInSeconds, or retention trimmed them (every
   * record before the shard's checkpoint is gone; the window's are all before it). With Lambda's
   * defaults (-1 and -1) nothing else ends its retries, and it holds the shard meanwhile.
   */
  private boolean finalExpired() {
    boolean tooOld =
        config.maxRecordAgeSeconds() >= 0
            && deps.clock().millis() - window.end() > config.maxRecordAgeSeconds() * 1000L;
    return tooOld || committed <= trimmedBelow();
  }

  private void giveUpFinal(Lane lane, int attempt, String errorType, String message) {
    LOG.errorf(
        "Mapping %s: giving up the final invoke of %s after %d attempts (%s: %s); its state is"
            + " discarded",
        config.uuid(), openWindow(), attempt + 1, errorType, message);
    windowClosed(lane);
  }

  /**
   * Gives up a final invoke over the request limit at once: it carries the same state every time,
   * so no retry could make it fit, and retried as a throttle it held the shard for ever. The
   * window's records are checkpointed already; only its state is lost, as after exhausted retries.
   */
  private void finalTooLarge(Lane lane, Throwable e) {
    Throwable cause = e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
    stats.functionErrors.increment();
    progress.result("PROBLEM: Function call failed: " + cause.getMessage());
    LOG.errorf(
        "Mapping %s: the final invoke of %s is over the request limit (%s); its state is discarded",
        config.uuid(), openWindow(), cause.getMessage());
    windowClosed(lane);
  }

  /** The open window, for log lines: "the window START–END of STREAM/SHARD". */
  private String openWindow() {
    return "the window "
        + EventBuilder.iso(window.start())
        + "–"
        + EventBuilder.iso(window.end())
        + " of "
        + ref;
  }

  private void retryFinal(Lane lane, int attempt, int next) {
    stats.retries.increment();
    after(deps.backoffMillis(Math.max(0, attempt)), () -> runFinal(lane, next));
  }

  private void windowClosed(Lane lane) {
    lane.throttles = 0;
    doneRetrying(lane);
    window.close();
    // the checkpoint held the window's state: a restart must not run its final invoke again
    progress.checkpoint(shard.id(), checkpoint(committed, false, null));
    lane.busy = false;
    dispatch(lane);
    pump();
  }

  private void succeeded(Lane lane, List<LogRecord> records) {
    progress.result("OK");
    complete(lane, records);
    // counted last, so that a reader who sees these records counted sees the rest of their effects
    stats.records.add(records.size());
  }

  private void complete(Lane lane, List<LogRecord> records) {
    completeRecords(records);
    lane.busy = false;
    lane.current = null;
    lane.lastFailure = null;
    lane.lastRequestId = null;
    lane.throttles = 0;
    doneRetrying(lane);
    if (!records.isEmpty()) {
      lastDelivered = records.get(records.size() - 1).arrivalMillis();
    }
    measureAge();
    dispatch(lane);
    pump();
  }

  /**
   * Measures the iterator age from the oldest record read and not completed; with none, from the
   * last record delivered, until {@link #pump} finds the shard caught up. Per batch, not per
   * record: each lane holds its records in offset order, so its oldest is at the head.
   */
  private void measureAge() {
    long oldest = Long.MAX_VALUE;
    for (Lane lane : lanes) {
      oldest = Math.min(oldest, lane.oldestArrival());
    }
    if (oldest != Long.MAX_VALUE) {
      stats.ageFrom(oldest);
    } else if (lastDelivered >= 0) {
      stats.ageFrom(lastDelivered);
    }
  }

  /** A batch of the lane failed: the shard counts as retrying from now unless it already did. */
  private void retrying(Lane lane) {
    if (lane.retryingSince < 0) {
      lane.retryingSince = deps.clock().millis();
      publishRetrying();
    }
  }

  private void doneRetrying(Lane lane) {
    if (lane.retryingSince >= 0) {
      lane.retryingSince = -1;
      publishRetrying();
    }
  }

  /** The shard retries since the earliest first failure of a lane still retrying. */
  private void publishRetrying() {
    long since = Long.MAX_VALUE;
    for (Lane lane : lanes) {
      if (lane.retryingSince >= 0) {
        since = Math.min(since, lane.retryingSince);
      }
    }
    if (since == Long.MAX_VALUE) {
      stats.notRetrying();
    } else {
      stats.retryingSince(since);
    }
  }

  private void completeRecords(List<LogRecord> records) {
    for (LogRecord r : records) {
      pending.remove(r.offset());
    }
    long cp = pending.isEmpty() ? readOffset : pending.first();
    if (cp > committed) {
      committed = cp;
      stats.offset(cp, false);
      // in a window the batches run one at a time, so the state covers exactly the records below cp
      progress.checkpoint(
          shard.id(), checkpoint(cp, false, window == null ? null : window.snapshot()));
    }
  }

  /** A checkpoint of this processor's stream incarnation, with its windows' floor. */
  private Checkpoint checkpoint(long offset, boolean isFinished, WindowState open) {
    WindowFloor floor = window == null ? null : window.floorSnapshot();
    return new Checkpoint(offset, isFinished, open, incarnation, floor);
  }

  /** One lane of a shard: its queued records and the batch in flight. */
  private static final class Lane {
    final ArrayDeque<LogRecord> queue = new ArrayDeque<>();
    final ArrayDeque<Batch> retries = new ArrayDeque<>();
    long queuedBytes;
    long windowStart;
    boolean busy;
    boolean timerArmed;
    InvocationResult.Failure lastFailure;
    String lastRequestId; // of the lane's last failed call: an OnFailure record names it
    int throttles; // calls refused in a row (throttled, function gone): their backoff grows
    Batch current; // in flight or waiting for its retry
    long retryingSince = -1; // when the batch of this lane first failed; -1 when it did not

    /** The arrival time of the oldest record of this lane not yet completed; MAX_VALUE if none. */
    long oldestArrival() {
      long oldest = Long.MAX_VALUE;
      if (current != null && !current.records().isEmpty()) {
        oldest = current.records().get(0).arrivalMillis();
      }
      Batch retry = retries.peekFirst();
      if (retry != null) {
        oldest = Math.min(oldest, retry.records().get(0).arrivalMillis());
      }
      LogRecord queued = queue.peekFirst();
      return queued == null ? oldest : Math.min(oldest, queued.arrivalMillis());
    }
  }

  /** The filter criteria, as a predicate over the record view. */
  interface RecordFilter {
    boolean matches(JsonNode recordView);
  }
}
