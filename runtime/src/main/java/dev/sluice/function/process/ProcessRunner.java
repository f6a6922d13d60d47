package dev.sluice.function.process;

import dev.sluice.function.FunctionConfig;
import dev.sluice.function.Invocation;
import dev.sluice.function.InvocationReport;
import dev.sluice.function.LogStreamNames;
import dev.sluice.function.Runner;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Runs one function version in child processes that speak the Lambda Runtime API. Each instance
 * serves one invocation at a time; a free warm instance is reused (the most recently used first, so
 * surplus instances stay cold), and a new one is started when all are busy. An instance that
 * crashes, times out or fails its init is killed and never reused. One left idle for {@link
 * #IDLE_MILLIS} is stopped, as Lambda reclaims idle execution environments: a burst at a high
 * concurrency does not leave its JVMs running for ever.
 */
public final class ProcessRunner implements Runner, Instance.Owner {

  /** How long an instance may stay idle before it is stopped. */
  static final long IDLE_MILLIS = 5 * 60_000;

  /** How often idle instances are looked for. */
  private static final long REAP_EVERY_MILLIS = 30_000;

  private final FunctionConfig config;
  private final LaunchSpec spec;
  private final Path dir;
  private final Vertx vertx;
  private final Executor worker;
  private final Clock clock;
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();

  // Guarded by this.
  private final Set<Instance> all = new LinkedHashSet<>();
  private final Deque<Instance> free = new ArrayDeque<>();

  /** When each instance in {@link #free} was freed, by the clock. */
  private final Map<Instance, Long> freedAt = new HashMap<>();

  private int instanceSeq;
  private long reaper = -1;
  private boolean closed;
  private boolean aborted;

  ProcessRunner(
      FunctionConfig config, LaunchSpec spec, Path dir, Vertx vertx, Executor worker, Clock clock) {
    this.config = config;
    this.spec = spec;
    this.dir = dir;
    this.vertx = vertx;
    this.worker = worker;
    this.clock = clock;
    this.reaper = vertx.setPeriodic(REAP_EVERY_MILLIS, id -> reapIdle());
  }

  /** Stops the instances idle for longer than {@link #IDLE_MILLIS}; never blocks. */
  void reapIdle() {
    List<Instance> idle = new ArrayList<>();
    synchronized (this) {
      long now = clock.millis();
      // the least recently freed are at the tail
      for (Instance i = free.peekLast();
          i != null && now - freedAt.getOrDefault(i, now) >= IDLE_MILLIS;
          i = free.peekLast()) {
        free.pollLast();
        freedAt.remove(i);
        idle.add(i);
      }
    }
    idle.forEach(Instance::stop);
  }

  /** Where its instance logs and scratch files are. */
  Path dir() {
    return dir;
  }

  /** The configuration this runner runs. */
  public FunctionConfig config() {
    return config;
  }

  /**
   * Runs the invocation on a free instance or a new one. The handler's timeout starts when its
   * runtime receives the event: a cold start's init does not count, as in Lambda.
   *
   * @throws IllegalStateException (in the future) after {@link #close()}
   */
  @Override
  public CompletableFuture<InvocationReport> invoke(Invocation invocation) {
    long budget = invocation.deadlineMillis() - clock.millis();
    Job job = new Job(invocation, budget);
    if (budget <= 0) {
      // Already past its deadline: failing it here spares an instance a pointless kill.
      job.future.complete(
          new InvocationReport(
              LambdaErrors.timedOut(invocation.requestId(), config.timeoutSeconds()),
              0,
              -1,
              -1,
              ""));
      return job.future;
    }
    if (invocation.kinesis() != null) {
      // a batch's JSON (up to 6 MB) is built here on the worker: otherwise it was built under this
      // runner's lock, or on a Runtime API event loop when the instance asked for it
      CompletableFuture.runAsync(invocation::payload, worker)
          .whenComplete(
              (v, e) -> {
                if (e != null) {
                  job.future.completeExceptionally(e);
                } else {
                  dispatch(job, false);
                }
              });
      return job.future;
    }
    dispatch(job, false);
    return job.future;
  }

  /** {@code accepted}: the invocation was taken before a close(), which lets it run still. */
  private void dispatch(Job job, boolean accepted) {
    Instance started;
    synchronized (this) {
      // checked with the instance taken, under one lock: a close() in between would otherwise
      // let a new instance start in the directory the closed runner's factory removes
      if (aborted || (closed && !accepted)) {
        job.future.completeExceptionally(
            new IllegalStateException("Runner of " + config.name() + " is closed"));
        return;
      }
      Instance asking = takeAsking();
      if (asking != null && asking.assign(job)) {
        return;
      }
      for (Instance i = free.pollFirst(); i != null; i = free.pollFirst()) {
        freedAt.remove(i);
        if (i.assign(job)) {
          return;
        }
      }
      started = newInstance();
      all.add(started);
      started.assign(job); // a new instance always takes it
    }
    started.start();
  }

  /**
   * Takes the most recently freed instance whose runtime waits in {@code /next} already: as in
   * Lambda, an event goes to an environment that asked for one, not to one still working after its
   * response (it waits there until that runtime asks, up to its timeout). Caller holds the lock.
   */
  private Instance takeAsking() {
    for (java.util.Iterator<Instance> it = free.iterator(); it.hasNext(); ) {
      Instance i = it.next();
      if (i.asking()) {
        it.remove();
        freedAt.remove(i);
        return i;
      }
    }
    return null;
  }

  private Instance newInstance() {
    int n = ++instanceSeq;
    String stream = LogStreamNames.next(clock.instant(), LaunchSpec.VERSION);
    return new Instance(
        n,
        this,
        vertx,
        worker,
        spec,
        new InstanceLog(dir.resolve("instance-" + n + ".log")),
        clock,
        stream,
        config.timeoutSeconds());
  }

  @Override
  public void free(Instance instance) {
    boolean stop;
    synchronized (this) {
      stop = closed;
      if (!stop && all.contains(instance)) {
        free.addFirst(instance);
        freedAt.put(instance, clock.millis());
      }
    }
    if (stop) {
      instance.stop();
    }
  }

  @Override
  public void redispatch(Job job) {
    dispatch(job, true); // allowed after close: the invocation was accepted before it
  }

  @Override
  public void terminated(Instance instance) {
    boolean done;
    synchronized (this) {
      all.remove(instance);
      free.remove(instance);
      freedAt.remove(instance);
      done = closed && all.isEmpty();
    }
    if (done) {
      terminated.complete(null);
    }
  }

  /**
   * Stops taking invocations and returns at once. Free instances stop now; busy ones when their
   * invocation ends (answered or timed out). {@link #terminated()} completes when every process has
   * exited and every port is closed.
   */
  @Override
  public void close() {
    List<Instance> idle;
    boolean done;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      idle = new ArrayList<>(free);
      free.clear();
      freedAt.clear();
      done = all.isEmpty();
    }
    vertx.cancelTimer(reaper);
    idle.forEach(Instance::stop);
    if (done) {
      terminated.complete(null);
    }
  }

  /** Completes when the runner is closed and all its processes and ports are gone. */
  public CompletableFuture<Void> terminated() {
    return terminated;
  }

  @Override
  public CompletableFuture<Void> stopped() {
    return terminated;
  }

  /** Closes and kills every instance now; invocations in flight fail as crashes. */
  void abort() {
    List<Instance> live;
    synchronized (this) {
      aborted = true;
      live = new ArrayList<>(all);
    }
    close();
    live.forEach(Instance::kill);
  }

  /** Instances alive or starting (for tests and metrics). */
  synchronized int liveInstances() {
    return (int) all.stream().filter(i -> !i.isDead()).count();
  }

  /** The Runtime API ports of live instances (for tests). */
  synchronized List<Integer> runtimeApiPorts() {
    return all.stream().filter(i -> !i.isDead()).map(Instance::port).filter(p -> p > 0).toList();
  }
}
