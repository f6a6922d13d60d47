package dev.sluice.bench.function;

import dev.sluice.bench.TempDirs;
import dev.sluice.function.DeployedCode;
import dev.sluice.function.FunctionConfig;
import dev.sluice.function.Invocation;
import dev.sluice.function.InvocationReport;
import dev.sluice.function.Isolation;
import dev.sluice.function.Runner;
import dev.sluice.function.RunnerFactory;
import dev.sluice.function.classloader.ClassLoaderRunnerFactory;
import dev.sluice.function.process.ProcessRunnerFactory;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What Sluice adds to a handler call: {@link #warmInvoke} runs a (near) no-op handler, the example
 * {@code StreamHandler} on a two-byte event, on a warm instance and reports the sampled time per
 * invocation (read p50 and p99); {@link #coldStart} measures the first invocation of a fresh
 * runner, which loads the handler's classes and creates the instance (in process isolation: starts
 * a JVM running the runtime interface client, which then takes the event over loopback).
 *
 * <p>Needs {@code examples/hello-kinesis/target/hello-kinesis.jar}; run from the repository root or
 * point {@code -Dsluice.examples=/path/to/examples} at it.
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class InvokeBenchmark {

  private static final byte[] EVENT = "{}".getBytes(StandardCharsets.UTF_8);

  /** Isolation mode of the function. */
  @Param({"CLASSLOADER", "PROCESS"})
  public String isolation;

  private Path dir;
  private RunnerFactory factory;
  private FunctionConfig config;
  private DeployedCode code;
  private Runner warm;
  private Runner cold;
  private Vertx vertx;

  /** Deploys the example jar and warms one runner. */
  @Setup(Level.Trial)
  public void deploy() {
    dir = TempDirs.create("sluice-invoke-");
    Path jar =
        Path.of(
            System.getProperty("sluice.examples", "examples"),
            "hello-kinesis",
            "target",
            "hello-kinesis.jar");
    try {
      Files.createDirectories(dir.resolve("lib"));
      Files.copy(jar.toAbsolutePath(), dir.resolve("lib").resolve("hello-kinesis.jar"));
    } catch (IOException e) {
      throw new UncheckedIOException("build the examples first (mvn -DskipTests install)", e);
    }
    factory = factoryFor(Isolation.valueOf(isolation));
    config =
        new FunctionConfig(
            "bench",
            "dev.sluice.examples.hello.StreamHandler",
            "java17",
            512,
            30,
            Map.of(),
            null,
            "",
            Isolation.valueOf(isolation),
            "sha",
            0,
            0,
            "rev",
            null,
            null);
    code = new DeployedCode(dir);
    warm = factory.create(config, code);
    warm.invoke(invocation()).join();
  }

  private RunnerFactory factoryFor(Isolation mode) {
    if (mode == Isolation.CLASSLOADER) {
      return new ClassLoaderRunnerFactory();
    }
    vertx = Vertx.vertx();
    return new ProcessRunnerFactory(vertx, dir.resolve("process"), "us-east-1");
  }

  /** A no-op invocation on a warm instance. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @Warmup(iterations = 3, time = 3)
  @Measurement(iterations = 5, time = 3)
  public InvocationReport warmInvoke() {
    return warm.invoke(invocation()).join();
  }

  /**
   * The same invocation, but the measuring thread busy-waits for the answer instead of parking in
   * {@code join()}: what remains is Sluice's own overhead, without the operating system waking the
   * measuring thread (tens of microseconds on a virtual machine, and not Sluice's doing: an
   * event-loop caller is woken by its own selector either way).
   */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @Warmup(iterations = 3, time = 3)
  @Measurement(iterations = 5, time = 3)
  public InvocationReport warmInvokeSpinWait() {
    java.util.concurrent.CompletableFuture<InvocationReport> f = warm.invoke(invocation());
    while (!f.isDone()) {
      Thread.onSpinWait();
    }
    return f.join();
  }

  /** A fresh runner for each {@link #coldStart} call. */
  @Setup(Level.Invocation)
  public void freshRunner() {
    cold = factory.create(config, code);
  }

  /** The first invocation of a new instance: class loading, static init, instance creation. */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @Warmup(iterations = 5)
  @Measurement(iterations = 30)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public InvocationReport coldStart() {
    InvocationReport r = cold.invoke(invocation()).join();
    cold.close();
    return r;
  }

  private static Invocation invocation() {
    return new Invocation(
        "00000000-0000-0000-0000-000000000000",
        EVENT,
        System.currentTimeMillis() + 30_000,
        "arn:aws:lambda:us-east-1:000000000000:function:bench",
        null);
  }

  /** Stops the runners and deletes the copied package. */
  @TearDown(Level.Trial)
  public void close() {
    warm.close();
    if (factory instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
    TempDirs.delete(dir);
  }
}
