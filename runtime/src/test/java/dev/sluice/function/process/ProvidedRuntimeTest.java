package dev.sluice.function.process;

import static dev.sluice.function.process.Fixtures.failure;
import static dev.sluice.function.process.Fixtures.invocation;
import static dev.sluice.function.process.Fixtures.payload;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.function.DeployedCode;
import dev.sluice.function.InvocationReport;
import dev.sluice.function.InvocationResult.Failure;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code provided} runtime: a bash and curl bootstrap speaks the Runtime API. */
class ProvidedRuntimeTest {

  private static Vertx vertx;

  @TempDir Path work;
  private ProcessRunnerFactory factory;

  @BeforeAll
  static void vertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  @BeforeEach
  void factory() {
    factory = new ProcessRunnerFactory(vertx, work, Fixtures.REGION);
  }

  @AfterEach
  void closeFactory() throws Exception {
    factory.close();
    // Nothing outlives the factory: no process (grandchildren included), no scratch directory.
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)).isEmpty();
    try (var left = java.nio.file.Files.list(work)) {
      assertThat(left.map(p -> p.getFileName().toString())).allMatch("jni"::equals);
    }
  }

  private static InvocationReport call(ProcessRunner runner, Map<String, ?> event) {
    return runner
        .invoke(invocation("custom", event, 10_000))
        .orTimeout(30, TimeUnit.SECONDS)
        .join();
  }

  @Test
  void invoke_providedRuntime_bootstrapScriptServes() throws Exception {
    DeployedCode code = Fixtures.bootstrapCode();
    ProcessRunner runner =
        factory.create(Fixtures.config("custom", "my.handler", "provided", 5, Map.of()), code);

    InvocationReport first = call(runner, Map.of("n", 1));
    InvocationReport second = call(runner, Map.of("n", 2));

    assertThat(Files.isExecutable(code.root().resolve("bootstrap"))).isTrue();
    Map<String, Object> out = payload(first);
    assertThat(out.get("event")).isEqualTo(Map.of("n", 1));
    assertThat(out.get("handler")).isEqualTo("my.handler");
    assertThat(((Number) out.get("deadline")).longValue())
        .isGreaterThan(System.currentTimeMillis());
    assertThat(first.initDurationNanos()).isPositive();
    assertThat(first.log()).contains("bootstrap handling");
    assertThat(payload(second).get("pid")).isEqualTo(out.get("pid")); // one warm process
    assertThat(second.initDurationNanos()).isEqualTo(-1);
  }

  @Test
  void invoke_workAfterTheResponseOverrunsTheTimeout_nextGoesElsewhereAndTheInstanceIsKilled()
      throws Exception {
    ProcessRunner runner =
        factory.create(
            Fixtures.config("custom", "my.handler", "provided", 2, Map.of()),
            Fixtures.bootstrapCode());

    long lingering = pid(call(runner, Map.of("linger", true)));
    long next = pid(call(runner, Map.of("n", 2)));

    // killed once its timeout passes without a /next: the second invocation, handed to it at its
    // response, runs on another instance instead of waiting for ever
    assertThat(next).isNotEqualTo(lingering);
    ProcessHandle old = ProcessHandle.of(lingering).orElse(null);
    if (old != null) {
      assertThat(old.onExit()).succeedsWithin(java.time.Duration.ofSeconds(10));
    }
    assertThat(pid(call(runner, Map.of("n", 3)))).isEqualTo(next);
  }

  private static long pid(InvocationReport report) {
    return ((Number) payload(report).get("pid")).longValue();
  }

  @Test
  void invoke_providedRuntimeError_carriesPostedType() throws Exception {
    ProcessRunner runner =
        factory.create(
            Fixtures.config("custom", "my.handler", "provided", 5, Map.of()),
            Fixtures.bootstrapCode());

    Failure f = failure(call(runner, Map.of("fail", true)));

    assertThat(f.errorType()).isEqualTo("Custom.Failed");
    assertThat(f.errorMessage()).isEqualTo("asked to fail");
    assertThat(payload(call(runner, Map.of("n", 3))).get("event")).isEqualTo(Map.of("n", 3));
  }

  @Test
  void invoke_providedRuntimeWithoutBootstrap_failsWithInvalidEntrypoint(@TempDir Path empty) {
    ProcessRunner runner =
        factory.create(
            Fixtures.config("custom", "my.handler", "provided", 5, Map.of()),
            new DeployedCode(empty));

    Failure f = failure(call(runner, Map.of()));

    assertThat(f.errorType()).isEqualTo("Runtime.InvalidEntrypoint");
    assertThat(f.errorMessage()).contains("bootstrap");
  }
}
