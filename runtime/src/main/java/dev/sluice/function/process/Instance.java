package dev.sluice.function.process;

import dev.sluice.function.Invocation;
import dev.sluice.function.InvocationReport;
import dev.sluice.function.InvocationResult;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.File;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One instance: a child process serving one invocation at a time through its own Runtime API
 * server. Holds at most one invocation in flight ({@code current}, delivered to the runtime) and
 * one waiting for the runtime's next {@code /next} ({@code pending}).
 *
 * <p>State changes happen under this object's lock and never block: HTTP handlers and timers run on
 * Vert.x event loops, process exits on the worker. Everything that blocks (starting, killing,
 * waiting for a process, reading its log and /proc) runs on the worker. The lock is never held
 * while calling the {@link Owner}, which has its own lock.
 */
final class Instance implements RuntimeApiServer.Api {

  /** The runner's side of an instance. */
  interface Owner {
    /** The instance answered its invocation and can take another. */
    void free(Instance instance);

    /** An invocation the instance took but never delivered must run elsewhere. */
    void redispatch(Job job);

    /** The process is gone and the port closed. */
    void terminated(Instance instance);
  }

  private enum State {
    STARTING,
    RUNNING,
    DEAD
  }

  /** Lambda gives init 10 s; a longer one counts against the first invocation's timeout. */
  private static final long INIT_LIMIT_MILLIS = 10_000;

  /**
   * The RIC prints a failed invocation's stack trace right after posting the error; the report
   * waits this long at most for the runtime's next {@code /next} so that the trace is in its log.
   */
  private static final long ERROR_LOG_WAIT_MILLIS = 100;

  /** How long a stopping runtime gets between SIGTERM and SIGKILL. */
  private static final long GRACE_MILLIS = 500;

  /** How often a kill looks for processes that joined the group meanwhile; 20 ms apart. */
  private static final int STRAGGLER_ROUNDS = 10;

  private final int number;
  private final Owner owner;
  private final Vertx vertx;
  private final LaunchSpec spec;
  private final InstanceLog log;
  private final Clock clock;
  private final String logStreamName;
  private final int timeoutSeconds;
  private final Executor serial;

  // Guarded by this.
  private State state = State.STARTING;
  private RuntimeApiServer server;
  private Process process;
  private long startNanos;
  private long initNanos = -1;
  private boolean initReported;
  private HttpServerRequest parked;
  private Job pending;
  private Job current;

  /**
   * The invocation whose result the runtime posted, until it asks for the next one. Its timeout
   * still runs meanwhile, as in Lambda: a runtime that works on after the response and overruns it
   * is killed, and the invocation it was handed meanwhile ({@code pending}) runs elsewhere, instead
   * of waiting for a {@code /next} that may never come. The instance counts as free at the
   * response, so that a caller's next invocation, which usually arrives a moment before the
   * runtime's {@code /next}, finds it warm.
   */
  private Job lingering;

  private Finishing finishing;

  /**
   * Where the output not yet handed to any report begins in the log. The next delivered invocation
   * reads from here, so that nothing the runtime prints is dropped: what it prints during init goes
   * to its first invocation, and what it prints after a response and before its next {@code /next}
   * to the invocation after that.
   */
  private long logMark;

  private long initTimer = -1;
  private boolean released;

  Instance(
      int number,
      Owner owner,
      Vertx vertx,
      Executor worker,
      LaunchSpec spec,
      InstanceLog log,
      Clock clock,
      String logStreamName,
      int timeoutSeconds) {
    this.number = number;
    this.owner = owner;
    this.vertx = vertx;
    this.spec = spec;
    this.log = log;
    this.clock = clock;
    this.logStreamName = logStreamName;
    this.timeoutSeconds = timeoutSeconds;
    this.serial = new SerialExecutor(worker);
  }

  int number() {
    return number;
  }

  /** The Runtime API port, or -1 before the server listens. */
  synchronized int port() {
    return server == null ? -1 : server.port();
  }

  synchronized boolean isDead() {
    return state == State.DEAD;
  }

