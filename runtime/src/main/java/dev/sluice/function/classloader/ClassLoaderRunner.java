package dev.sluice.function.classloader;

import dev.sluice.function.DeployedCode;
import dev.sluice.function.FunctionConfig;
import dev.sluice.function.Invocation;
import dev.sluice.function.InvocationReport;
import dev.sluice.function.InvocationResult;
import dev.sluice.function.Runner;
import java.lang.management.ManagementFactory;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Runs a function version in this JVM, each instance in its own child-first class loader and on its
 * own thread (in a thread group of its own that the handler's threads join), never on the caller's.
 * A timed-out invocation completes with Lambda's timeout error at its deadline; its instance is
 * abandoned: its thread is interrupted, never reused, and stopped if it still runs {@link
 * #STOP_GRACE_MILLIS} later. A handler's exit call ends its instance, not the JVM ({@link
 * ExitCalls}).
 */
final class ClassLoaderRunner implements Runner {

  private static final Logger LOG = Logger.getLogger(ClassLoaderRunner.class);

  private final FunctionConfig config;
  private final DeployedCode code;
  private final PlatformLoader platform;
  private final ScheduledExecutorService timers;

  /**
   * Where idle instances are closed: a close runs the handler's shutdown hooks for up to half a
   * second, which must hold neither the timer thread every function's results pass through nor an
   * event loop.
   */
  private final Executor closer;

  private final Deque<HandlerInstance> idle = new ConcurrentLinkedDeque<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final CompletableFuture<Void> drained = new CompletableFuture<>();
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private volatile boolean closed;
  private final AtomicBoolean warnedSlowEvents = new AtomicBoolean();
  private final ScheduledFuture<?> reaper;

  /** How long an instance may stay idle before it is closed, as Lambda reclaims environments. */
  static final long IDLE_NANOS = TimeUnit.MINUTES.toNanos(5);

  ClassLoaderRunner(
      FunctionConfig config,
      DeployedCode code,
      PlatformLoader platform,
      ScheduledExecutorService timers,
      Executor closer) {
    this.config = config;
    this.code = code;
    this.platform = platform;
    this.timers = timers;
    this.closer = closer;
    this.reaper =
        timers.scheduleWithFixedDelay(
            () -> closing(() -> reapIdle(System.nanoTime())), 30, 30, TimeUnit.SECONDS);
  }

  /** Runs {@code task} on the closer, or here once the node stops and the closer is gone. */
  private void closing(Runnable task) {
    try {
      closer.execute(task);
    } catch (RejectedExecutionException stopping) {
      task.run();
    }
  }

  /**
   * Closes the instances idle for longer than {@link #IDLE_NANOS} at {@code now}: a burst at a high
   * concurrency does not keep its threads and class loaders for ever. The least recently used are
   * at the tail; one an invocation takes meanwhile is left to it.
   */
  void reapIdle(long now) {
    for (HandlerInstance i = idle.peekLast();
        i != null && now - i.idleSince >= IDLE_NANOS;
        i = idle.peekLast()) {
      if (idle.removeLastOccurrence(i)) {
        i.close();
      }
    }
  }

  /** Instances waiting for an invocation (for tests). */
  int idleInstances() {
    return idle.size();
  }

  /**
   * Says once per runner when a handler taking a KinesisEvent or KafkaEvent cannot have it built by
   * Sluice's bytecode: its events library lacks a constructor or setter that Sluice links against,
   * and every delivery pays for method handles or JSON.
   */
  private void warnOnceIfSlowEvents(HandlerInstance i) {
    String how = i.eventBuilder;
    if (how != null && !how.equals("bytecode") && !warnedSlowEvents.getAndSet(true)) {
      LOG.warnf(
          "Function %s: its aws-lambda-java-events does not link with Sluice's event builder, so"
              + " its events are built through %s, which is slower",
          config.name(), how.equals("json") ? "JSON" : "method handles");
    }
  }

  @Override
  public CompletableFuture<InvocationReport> invoke(Invocation invocation) {
    // counted before the check: a close() between a check and the count saw no invocation, and
    // the package could be removed under the cold start that followed
    inFlight.incrementAndGet();
    if (closed) {
      finished();
      return CompletableFuture.failedFuture(new IllegalStateException("runner closed"));
    }
    CompletableFuture<InvocationReport> result = new CompletableFuture<>();
    HandlerInstance warm = warmInstance();
    Attempt attempt = new Attempt(invocation, result, warm);
    long delay = Math.max(0, invocation.deadlineMillis() - System.currentTimeMillis());
    // a cold start's init does not count against the timeout, as in Lambda; it has 10 s of its
    // own, and the timeout starts again once it is over (Attempt.initialized)
    attempt.arm(warm != null ? delay : delay + INIT_LIMIT_MILLIS);
    result.whenComplete(
        (r, e) -> {
          attempt.disarm(); // or the timer queue holds every invocation for its timeout
          finished();
        });
    if (warm != null) {
      warm.post(attempt::run); // a warm instance runs on its own, likely still spinning, thread
    } else {
      attempt.coldStart(); // on the new instance's own thread, which its invocations keep
    }
    return result;
  }

