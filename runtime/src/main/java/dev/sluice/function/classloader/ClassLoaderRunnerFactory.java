package dev.sluice.function.classloader;

import dev.sluice.function.DeployedCode;
import dev.sluice.function.FunctionConfig;
import dev.sluice.function.Runner;
import dev.sluice.function.RunnerFactory;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * Runners for classloader isolation (the default). Each instance runs its handler on a daemon
 * thread of its own, in a thread group of its own; concurrency is bounded by the function service.
 */
public final class ClassLoaderRunnerFactory implements RunnerFactory, AutoCloseable {

  private final PlatformLoader platform = new PlatformLoader();
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
    return new ClassLoaderRunner(config, code, platform, timers);
  }

  /** Stops the timer thread; instance threads are daemons and end with their instances. */
  @Override
  public void close() {
    timers.shutdownNow();
  }
}
