package dev.sluice.function.process;

import dev.sluice.files.FileTrees;
import dev.sluice.function.DeployedCode;
import dev.sluice.function.FunctionConfig;
import dev.sluice.function.RunnerFactory;
import dev.sluice.function.RuntimeUnavailableException;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Makes {@link ProcessRunner}s: runners whose instances are child processes speaking the Lambda
 * Runtime API, each on its own loopback port. {@code java17} and {@code java21} run the AWS Lambda
 * runtime interface client on a JDK chosen by {@link JavaHomes}; {@code provided} runs the code's
 * executable {@code bootstrap}.
 *
 * <p>Blocking work (starting, waiting for and killing processes, reading logs) runs on this
 * factory's own worker threads, never on a Vert.x event loop.
 */
public final class ProcessRunnerFactory implements RunnerFactory, AutoCloseable {

  private final Vertx vertx;
  private final Path workDir;
  private final String region;
  private final JavaHomes javaHomes;
  private final Clock clock;
  private final ExecutorService worker;
  private final AtomicInteger runnerSeq = new AtomicInteger();
  private final Set<ProcessRunner> runners = new LinkedHashSet<>();
  private Supplier<String> endpoint = () -> null;
  private RicClasspath ric; // located on first use: a provided-only node never needs it
  private boolean closed;

  /**
   * A factory with the installed JDKs and the system clock.
   *
   * @param vertx the node's Vert.x (the Runtime API servers and timers run on it)
   * @param workDir where instance logs and scratch files go
   * @param region the node's region ({@code AWS_REGION})
   */
  public ProcessRunnerFactory(Vertx vertx, Path workDir, String region) {
    this(vertx, workDir, region, () -> null);
  }

  /**
   * A factory whose functions reach AWS services at {@code endpoint} ({@code AWS_ENDPOINT_URL}),
   * read when each runner is created because the HTTP port is known only once the server listens.
   */
  public ProcessRunnerFactory(Vertx vertx, Path workDir, String region, Supplier<String> endpoint) {
    this(vertx, workDir, region, JavaHomes.installed(), Clock.systemUTC());
    this.endpoint = endpoint;
  }

  /** A factory choosing JDKs from {@code javaHomes} and stamping times from {@code clock}. */
  public ProcessRunnerFactory(
      Vertx vertx, Path workDir, String region, JavaHomes javaHomes, Clock clock) {
    this.vertx = vertx;
    this.workDir = workDir;
    this.region = region;
    this.javaHomes = javaHomes;
    this.clock = clock;
    Orphans.sweep(workDir, "jni"); // what a crash of the last run left
    AtomicInteger threads = new AtomicInteger();
    this.worker =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "sluice-process-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * A runner for {@code config} over {@code code}. Reads the handler's class header and may extract
   * the RIC's native library, so call it off the event loop.
   *
   * @throws RuntimeUnavailableException when the runtime is unknown or no JDK can run the handler
   */
  @Override
  public ProcessRunner create(FunctionConfig config, DeployedCode code) {
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("The process runner factory is closed");
      }
    }
    Path dir = workDir.resolve(safeName(config.name()) + "-" + runnerSeq.incrementAndGet());
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    LaunchSpec spec;
    try {
      spec = launchSpec(config, code, dir);
    } catch (RuntimeException e) {
      forgetDir(dir); // no runner will own it; every failed install would leave one
      throw e;
    }
    ProcessRunner runner = new ProcessRunner(config, spec, dir, vertx, worker, clock);
    synchronized (this) {
      if (closed) {
        runner.close(); // its idle-instance timer must not outlive it
        throw new IllegalStateException("The process runner factory is closed");
      }
      runners.add(runner);
    }
    try {
      runner.terminated().whenCompleteAsync((v, e) -> forget(runner), worker);
    } catch (RejectedExecutionException e) {
      forget(runner); // closing: done by close() too
    }
    return runner;
  }

  private LaunchSpec launchSpec(FunctionConfig config, DeployedCode code, Path dir) {
    return switch (config.runtime()) {
      case "java17", "java21", "java25" -> {
        OptionalInt needed =
            ClassFiles.requiredFeature(code, ClassFiles.handlerClass(config.handler()));
        Path javaHome = javaHomes.choose(config.runtime(), needed.orElse(0));
        yield LaunchSpec.java(javaHome, ric(), dir, config, code, sandbox());
      }
      case "provided", "provided.al2", "provided.al2023" -> {
        makeExecutable(code.root().resolve("bootstrap"));
        yield LaunchSpec.provided(config, code, sandbox());
      }
      default ->
          throw new RuntimeUnavailableException(
              "Unsupported runtime in process mode: " + config.runtime());
    };
  }

  private LaunchSpec.Sandbox sandbox() {
    return new LaunchSpec.Sandbox(region, endpoint.get());
  }

  /** A closed runner's instance logs and scratch files are of no further use. */
  private void forget(ProcessRunner runner) {
    synchronized (this) {
      runners.remove(runner);
    }
    forgetDir(runner.dir());
  }

  private static void forgetDir(Path dir) {
    try {
      FileTrees.delete(dir);
    } catch (UncheckedIOException e) {
      // best effort: it is scratch space under the work directory
    }
  }

  private synchronized RicClasspath ric() {
    if (ric == null) {
      ric =
          RicClasspath.locate(ProcessRunnerFactory.class.getClassLoader(), workDir.resolve("jni"));
    }
    return ric;
  }

  /** A zip upload may lose the executable bit; Lambda runs the bootstrap regardless. */
  private static void makeExecutable(Path bootstrap) {
    if (Files.isRegularFile(bootstrap) && !Files.isExecutable(bootstrap)) {
      try {
        Set<PosixFilePermission> perms = EnumSet.copyOf(Files.getPosixFilePermissions(bootstrap));
        perms.addAll(
            List.of(
                PosixFilePermission.OWNER_EXECUTE,
                PosixFilePermission.GROUP_EXECUTE,
                PosixFilePermission.OTHERS_EXECUTE));
        Files.setPosixFilePermissions(bootstrap, perms);
      } catch (IOException | UnsupportedOperationException e) {
        // Starting it will fail with Runtime.InvalidEntrypoint, which says what went wrong.
      }
    }
  }

  private static String safeName(String name) {
    return name.replaceAll("[^A-Za-z0-9_.-]", "_");
  }

  /**
   * Closes every runner, waits for invocations in flight (at most the longest function timeout plus
   * a few seconds), kills what is left and stops the worker threads. Blocks: call it at shutdown,
   * not on an event loop.
   */
  @Override
  public void close() {
    List<ProcessRunner> open;
    synchronized (this) {
      closed = true;
      open = new ArrayList<>(runners);
    }
    int longest = open.stream().mapToInt(r -> r.config().timeoutSeconds()).max().orElse(0);
    open.forEach(ProcessRunner::close);
    CompletableFuture<Void> all =
        CompletableFuture.allOf(
            open.stream().map(ProcessRunner::terminated).toArray(CompletableFuture[]::new));
    try {
      all.get(longest + 5L, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      open.forEach(ProcessRunner::abort);
      try {
        all.get(10, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // nothing more can be done; the worker threads are daemons
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      open.forEach(ProcessRunner::abort);
    } catch (Exception e) {
      open.forEach(ProcessRunner::abort);
    }
    open.forEach(this::forget);
    worker.shutdown();
    try {
      // a runner that ended just before removed itself from the list, and its directory may
      // still be on its way out on the worker
      worker.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