  /**
   * An idle instance, most recently used first; one that a thread of its handler asked to exit
   * while it was idle is closed on the way, as Lambda's next invocation gets a fresh sandbox.
   */
  private HandlerInstance warmInstance() {
    for (HandlerInstance i; (i = idle.pollFirst()) != null; ) {
      if (i.exitStatus() < 0) {
        return i;
      }
      HandlerInstance exited = i;
      closing(exited::close); // the caller may be an event loop
    }
    return null;
  }

  private void finished() {
    if (inFlight.decrementAndGet() == 0 && closed) {
      drained.complete(null);
    }
  }

  @Override
  public void close() {
    closed = true;
    if (inFlight.get() == 0) {
      drained.complete(null);
    }
    reaper.cancel(false);
    // the last invocation's result, on the timer thread, may complete it
    drained.whenComplete(
        (v, e) ->
            closing(
                () -> {
                  closeIdle();
                  stopped.complete(null);
                }));
  }

  @Override
  public CompletableFuture<Void> stopped() {
    return stopped;
  }

  private void closeIdle() {
    for (HandlerInstance i; (i = idle.poll()) != null; ) {
      i.close();
    }
  }

  /** How long a timed-out handler may go on ignoring its interruption before it is stopped. */
  static final long STOP_GRACE_MILLIS = 2_000;

  /** Lambda's limit for a cold start's init, on top of the function's timeout. */
  private static final long INIT_LIMIT_MILLIS = 10_000;

  /** One invocation on one instance; whichever of completion and timeout comes first wins. */
  private final class Attempt {
    private volatile Invocation invocation;
    private final CompletableFuture<InvocationReport> result;

    /**
     * Claimed by whichever of the handler's return and the timeout decides the outcome: the timer
     * thread, which every function shares, may run the timeout late, after the handler returned.
     */
    private final AtomicBoolean decided = new AtomicBoolean();

    private final long started = System.nanoTime();

    /**
     * A cold start's init, once over (-1 before, and on a warm instance), for a timeout's report.
     */
    private volatile long initDone = -1;

    /** When the handler was called: a timeout's duration counts from there, not from the init. */
    private volatile long handlerStarted;

    private volatile Thread thread;
    private volatile HandlerInstance instance;
    private ScheduledFuture<?> timer; // guarded by this
    private InstanceThreads coldThreads;
    private InstanceWorker coldWorker;

    /** What the handler printed; a timeout reports what it holds by then. */
    private final OutputCapture.Sink output = new OutputCapture.Sink();

    Attempt(
        Invocation invocation, CompletableFuture<InvocationReport> result, HandlerInstance warm) {
      this.invocation = invocation;
      this.result = result;
      this.instance = warm;
    }

    /** Starts a new instance's thread, in a new group, and the cold start on it. */
    void coldStart() {
      coldThreads = new InstanceThreads(config.name());
      coldWorker = new InstanceWorker(HandlerInstance.workerName(config), coldThreads.group());
      coldWorker.post(this::run);
    }

