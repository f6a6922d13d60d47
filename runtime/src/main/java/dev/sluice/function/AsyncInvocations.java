package dev.sluice.function;

import dev.sluice.function.FunctionService.Invoked;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * A node's asynchronous (Event) invocations, as Lambda runs them: two retries after function errors
 * with Lambda's delays, throttles retried with a backoff for up to 6 hours, events older than that
 * dropped. Accepted events wait in this node's journal (one node) or in the shared event queue,
 * which hands each to one node (several nodes), so that a stop or crash does not lose them.
 *
 * <p>Thread model: events are attempted, retried and finished on one thread of its own, which also
 * writes the journal; invocations complete on runner threads and hop back to it. The other methods
 * are called by the function service's callers, which never run on an event loop (they may write or
 * read the journal).
 */
final class AsyncInvocations implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(AsyncInvocations.class);

  /**
   * How long a shared queue's event for a function this node cannot run (or not yet) waits before
   * it is queued again, for whichever node reads it next.
   */
  private static final long NOT_HERE_DELAY_MILLIS = 10_000;

  /** Lambda retries a throttled asynchronous event for up to 6 hours. */
  private static final long ASYNC_MAX_AGE_MILLIS = 6 * 3_600_000L;

  /**
   * Most payload bytes that asynchronous events waiting for a retry (after a throttle or a function
   * error) may hold together, unless a test sets another.
   */
  static final long WAITING_BYTES = 256L << 20;

  /** What asynchronous events need of the node's functions. */
  interface Functions {

    /**
     * Starts an invocation of {@code name} under {@code requestId}; fails as a synchronous
     * invocation does (throttled, not found).
     */
    CompletableFuture<Invoked> start(String name, byte[] payload, String requestId);

    /** Whether {@code name} is deployed on this node, runnable here or not. */
    boolean deployed(String name);

    /** Whether {@code name} is deployed and can run on this node. */
    boolean runsHere(String name);

    /** With shared state: whether it defines {@code name}, whether this node can run it or not. */
    boolean shared(String name);

    /** With shared state: whether this node's view of it is current; may wait a little. */
    boolean viewCurrent();

    /** Whether this node's data directory still holds {@code name}'s definition. */
    boolean definedOnDisk(String name);
  }

  /**
   * Lambda's delays before an event's retries after function errors: their count is the retries.
   */
  private final List<Duration> retryDelays;

  /**
   * Unfinished asynchronous events that the start kept journaled, by request id, with their
   * function's name: the function is defined but cannot run on this node. They run once an update
   * makes it runnable here, and go with its deletion.
   */
  private final Map<String, String> keptEvents = new ConcurrentHashMap<>();

  private final long maxWaitingBytes;

  private final AtomicLong waitingBytes = new AtomicLong();

  /** The accepted asynchronous events not finished yet, so that a restart runs them. */
  private final AsyncJournal journal;

  /** With shared state: where accepted events wait, for any node to run; null otherwise. */
  private final EventQueue events;

  private final ScheduledExecutorService asyncQueue = asyncQueue();

  private final Functions functions;
  private final Clock clock;

  /**
   * Events of {@code functions}, retried after the {@code retryDelays}, kept in {@code journal}
   * (one node) or in {@code events} (shared state; null otherwise); those waiting for a retry hold
   * at most {@code maxWaitingBytes} of payload in memory.
   */
  AsyncInvocations(
      Functions functions,
      Clock clock,
      List<Duration> retryDelays,
      AsyncJournal journal,
      EventQueue events,
      long maxWaitingBytes) {
    this.functions = functions;
    this.clock = clock;
    this.retryDelays = List.copyOf(retryDelays);
    this.journal = journal;
    this.events = events;
    this.maxWaitingBytes = maxWaitingBytes;
  }

  /** The events' thread, for other work that must not run on an event loop nor hold a runner's. */
  Executor executor() {
    return asyncQueue;
  }

  /**
   * Accepts an event for {@code name}, a function that can run here, and returns its request id:
   * queued for any node with shared state, else journaled and run on this node's queue. Fails as
   * SERVICE when it cannot be kept.
   */
  String accept(String name, byte[] event) {
    AsyncEvent first = new AsyncEvent(UUID.randomUUID().toString(), 0, 0, clock.millis(), null);
    if (events != null) {
      // any node may run it, this one too once its queue hands it over
      try {
        events.offer(new QueuedEvent(first.requestId(), name, event, first.firstMillis()));
      } catch (RuntimeException e) {
        throw new FunctionException(
            FunctionException.Kind.SERVICE, "The event could not be queued: " + e.getMessage());
      }
      return first.requestId();
    }
    try {
      journal.put(first.entry(name, event)); // before the 202: a restart runs it
    } catch (UncheckedIOException e) {
      throw new FunctionException(
          FunctionException.Kind.SERVICE, "The event could not be queued: " + e.getMessage());
    }
    asyncQueue.execute(() -> attemptAsync(name, event, first));
    return first.requestId();
  }

  /**
   * Runs again the asynchronous events a stop or crash left unfinished. As for waiting retries, at
   * most {@link #WAITING_BYTES} of their payloads stay in memory until they run; the others are
   * read back from the journal then.
   */
  void resume() {
    for (String id : journal.pending()) {
      AsyncJournal.Entry e = journal.read(id);
      if (e == null) {
        continue; // unreadable: logged, and left for a look
      }
      if (!functions.runsHere(e.function())) {
        keepOrDrop(e);
        continue;
      }
      resume(e);
    }
  }

  private void resume(AsyncJournal.Entry e) {
    AsyncEvent event =
        new AsyncEvent(e.requestId(), e.attempt(), e.throttles(), e.firstMillis(), null);
    byte[] kept = hold(e.payload());
    asyncQueue.execute(() -> again(e.function(), kept, event));
  }

  /** Runs the events the start kept for {@code name}, which can run on this node now. */
  void runKept(String name) {
    for (String id : keptOf(name)) {
      AsyncJournal.Entry e = journal.read(id);
      if (e != null) {
        LOG.infof("Asynchronous event %s of %s runs now that the function can run here", id, name);
        resume(e);
      }
    }
  }

  /** Takes the request ids of the events the start kept for {@code name} out of the kept ones. */
  private List<String> keptOf(String name) {
    List<String> ids = new ArrayList<>();
    keptEvents.forEach(
        (id, function) -> {
          if (function.equals(name) && keptEvents.remove(id, function)) {
            ids.add(id);
          }
        });
    return ids;
  }

  /**
   * Drops an unfinished event of a function that is gone; one whose function is still defined but
   * could not be installed on this start (its runtime missing, say) stays journaled for a start
   * that can run it.
   */
  private void keepOrDrop(AsyncJournal.Entry e) {
    if (functions.definedOnDisk(e.function())) {
      LOG.warnf(
          "Asynchronous event %s of %s kept until the function can run here",
          e.requestId(), e.function());
      keptEvents.put(e.requestId(), e.function());
      return;
    }
    LOG.warnf(
        "Asynchronous event %s of %s dropped: the function is gone", e.requestId(), e.function());
    journal.remove(e.requestId());
  }

  /** Drops the events the start kept for {@code name}, which was deleted. */
  void forgetKept(String name) {
    for (String id : keptOf(name)) {
      LOG.warnf("Asynchronous event %s of %s dropped: the function was deleted", id, name);
      journal.remove(id);
    }
  }

  /** Forgets the unfinished asynchronous events of {@code name} that a start kept journaled. */
  void dropJournaled(String name) {
    keptOf(name); // no longer kept: the loop below removes them
    for (String id : journal.pending()) {
      AsyncJournal.Entry e = journal.read(id);
      if (e != null && e.function().equals(name)) {
        LOG.warnf("Asynchronous event %s of %s dropped: the function was created again", id, name);
        journal.remove(id);
      }
    }
  }

  /**
   * An asynchronous event's progress: function errors counted against Lambda's two retries;
   * throttles, which Lambda retries apart from those for up to 6 hours, counted for the backoff.
   * {@code delivery} is the shared queue's handle of it, or null for an event of the journal.
   */
  private record AsyncEvent(
      String requestId,
      int attempt,
      int throttles,
      long firstMillis,
      EventQueue.Delivery delivery) {

    AsyncJournal.Entry entry(String function, byte[] payload) {
      return new AsyncJournal.Entry(requestId, function, payload, attempt, throttles, firstMillis);
    }

    AsyncEvent next(int failures, int throttled) {
      return new AsyncEvent(
          requestId, attempt + failures, throttles + throttled, firstMillis, delivery);
    }
  }

  /**
   * Starts running the events the shared queue hands this node; call once the shared state is
   * followed, so that a function deployed through another node a moment ago is found.
   */
  void startEvents() {
    if (events != null) {
      events.start(this::deliver);
    }
  }

  private void deliver(EventQueue.Delivery d) {
    try {
      asyncQueue.execute(() -> delivered(d));
    } catch (RejectedExecutionException e) {
      // stopping: not done, so the node that takes the event over runs it
    }
  }

  private void delivered(EventQueue.Delivery d) {
    QueuedEvent e = d.event();
    AsyncEvent event =
        new AsyncEvent(e.requestId(), e.attempt(), e.throttles(), e.acceptedMillis(), d);
    if (droppedAsOld(e.function(), event)) {
      return; // also before it is queued again for another node
    }
    if (!functions.runsHere(e.function())) {
      // accepted by another node, maybe just after a deploy there that this view has not reached:
      // a view still behind cannot tell a function deleted from one it has not heard of yet
      boolean current = viewCurrent(e.requestId());
      if (!current || functions.shared(e.function())) {
        // deployed, but it cannot run on this node (or is still being installed): another may
        LOG.warnf(
            "Asynchronous event %s: function %s cannot run on this node now%s; queued again",
            e.requestId(), e.function(), current ? "" : " (its view of the node state is behind)");
        asyncQueue.schedule(
            () -> requeue(e.function(), e.payload(), event),
            NOT_HERE_DELAY_MILLIS,
            TimeUnit.MILLISECONDS);
        return;
      }
    }
    attemptAsync(e.function(), e.payload(), event);
  }

  private boolean viewCurrent(String requestId) {
    try {
      return functions.viewCurrent();
    } catch (RuntimeException x) {
      LOG.warnf("Asynchronous event %s: shared state not current (%s)", requestId, x);
      return false;
    }
  }

  /**
   * Writes a shared queue's event back with its progress, and lets the delivery go: a retry's wait
   * (up to a minute per throttle, for up to 6 hours) must not hold its partition's commit point,
   * nor its bytes against the bound of events a node takes in. Unless the event moved to another
   * node meanwhile, which runs it; a write that fails is tried again, the delivery still held.
   */
  private void requeue(String name, byte[] payload, AsyncEvent event) {
    if (!event.delivery().current()) {
      return;
    }
    try {
      events.offer(
          new QueuedEvent(
              event.requestId(),
              name,
              payload,
              event.firstMillis(),
              event.attempt(),
              event.throttles()));
    } catch (RuntimeException e) {
      LOG.warnf("Asynchronous event %s not queued again yet: %s", event.requestId(), e);
      asyncQueue.schedule(
          () -> requeue(name, payload, event), NOT_HERE_DELAY_MILLIS, TimeUnit.MILLISECONDS);
      return;
    }
    event.delivery().done();
  }

  /** Forgets a finished event: it succeeded, ran out of retries, or was dropped. */
  private void finished(AsyncEvent event) {
    journal.remove(event.requestId());
    if (event.delivery() != null) {
      event.delivery().done();
    }
  }

  private void attemptAsync(String name, byte[] payload, AsyncEvent event) {
    if (droppedAsOld(name, event)) {
      return;
    }
    CompletableFuture<Invoked> f;
    try {
      f = functions.start(name, payload, event.requestId());
    } catch (RuntimeException | Error e) {
      // not only FunctionException: anything else thrown here would end in the executor's
      // future, the event neither retried nor dropped until a restart
      f = CompletableFuture.failedFuture(e);
    }
    // on the queue's thread: what follows writes the journal, which no event loop may wait for
    f.whenCompleteAsync((r, e) -> afterAsync(name, payload, event, r, e), asyncQueue);
  }

  /**
   * Drops {@code event} when it was accepted more than 6 hours ago: Lambda keeps an event that long
   * at most, retries and throttles included. Also one that a node down for longer finds in its
   * journal, or that a queue whose group lost its offsets hands out again days later.
   */
  private boolean droppedAsOld(String name, AsyncEvent event) {
    if (clock.millis() - event.firstMillis() <= ASYNC_MAX_AGE_MILLIS) {
      return false;
    }
    LOG.warnf(
        "Asynchronous event %s of %s dropped: accepted more than 6 hours ago",
        event.requestId(), name);
    finished(event);
    return true;
  }

  private void afterAsync(String name, byte[] payload, AsyncEvent event, Invoked r, Throwable e) {
    boolean failed = e != null || r.report().result() instanceof InvocationResult.Failure;
    if (failed && !functions.runsHere(name)) {
      if (event.delivery() != null && functions.shared(name)) {
        // a retry here would count an attempt that never ran: another node may run it
        later(name, payload, event, NOT_HERE_DELAY_MILLIS, "cannot run on this node");
        return;
      }
      if (!functions.deployed(name)) {
        LOG.warnf("Asynchronous event %s dropped: function %s is gone", event.requestId(), name);
      }
    }
    if (!failed || !functions.deployed(name)) {
      finished(event);
      return;
    }
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (cause instanceof FunctionException t
        && t.kind() == FunctionException.Kind.TOO_MANY_REQUESTS) {
      retryThrottled(name, payload, event); // past 6 hours, its next attempt drops it
      return;
    }
    if (event.attempt() < retryDelays.size()) {
      long delay = retryDelays.get(event.attempt()).toMillis();
      later(name, payload, event.next(1, 0), delay, "failed");
    } else {
      LOG.warnf(
          "Asynchronous invocation of %s failed after %d attempts; dropped",
          name, event.attempt() + 1);
      finished(event);
    }
  }

  /** Queues a throttled event again, backing off up to a minute. */
  private void retryThrottled(String name, byte[] payload, AsyncEvent event) {
    long delay = Math.min(1000L << Math.min(event.throttles(), 6), 60_000L);
    later(name, payload, event.next(0, 1), delay, "throttled");
  }

  /**
   * Runs {@code event} again after {@code delayMillis}. The events waiting so hold at most {@link
   * #WAITING_BYTES} of payload in memory, so that a function failing or throttled for hours under a
   * stream of events cannot fill the heap: past that an event waits with its payload only in the
   * journal on disk, read back when it runs; without one (a node on shared state) it is dropped,
   * logged.
   */
  private void later(String name, byte[] payload, AsyncEvent event, long delayMillis, String why) {
    if (event.delivery() != null) {
      // held until the wait is over (a minute at most), then queued again with its progress
      asyncQueue.schedule(() -> requeue(name, payload, event), delayMillis, TimeUnit.MILLISECONDS);
      return;
    }
    byte[] kept = hold(payload);
    if (kept == null && !journal.durable()) {
      drop(name, event, why);
      return;
    }
    try {
      journal.put(event.entry(name, payload)); // a restart retries it from here
    } catch (UncheckedIOException e) {
      LOG.warnf("Asynchronous event %s: its retry state not saved (%s)", event.requestId(), e);
      if (kept == null) {
        drop(name, event, why);
        return;
      }
    }
    asyncQueue.schedule(() -> again(name, kept, event), delayMillis, TimeUnit.MILLISECONDS);
  }

  /**
   * {@code payload}, counted against the waiting budget, when it fits in; null otherwise (the event
   * then waits with its payload in the journal only). {@link #again} gives it back.
   */
  private byte[] hold(byte[] payload) {
    if (waitingBytes.addAndGet(payload.length) <= maxWaitingBytes) {
      return payload;
    }
    waitingBytes.addAndGet(-payload.length);
    return null;
  }

  /** Attempts a waiting event, with its payload from memory or else from the journal. */
  private void again(String name, byte[] kept, AsyncEvent event) {
    if (kept != null) {
      waitingBytes.addAndGet(-kept.length);
      attemptAsync(name, kept, event);
      return;
    }
    byte[] payload = journal.payload(event.requestId());
    if (payload != null) {
      attemptAsync(name, payload, event);
    }
  }

  private void drop(String name, AsyncEvent event, String why) {
    LOG.warnf(
        "Asynchronous invocation of %s %s while too many wait for a retry; dropped", name, why);
    finished(event);
  }

  /**
   * The thread of asynchronous events. A stop lets the task under way finish, uninterrupted (an
   * interrupt would fail its journal write, and a failed write drops the event), and drops the
   * waiting ones, which the journal keeps for the next start.
   */
  private static ScheduledExecutorService asyncQueue() {
    ScheduledThreadPoolExecutor queue =
        new ScheduledThreadPoolExecutor(1, r -> FunctionService.daemon(r, "sluice-async-invoke"));
    queue.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    return queue;
  }

  /**
   * Stops the events' thread (the task under way finishes; the waiting ones stay journaled for the
   * next start), then the shared queue: what finished until now counts as done.
   */
  @Override
  public void close() {
    asyncQueue.shutdown();
    FunctionService.awaitTermination(asyncQueue, "asynchronous event");
    if (events != null) {
      events.close();
    }
  }
}
