package dev.sluice.function.classloader;

import dev.sluice.function.DeployedCode;
import dev.sluice.function.FunctionConfig;
import dev.sluice.function.Runner;
import dev.sluice.function.RunnerFactory;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runners for classloader isolation (the default). Each instance runs its handler on a daemon
 * thread of its own, in a thread group of its own; concurrency is bounded by the function service.
 */
public final class ClassLoaderRunnerFactory implements RunnerFactory, AutoCloseable {

  private final PlatformLoader platform = new PlatformLoader();
  private final ScheduledThreadPoolExecutor timers = timeoutTimer();
  private final ThreadPoolExecutor closer = closer(Thread.currentThread().getThreadGroup());

  /**
   * One thread, made when needed, that closes instances. Its group is the node's, named here: a
   * thread made by a pool joins the group of the thread that asked, and an instance's thread group
   * is stopped with the instance.
   */
  private static ThreadPoolExecutor closer(ThreadGroup group) {
    ThreadPoolExecutor closer =
        new ThreadPoolExecutor(
            1,
            1,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(group, r, "sluice-instance-closer");
              t.setDaemon(true);
              return t;
            });
    closer.allowCoreThreadTimeOut(true);
    return closer;
  }

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
    return new ClassLoaderRunner(config, code, platform, timers, closer);
  }

  /**
   * Stops the timer thread, and the closer once the closes queued ran (the handlers' shutdown
   * hooks, which a node stopping must still run), waiting for them a bounded time; instance threads
   * are daemons and end with their instances.
   */
  @Override
  public void close() {
    timers.shutdownNow();
    closer.shutdown();
    try {
      if (!closer.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
        org.jboss.logging.Logger.getLogger(ClassLoaderRunnerFactory.class)
            .warnf("Function instances still closing after %d s; not waiting", CLOSE_WAIT_SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final long CLOSE_WAIT_SECONDS = 10;
}
