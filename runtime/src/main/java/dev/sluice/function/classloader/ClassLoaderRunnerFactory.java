package dev.sluice.function.classloader;

import dev.sluice.function.DeployedCode;
import dev.sluice.function.FunctionConfig;
import dev.sluice.function.Runner;
import dev.sluice.function.RunnerFactory;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runners for classloader isolation (the default). Handler code runs on a growing pool of daemon
 * threads: concurrency is bounded by the function service, and a thread stuck in a handler that
 * ignores interruption must not starve the others.
 */
public final class ClassLoaderRunnerFactory implements RunnerFactory, AutoCloseable {

  private final PlatformLoader platform = new PlatformLoader();
  private final AtomicInteger threads = new AtomicInteger();
  private final ExecutorService handlers =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "sluice-handler-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
          });
  private final ScheduledThreadPoolExecutor timers = timeoutTimer();

  private static ScheduledThreadPoolExecutor timeoutTimer() {
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "sluice-handler-timeouts");
              t.setDaemon(true);
              return t;
            });
    timer.setRemoveOnCancelPolicy(true);
    return timer;
  }

  /** Installs the per-invocation capture of System.out and System.err. */
  public ClassLoaderRunnerFactory() {
    OutputCapture.install();
  }

  @Override
  public Runner create(FunctionConfig config, DeployedCode code) {
    return new ClassLoaderRunner(config, code, platform, handlers, timers);
  }

  /** Stops the timer thread; handler threads are daemons and end with their handlers. */
  @Override
  public void close() {
    timers.shutdownNow();
    handlers.shutdown();
  }
}
