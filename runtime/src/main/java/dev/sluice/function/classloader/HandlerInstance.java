package dev.sluice.function.classloader;

import dev.sluice.function.DeployedCode;
import dev.sluice.function.FunctionConfig;
import dev.sluice.function.Invocation;
import dev.sluice.function.KinesisBatch;
import dev.sluice.function.LogStreamNames;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * A warm instance: its own class loader (so static state is per instance, as in a Lambda sandbox)
 * and a handler bridge created in it. Used by one invocation at a time.
 */
final class HandlerInstance implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(HandlerInstance.class);

  private final FunctionLoader loader;
  private final InstanceWorker worker;
  private final InstanceThreads threads;
  private final Object bridge;
  private final Method invoke;
  private final String directEventType;

  /** What {@code HandlerBridge.eventBuilder} says: how a KinesisEvent or KafkaEvent is made. */
  final String eventBuilder;

  final long initNanos;

  /** This environment's log stream, as Context.getLogStreamName() gives it. */
  final String logStream = LogStreamNames.next(Instant.now(), "$LATEST");

  /** When it last went back to its runner's idle instances (System.nanoTime). */
  volatile long idleSince;

  private HandlerInstance(
      FunctionLoader loader,
      InstanceWorker worker,
      InstanceThreads threads,
      Object bridge,
      Method invoke,
      String direct,
      String eventBuilder,
      long initNanos) {
    this.loader = loader;
    this.bridge = bridge;
    this.invoke = invoke;
    this.directEventType = direct;
    this.eventBuilder = eventBuilder;
    this.initNanos = initNanos;
    this.worker = worker;
    this.threads = threads;
  }

  /** A cold start on the calling thread, for an instance whose later invocations get a worker. */
  static HandlerInstance start(FunctionConfig config, DeployedCode code, PlatformLoader platform)
      throws Throwable {
    InstanceThreads threads = new InstanceThreads(config.name());
    return start(
        config, code, platform, new InstanceWorker(workerName(config), threads.group()), threads);
  }

  /** The name of an instance's worker thread, which says whose handler it runs. */
  static String workerName(FunctionConfig config) {
    return "sluice-fn-" + config.name();
  }

  /**
   * Loads and initialises the handler: the cold start, normally on {@code worker}'s thread, so that
   * what the init leaves in thread-locals is there for the invocations. Throws what the handler's
   * init threw.
   */
  static HandlerInstance start(
      FunctionConfig config,
      DeployedCode code,
      PlatformLoader platform,
      InstanceWorker worker,
      InstanceThreads threads)
      throws Throwable {
    long t0 = System.nanoTime();
    FunctionLoader loader = new FunctionLoader("fn-" + config.name(), code.classpath(), platform);
    // As in Lambda's Java runtime, the handler's own loader is the context class loader while it
    // initialises and runs: frameworks (Quarkus, Spring, ServiceLoader users) look classes up
    // through it, and must not find Sluice's.
    ClassLoader previous = swapContextLoader(loader);
    try {
      Class<?> type = platform.loadClass(PlatformLoader.BRIDGE_PACKAGE + "HandlerBridge");
      Constructor<?> ctor = type.getConstructor(ClassLoader.class, String.class);
      Object bridge = ctor.newInstance(loader, config.handler());
      Method invoke =
          type.getMethod(
              "invoke",
              byte[].class,
              Object[].class,
              String.class,
              String.class,
              String.class,
              String.class,
              int.class,
              long.class,
              String.class,
              String.class,
              String.class,
              Consumer.class);
      String direct = (String) type.getMethod("directEventType").invoke(bridge);
      String builder = (String) type.getMethod("eventBuilder").invoke(bridge);
      return new HandlerInstance(
          loader, worker, threads, bridge, invoke, direct, builder, System.nanoTime() - t0);
    } catch (InvocationTargetException e) {
      loader.close();
      throw explain(e.getCause(), config);
    } finally {
      swapContextLoader(previous);
    }
  }

  private static ClassLoader swapContextLoader(ClassLoader next) {
    Thread t = Thread.currentThread();
    ClassLoader previous = t.getContextClassLoader();
    t.setContextClassLoader(next);
    return previous;
  }

  /**
   * Runs the handler on the invocation's event: as objects when it is a batch laid out for the
   * plain events-library class the handler takes (KinesisEvent, KafkaEvent), as JSON otherwise.
   */
  byte[] invoke(
      Invocation invocation, FunctionConfig config, String logStream, Consumer<String> log)
      throws Throwable {
    KinesisBatch batch = invocation.kinesis();
    if (batch != null && !batch.eventType().equals(directEventType)) {
      batch = null;
    }
    byte[] event = batch == null ? invocation.payload() : null;
    ClassLoader previous = swapContextLoader(loader);
    try {
      return (byte[])
          invoke.invoke(
              bridge,
              event,
              batch == null ? null : batch.records(),
              invocation.requestId(),
              config.name(),
              "$LATEST",
              invocation.functionArn(),
              config.memorySize(),
              invocation.deadlineMillis(),
              "/aws/lambda/" + config.name(),
              logStream,
              invocation.clientContextJson(),
              log);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    } finally {
      swapContextLoader(previous);
    }
  }

  /** A handler compiled for a newer Java gets a message that says what to do about it. */
  private static Throwable explain(Throwable t, FunctionConfig config) {
    if (t instanceof UnsupportedClassVersionError e) {
      return new UnsupportedClassVersionError(
          e.getMessage()
              + ". Function "
              + config.name()
              + " was compiled for a newer Java than the one Sluice runs on (Java "
              + Runtime.version().feature()
              + "); deploy it with process isolation, which picks an installed JDK that can run"
              + " it.");
    }
    return t;
  }

  /**
   * The status of the handler's first {@code System.exit}-like call on this instance (from any of
   * its threads), or -1: an instance that asked to exit is never used again.
   */
  int exitStatus() {
    return loader.exitStatus();
  }

  /**
   * The status of an exit call that {@code t} (or a cause of it) unwound, or -1: how an exit during
   * a cold start, whose instance never came to be, is told apart from other init failures.
   */
  static int exitStatus(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c.getClass().getName().equals(PlatformLoader.TRAP_PACKAGE + "ExitTrap$Exit")) {
        try {
          return (int) c.getClass().getMethod("status").invoke(c);
        } catch (ReflectiveOperationException e) {
          return 1;
        }
      }
    }
    return -1;
  }

  InstanceThreads threads() {
    return threads;
  }

  /** The instance's own class loader. */
  FunctionLoader loader() {
    return loader;
  }

  /**
   * How long a closing instance waits for its shutdown hooks: Lambda gives a runtime 500 ms between
   * SIGTERM and SIGKILL when its sandbox shuts down.
   */
  static final long HOOKS_MILLIS = 500;

  /** Starts the handler's shutdown hooks together, as a JVM does, and waits for them, bounded. */
  private void runShutdownHooks() {
    List<Thread> hooks = loader.takeShutdownHooks();
    for (Thread hook : hooks) {
      try {
        hook.start();
      } catch (IllegalThreadStateException e) {
        // a thread that had run before it was registered; the JVM would refuse it as well
      }
    }
    long deadline = System.currentTimeMillis() + HOOKS_MILLIS;
    for (Thread hook : hooks) {
      long left = deadline - System.currentTimeMillis();
      try {
        if (left > 0) {
          hook.join(left);
        }
        if (hook.isAlive()) {
          return; // what is still running is interrupted with the instance's other threads
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Runs {@code task} on this instance's own thread. */
  void post(Runnable task) {
    worker.post(task);
  }

  /**
   * Ends the instance: its worker, once idle; the shutdown hooks its handler registered run, for at
   * most {@link #HOOKS_MILLIS} together; the threads its handler started are interrupted (those
   * that ignore it are named in a warning, as they keep the instance's classes alive).
   */
  @Override
  public void close() {
    worker.close();
    runShutdownHooks();
    List<Thread> left = threads.interruptOthers();
    left.remove(worker.thread());
    if (!left.isEmpty()) {
      LOG.debugf(
          "Instance %s closed; interrupted the threads its handler started: %s",
          loader.getName(), left);
    }
    try {
      bridge.getClass().getMethod("release").invoke(bridge);
    } catch (ReflectiveOperationException e) {
      LOG.debugf(e, "Instance %s: shared caches not released", loader.getName());
    }
    try {
      loader.close();
    } catch (IOException e) {
      // nothing is left to release after a failed close
    }
  }
}