    void run() {
      thread = Thread.currentThread();
      long initNanos = -1;
      OutputCapture.Sink log = output;
      OutputCapture.begin(log);
      long allocated0 = allocatedBytes();
      boolean invoked = false; // past init: the deadline is the handler's
      InvocationResult outcome;
      try {
        HandlerInstance i = instance;
        if (i == null) {
          i = HandlerInstance.start(config, code, platform, coldWorker, coldThreads);
          initNanos = i.initNanos;
          initDone = initNanos;
          warnOnceIfSlowEvents(i);
          initialized();
        }
        instance = i;
        if (decided.get()) {
          // init outlasted its limit: the invocation timed out, and may be running elsewhere by
          // now (a mapping retries its batch), so the handler must not run it here as well
          throw new IllegalStateException("the invocation timed out during init");
        }
        invoked = true;
        handlerStarted = System.nanoTime();
        byte[] out = i.invoke(invocation, config, i.logStream, log::line);
        outcome =
            out != null && out.length > InvocationResult.Failure.MAX_RESPONSE_BYTES
                ? InvocationResult.Failure.responseTooLarge(out.length)
                : new InvocationResult.Success(out);
      } catch (Throwable t) {
        outcome = InvocationResult.Failure.of(t);
        if (t instanceof VirtualMachineError && instance != null) {
          instance.close();
          instance = null;
        }
        int status = HandlerInstance.exitStatus(t);
        if (status >= 0) {
          outcome = exited(status);
        }
      } finally {
        OutputCapture.end();
        thread = null;
      }
      if (instance == null && coldWorker != null) { // the cold start failed: nothing is kept
        coldWorker.close();
        coldThreads.interruptOthers();
      }
      if (instance != null && instance.exitStatus() >= 0) {
        // the handler asked to end its process, and may have caught the trap's error: the
        // invocation fails as Lambda's does when the runtime exits, and the instance goes
        outcome = exited(instance.exitStatus());
        instance.close();
        instance = null;
      }
      long usedMb = (allocatedBytes() - allocated0) >> 20;
      long duration = System.nanoTime() - started - Math.max(0, initNanos);
      Thread.interrupted(); // a timeout's interrupt must not reach what this thread runs next
      boolean timedOut = !decided.compareAndSet(false, true);
      if (!timedOut && invoked && System.currentTimeMillis() > invocation.deadlineMillis()) {
        // returned past its deadline while the timeout waited for the timer thread: it timed out
        // all the same, as in Lambda, which would have stopped it at the deadline
        timedOut = true;
        outcome = InvocationResult.Failure.timeout(invocation.requestId(), config.timeoutSeconds());
      }
      // A timed-out instance is dropped, as Lambda resets the sandbox after a timeout: its
      // static state may be half updated. Another goes back before the result completes, so
      // that a close() that the completion lets through finds it.
      if (instance != null) {
        if (closed || timedOut) {
          instance.close();
        } else {
          instance.idleSince = System.nanoTime();
          idle.offerFirst(instance);
        }
      }
      InvocationReport report =
          new InvocationReport(outcome, duration, initNanos, usedMb, log.text());
      // completed off the instance's thread: what the caller chains on the result (and the pool
      // threads it starts) must not run in, or join, the instance's thread group, whose threads
      // are interrupted and stopped with the instance
      try {
        timers.execute(() -> result.complete(report));
      } catch (RejectedExecutionException stopping) {
        // the node is stopping and its timers are gone: an answer on this thread beats none
        result.complete(report);
      }
    }

    private InvocationResult exited(int status) {
      return InvocationResult.Failure.exited(
          invocation.requestId(), status, "exit status " + status);
    }

    /** (Re)starts the timeout: {@code delayMillis} from now. */
    synchronized void arm(long delayMillis) {
      if (timer != null) {
        timer.cancel(false);
      }
      timer = timers.schedule(this::timeout, delayMillis, TimeUnit.MILLISECONDS);
    }

    synchronized void disarm() {
      if (timer != null) {
        timer.cancel(false);
      }
    }

    /** The cold start's init is over: the handler gets its whole timeout from now. */
    private void initialized() {
      long timeoutMillis = config.timeoutSeconds() * 1000L;
      invocation = invocation.withDeadline(System.currentTimeMillis() + timeoutMillis);
      if (!decided.get()) {
        arm(timeoutMillis);
      }
    }

    void timeout() {
      if (!decided.compareAndSet(false, true)) {
        return; // the handler returned first: its answer stands
      }
      InvocationResult failure =
          InvocationResult.Failure.timeout(invocation.requestId(), config.timeoutSeconds());
      long from = handlerStarted != 0 ? handlerStarted : started;
      long duration = System.nanoTime() - from;
      if (result.complete(new InvocationReport(failure, duration, initDone, -1, output.text()))) {
        Thread t = thread;
        if (t != null) {
          t.interrupt(); // the instance is abandoned either way: it is never offered back
          timers.schedule(this::stopIfStillRunning, STOP_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        }
      }
    }

    /**
     * A handler still running {@link #STOP_GRACE_MILLIS} after its timeout ignores interruption; in
     * Lambda the sandbox would be gone, so its threads are stopped rather than left to spin on (a
     * mapping retrying a batch that loops would add one on every attempt).
     */
    private void stopIfStillRunning() {
      if (thread == null) {
        return;
      }
      HandlerInstance i = instance;
      InstanceThreads threads = i != null ? i.threads() : coldThreads;
      if (threads.stopOthers()) {
        LOG.warnf(
            "Function %s: invocation %s was still running %d ms after its timeout; its instance's"
                + " threads were stopped",
            config.name(), invocation.requestId(), STOP_GRACE_MILLIS);
      } else {
        LOG.warnf(
            "Function %s: invocation %s is still running after its timeout and ignores"
                + " interruption; this Java cannot stop threads, so it runs on until it returns"
                + " (process isolation ends it)",
            config.name(), invocation.requestId());
      }
    }
  }

  private static long allocatedBytes() {
    if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t) {
      return t.getCurrentThreadAllocatedBytes();
    }
    return 0;
  }
}