  /** Opens the Runtime API port, then starts the process on the worker. Never blocks. */
  void start() {
    RuntimeApiServer.listen(vertx, this)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                Held held = markDead();
                if (held != null && held.pending != null) {
                  held.pending.future.completeExceptionally(ar.cause()); // Sluice failed, not code
                }
                owner.terminated(this);
                return;
              }
              boolean late;
              synchronized (this) {
                server = ar.result();
                late = released;
              }
              if (late) {
                ar.result().close(); // stopped while the port was opening
              } else {
                serial.execute(this::spawn);
              }
            });
  }

  /** Runs on the worker: fork and exec are blocking calls. */
  private void spawn() {
    synchronized (this) {
      if (state == State.DEAD) {
        return; // stopped before it started; its teardown is queued behind this task
      }
      startNanos = System.nanoTime();
    }
    Process p;
    Orphans.intend(pidFile(), logStreamName); // a crash during the start must not lose it
    try {
      p = builder(port()).start();
    } catch (IOException | RuntimeException | Error e) {
      // what cannot start (a bad environment value, a missing binary, no thread left for the
      // process reaper) fails its invocation: unanswered, it held its concurrency for ever
      Held held = markDead();
      if (held != null) {
        String reason = e.getMessage();
        teardown(
            held,
            false,
            System.nanoTime(),
            null,
            job -> LambdaErrors.invalidEntrypoint(job.requestId(), reason));
      }
      return;
    }
    Orphans.record(pidFile(), p, logStreamName); // its environment's mark
    synchronized (this) {
      process = p;
      if (state != State.DEAD) {
        // Lambda cuts init off at 10 s and runs it again inside the first invoke, under the
        // function's timeout: an init that fits in neither times out
        long limit = Math.max(INIT_LIMIT_MILLIS, timeoutSeconds * 1000L);
        initTimer = vertx.setTimer(limit, id -> onInitTimeout());
      }
    }
    // Queued behind this task, so a teardown queued meanwhile still sees the process and kills it.
    p.onExit().thenAcceptAsync(x -> onExit(x.exitValue()), serial);
  }

  private ProcessBuilder builder(int port) {
    ProcessBuilder pb =
        new ProcessBuilder(ProcessGroups.own(spec.command()))
            .directory(spec.workingDir().toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.file().toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().clear();
    pb.environment().putAll(spec.environment(port, logStreamName));
    return pb;
  }

  /** Whether its runtime waits in {@code /next} with nothing to run: it takes a job at once. */
  synchronized boolean asking() {
    return state == State.RUNNING
        && pending == null
        && current == null
        && parked != null
        && !parked.response().closed();
  }

  /**
   * Takes {@code job} if this instance is alive and free: delivers it to a waiting {@code /next},
   * or keeps it for the next one.
   *
   * @return false when the instance cannot take it (dead, stopping or busy)
   */
  boolean assign(Job job) {
    HttpServerRequest next;
    synchronized (this) {
      if (state == State.DEAD || pending != null || current != null) {
        return false;
      }
      next = parked;
      parked = null;
      if (next == null || next.response().closed()) {
        pending = job; // the runtime will ask, or die and hand the job back
        if (state == State.RUNNING && lingering == null) {
          // its poll dropped, and no init or lingering timer bounds the wait: a runtime that stays
          // alive without asking again must not hold the job (and its concurrency) for ever
          job.timerId = vertx.setTimer(Math.max(1, job.budgetMillis), id -> onTimeout(job));
        }
        return true;
      }
      deliverLocked(job);
    }
    write(next, job);
    return true;
  }

  @Override
  public void next(HttpServerRequest request) {
    Job job;
    synchronized (this) {
      if (state == State.DEAD) {
        return; // being killed: the closing server drops the connection
      }
      Finishing done = takeFinishing();
      if (done != null) {
        done.logEnd = log.size();
        logMark = done.logEnd;
        serial.execute(() -> finish(done));
      }
      // asked again while an invocation runs (its client timed out, say): Lambda hands out the
      // same one again, whose timer runs on
      job = current != null ? current : takeJobLocked(request);
    }
    if (job != null) {
      write(request, job);
    }
  }

  /**
   * Ends init or a lingering answer, then delivers the pending job, or parks {@code request} when
   * there is none; returns the job delivered, or null.
   */
  private Job takeJobLocked(HttpServerRequest request) {
    if (lingering != null) {
      vertx.cancelTimer(lingering.timerId);
      lingering = null;
    }
    if (state == State.STARTING) {
      state = State.RUNNING;
      initNanos = System.nanoTime() - startNanos;
      cancelInitTimer();
    }
    Job job = pending;
    pending = null;
    if (job == null) {
      parked = request; // long poll: answered by assign(), no thread waits
    } else {
      cancelTimer(job); // asked again after all: the handler's own timer starts now
      deliverLocked(job);
    }
    return job;
  }

  private void deliverLocked(Job job) {
    current = job;
    job.delivered = true;
    job.deliveredNanos = System.nanoTime();
    // Lambda shows init output ahead of the first START, and output between invocations between
    // their lines. A report's log only lands between its START and END, so both go at the start
    // of the next invocation's log instead of being lost: the first one's log begins with init's.
    job.logStart = logMark;
    long budget = job.budgetMillis;
    if (!initReported) {
      initReported = true;
      job.initNanos = initNanos;
      budget = afterInit(budget, initNanos);
    }
    job.deadlineMillis = clock.millis() + budget;
    job.timerId = vertx.setTimer(Math.max(1, budget), id -> onTimeout(job));
  }

  /**
   * What the first invocation has left of its {@code budget} after an init of {@code initNanos}:
   * all of it when init fit in Lambda's 10 s; else Lambda runs init again inside the invoke, and
   * only the rest of the timeout is the handler's.
   */
  private static long afterInit(long budget, long initNanos) {
    long initMillis = TimeUnit.NANOSECONDS.toMillis(initNanos);
    return initMillis > INIT_LIMIT_MILLIS ? budget - initMillis : budget;
  }

  private void write(HttpServerRequest request, Job job) {
    var inv = job.invocation;
    HttpServerResponse r = request.response();
    r.putHeader(RuntimeApiServer.REQUEST_ID, inv.requestId())
        .putHeader(RuntimeApiServer.DEADLINE, Long.toString(job.deadlineMillis))
        .putHeader(RuntimeApiServer.TRACE_ID, traceId())
        .putHeader("Content-Type", "application/json");
    if (inv.functionArn() != null) {
      r.putHeader(RuntimeApiServer.FUNCTION_ARN, inv.functionArn());
    }
    String clientContext = clientContext(inv);
    if (clientContext != null) {
      r.putHeader(RuntimeApiServer.CLIENT_CONTEXT, clientContext);
    }
    r.end(inv.payload() == null ? Buffer.buffer() : Buffer.buffer(inv.payload()));
  }

  @Override
  public void response(HttpServerRequest request, String requestId, Buffer body, long size) {
    Ended ended = end(requestId);
    if (ended == null) {
      refuse(request, requestId);
      return;
    }
    Supplier<InvocationResult> result =
        answer(request, size, () -> new InvocationResult.Success(body.getBytes()));
    serial.execute(() -> finish(ended, result.get()));
  }

  @Override
  public void error(
      HttpServerRequest request, String requestId, Buffer body, long size, String errorType) {
    Ended ended = end(requestId);
    if (ended == null) {
      refuse(request, requestId);
      return;
    }
    // an error over the limit as a response over it: kept as an error message, it made an Invoke
    // answer past 6 MB (more once escaped as JSON)
    Supplier<InvocationResult> result =
        answer(
            request,
            size,
            () -> LambdaErrors.fromPosted(body.getBytes(), size, errorType, "Unhandled"));
    // Completed at the runtime's next /next (or its exit, or after a short wait), not now.
    Finishing f = new Finishing(ended.job(), result, ended.endNanos());
    synchronized (this) {
      Finishing earlier = takeFinishing(); // cannot happen with a sane runtime; never lose one
      if (earlier != null) {
        serial.execute(() -> finish(earlier));
      }
      if (state != State.DEAD) {
        finishing = f;
        f.timerId = vertx.setTimer(ERROR_LOG_WAIT_MILLIS, id -> finishLate(f));
      }
    }
    owner.free(this);
    if (f.timerId < 0) {
      serial.execute(() -> finish(f));
    }
  }

  /**
   * Answers what a runtime posted for an invocation: past Lambda's 6 MB, 413 and
   * Function.ResponseSizeTooLarge; else 202 and what {@code posted} makes of the body. The result
   * is made later, on the instance's serial executor: parsing an error's JSON of up to 6 MB has no
   * place on the event loop that answered.
   */
  private static Supplier<InvocationResult> answer(
      HttpServerRequest request, long size, Supplier<InvocationResult> posted) {
    if (size > LambdaErrors.MAX_RESPONSE_BYTES) {
      RuntimeApiServer.tooLarge(request);
      return () -> LambdaErrors.responseTooLarge(size);
    }
    RuntimeApiServer.accepted(request);
    return posted;
  }

  /** An invocation answered with an error whose log is still being written. */
  private static final class Finishing {
    final Job job;
    final Supplier<InvocationResult> result;
    final long endNanos;
    long timerId = -1;
    long logEnd = -1;

    Finishing(Job job, Supplier<InvocationResult> result, long endNanos) {
      this.job = job;
      this.result = result;
      this.endNanos = endNanos;
    }
  }

  private Finishing takeFinishing() {
    Finishing f = finishing;
    finishing = null;
    if (f != null && f.timerId >= 0) {
      vertx.cancelTimer(f.timerId);
    }
    return f;
  }

  private void finishLate(Finishing f) {
    synchronized (this) {
      if (finishing != f) {
        return;
      }
      finishing = null;
      // what comes after belongs to the next invocation, as after a response
      f.logEnd = log.size();
      logMark = f.logEnd;
    }
    serial.execute(() -> finish(f));
  }

  private void finish(Finishing f) {
    complete(f.job, f.result.get(), f.endNanos, f.logEnd, peakMemoryMb());
  }

  @Override
  public void initError(HttpServerRequest request, Buffer body, long size, String errorType) {
    Held held;
    synchronized (this) {
      if (state != State.STARTING) {
        RuntimeApiServer.invalidState(request, "init/error is only allowed during init");
        return;
      }
      // checked and marked under one lock: a /next in between would deliver the job first
      held = markDead(); // Lambda discards an instance whose init failed
    }
    RuntimeApiServer.accepted(request);
    if (held != null) {
      // made on the serial executor, as an invocation's error is, not on this event loop
      Function<Job, InvocationResult> failure =
          job -> LambdaErrors.fromPosted(body.getBytes(), size, errorType, LambdaErrors.UNKNOWN);
      teardown(held, false, System.nanoTime(), failure, failure);
    }
  }

  private void onTimeout(Job job) {
    Held held;
    boolean undelivered;
    synchronized (this) {
      // pending: its runtime dropped its poll and did not ask again within the job's time;
      // lingering: answered, but its work after the answer overran the timeout, and Lambda resets
      // the sandbox then
      undelivered = pending == job;
      if (!undelivered && lingering != job && current != job) {
        return; // answered, and the runtime asked for the next one in the meantime
      }
      held = markDead();
    }
    if (held == null) {
      return;
    }
    if (undelivered) {
      teardown(held, false, System.nanoTime(), null, this::timedOut);
    } else if (held.current == null) {
      // the caller had its answer; a job handed over meanwhile runs on another instance
      teardown(held, false, System.nanoTime(), null, null);
    } else {
      teardown(held, false, System.nanoTime(), this::timedOut, null);
    }
  }

  private InvocationResult timedOut(Job job) {
    return LambdaErrors.timedOut(job.requestId(), timeoutSeconds);
  }

  private void cancelTimer(Job job) {
    if (job.timerId >= 0) {
      vertx.cancelTimer(job.timerId);
      job.timerId = -1;
    }
  }

  private void onInitTimeout() {
    Held held;
    synchronized (this) {
      // a /next that took the lock first ended init, and its job runs under its own timer
      held = state == State.STARTING ? markDead() : null;
    }
    if (held != null) {
      teardown(held, false, System.nanoTime(), null, this::timedOut);
    }
  }

  /** Runs on the worker when the process has exited, whoever caused it. */
  private void onExit(int exitValue) {
    Held held = markDead();
    if (held != null) {
      // It died on its own: crash, System.exit, OOM-kill, or a runtime that gave up. A job it
      // had not started yet runs on a fresh instance, unless this one never finished init.
      teardown(
          held,
          false,
          System.nanoTime(),
          job -> LambdaErrors.exited(job.requestId(), exitValue),
          held.served ? null : job -> LambdaErrors.exited(job.requestId(), exitValue));
    }
  }

  /** Stops a free instance: SIGTERM, then SIGKILL after a grace period. Never blocks. */
  void stop() {
    Held held = markDead();
    if (held != null) {
      teardown(
          held, true, System.nanoTime(), job -> LambdaErrors.exited(job.requestId(), 143), null);
    }
  }

  /** Kills at once; an invocation in flight fails as a crash would. Never blocks. */
  void kill() {
    Held held = markDead();
    if (held != null) {
      teardown(
          held, false, System.nanoTime(), job -> LambdaErrors.exited(job.requestId(), 137), null);
    }
  }

  private record Held(Job current, Job pending, boolean served, Finishing finishing) {}

  /** Moves to DEAD and hands back the jobs held, or null if it was already dead. */
  private synchronized Held markDead() {
    if (state == State.DEAD) {
      return null;
    }
    boolean served = state == State.RUNNING;
    state = State.DEAD;
    cancelInitTimer();
    if (current != null && current.timerId >= 0) {
      vertx.cancelTimer(current.timerId);
    }
    if (pending != null) {
      cancelTimer(pending); // handed on to another instance, which times it afresh
    }
    if (lingering != null) {
      vertx.cancelTimer(lingering.timerId);
      lingering = null;
    }
    Held held = new Held(current, pending, served, takeFinishing());
    current = null;
    pending = null;
    parked = null;
    return held;
  }

  /**
   * The end of an instance, in order on its serial executor: read its peak memory while /proc still
   * has it, kill the process tree, complete the reports (reading the log), hand on or fail the job
   * it never started ({@code pendingResult} null: run it elsewhere), delete the log, close the
   * port, tell the owner.
   */
  private void teardown(
      Held held,
      boolean graceful,
      long endNanos,
      Function<Job, InvocationResult> currentResult,
      Function<Job, InvocationResult> pendingResult) {
    serial.execute(
        () -> {
          boolean reports = held.current != null || held.finishing != null;
          long mem = reports ? peakMemoryMb() : -1;
          killTree(graceful);
          if (held.finishing != null) {
            Finishing f = held.finishing;
            complete(f.job, f.result.get(), f.endNanos, -1, mem);
          }
          if (held.current != null) {
            complete(held.current, currentResult.apply(held.current), endNanos, -1, mem);
          }
          if (held.pending != null) {
            if (pendingResult == null) {
              owner.redispatch(held.pending);
            } else {
              finishUndelivered(held.pending, pendingResult.apply(held.pending), held.served);
            }
          }
          release();
        });
  }

  private void cancelInitTimer() {
    if (initTimer >= 0) {
      vertx.cancelTimer(initTimer);
      initTimer = -1;
    }
  }

  private record Ended(Job job, long endNanos, long logEnd) {}

  /**
   * Refuses a response or error that ends no invocation, as Lambda does: any after an answer (until
   * the runtime's next {@code /next}) or while the runtime is still starting is a transition its
   * state does not allow (403); another id is not the invocation's (400).
   */
  private void refuse(HttpServerRequest request, String requestId) {
    Job answered;
    boolean starting;
    synchronized (this) {
      answered = lingering;
      starting = state == State.STARTING;
    }
    if (answered != null) {
      RuntimeApiServer.invalidState(
          request, "Invocation " + answered.requestId() + " was answered already.");
    } else if (starting) {
      RuntimeApiServer.invalidState(request, "No invocation was handed out yet.");
    } else {
      RuntimeApiServer.invalidRequestId(request);
    }
  }

  /** Ends the invocation in flight if {@code requestId} is it. */
  private Ended end(String requestId) {
    synchronized (this) {
      Job job = current;
      if (state == State.DEAD || job == null || !job.requestId().equals(requestId)) {
        return null;
      }
      current = null;
      lingering = job; // its timer runs on until the runtime asks for the next invocation
      long logEnd = log.size();
      logMark = logEnd; // an error's report may read on: see next() and finishLate()
      return new Ended(job, System.nanoTime(), logEnd);
    }
  }

  /**
   * Reports an answered invocation and frees the instance: after the report is read, since freeing
   * an instance of a closed runner tears it down, which ends the process and deletes its log; and
   * before the caller learns of it, so that its next call finds the instance warm.
   */
  private void finish(Ended ended, InvocationResult result) {
    Job job = ended.job();
    InvocationReport report = report(job, result, ended.endNanos(), ended.logEnd(), peakMemoryMb());
    owner.free(this);
    deliver(job, report);
  }

  private void complete(Job job, InvocationResult result, long endNanos, long logEnd, long memMb) {
    deliver(job, report(job, result, endNanos, logEnd, memMb));
  }

  private InvocationReport report(
      Job job, InvocationResult result, long endNanos, long logEnd, long memMb) {
    String text = log.read(job.logStart, logEnd);
    return new InvocationReport(result, endNanos - job.deliveredNanos, job.initNanos, memMb, text);
  }

  private void deliver(Job job, InvocationReport report) {
    job.future.complete(report);
    if (log.size() > InstanceLog.MAX_FILE_BYTES) {
      synchronized (this) {
        if (state != State.DEAD && current == null && finishing == null) {
          log.truncate(); // rare (every 64 MiB of output) and short, so done under the lock
          logMark = 0; // what was printed since the last report is lost with it
        }
      }
    }
  }

  /**
   * A job that failed before reaching the handler. On an instance that never finished init the
   * report carries init's time and output; on one that served before (its runtime stopped asking),
   * init was reported with the first invocation, so only what was printed since the last one.
   */
  private void finishUndelivered(Job job, InvocationResult result, boolean served) {
    long init;
    long from;
    synchronized (this) {
      init = served || process == null ? -1 : System.nanoTime() - startNanos;
      from = served ? logMark : 0;
    }
    job.future.complete(new InvocationReport(result, 0, init, -1, log.read(from, -1)));
  }

  private long peakMemoryMb() {
    Process p;
    synchronized (this) {
      p = process;
    }
    if (p == null || !p.isAlive()) {
      return -1;
    }
    List<ProcessHandle> all = new ArrayList<>();
    all.add(p.toHandle());
    if (spec.forks()) {
      p.descendants().forEach(all::add); // scans all of /proc: only where it can matter
    }
    return ProcStatus.peakMb(all);
  }

  /** What is left of the process's group (it leads one); none where groups cannot be read. */
  private static List<ProcessHandle> groupOf(Process p) {
    try {
      return ProcessGroups.members(p.pid());
    } catch (RuntimeException e) {
      return List.of();
    }
  }

  /** Ends the process tree and waits for it. Blocks: worker only. */
  private void killTree(boolean graceful) {
    Process p;
    synchronized (this) {
      p = process;
    }
    if (p == null) {
      return;
    }
    // Listed first: once the parent is gone its children are re-parented, but stay in its group.
    java.util.Set<ProcessHandle> tree = new java.util.LinkedHashSet<>();
    p.descendants().forEach(tree::add);
    tree.addAll(groupOf(p));
    tree.remove(p.toHandle());
    try {
      if (graceful && p.isAlive()) {
        p.destroy();
        tree.forEach(ProcessHandle::destroy);
        p.waitFor(GRACE_MILLIS, TimeUnit.MILLISECONDS);
      }
      tree.forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor(5, TimeUnit.SECONDS);
      killStragglers(p);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Kills what joined the group after it was listed: a child a TERM trap started in the grace, or
   * one forked while {@code /proc} was read. The group's id stays the instance's while anything is
   * in it (Linux gives it to no new process), so what is found is the instance's.
   */
  private static void killStragglers(Process p) throws InterruptedException {
    for (int round = 0; round < STRAGGLER_ROUNDS; round++) {
      List<ProcessHandle> left = groupOf(p);
      if (left.isEmpty()) {
        return;
      }
      left.forEach(ProcessHandle::destroyForcibly);
      Thread.sleep(20);
    }
  }

  /** Deletes the log and closes the port; every report has been completed before. */
  private void release() {
    RuntimeApiServer s;
    synchronized (this) {
      released = true;
      s = server;
    }
    log.delete();
    try {
      java.nio.file.Files.deleteIfExists(pidFile());
    } catch (IOException e) {
      // the runner's directory goes with it anyway
    }
    if (s == null) {
      owner.terminated(this);
    } else {
      s.close().onComplete(ar -> owner.terminated(this));
    }
  }

  /** Where the process id is kept while it lives, for {@link Orphans}: beside the log. */
  private java.nio.file.Path pidFile() {
    java.nio.file.Path logFile = log.file();
    String name = logFile.getFileName().toString().replaceFirst("\\.log$", "");
    return logFile.resolveSibling(name + ".pid");
  }

  /** An X-Ray trace header, as Lambda passes one with every event. */
  private String traceId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return String.format(
        "Root=1-%08x-%012x%012x;Parent=%016x;Sampled=0",
        clock.millis() / 1000,
        r.nextLong() & 0xFFFFFFFFFFFFL,
        r.nextLong() & 0xFFFFFFFFFFFFL,
        r.nextLong());
  }

  /**
   * Lambda's Invoke takes the client context as base64, the Runtime API hands it on as JSON in a
   * header, which carries ASCII only (Vert.x refuses DEL; a character past 255 went out as '?').
   * Every character from DEL up is written as a JSON unicode escape, which is valid only inside
   * strings, where JSON allows such characters at all; control characters, which JSON allows only
   * as whitespace between tokens, become spaces. The JSON read back is the same.
   */
  static String clientContext(Invocation inv) {
    String json = inv.clientContextJson();
    if (json == null) {
      return null;
    }
    StringBuilder out = new StringBuilder(json.length());
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (c < 0x20) {
        out.append(' ');
      } else if (c >= 0x7f) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
