package dev.sluice.function.process;

import static dev.sluice.function.process.Fixtures.actions;
import static dev.sluice.function.process.Fixtures.alive;
import static dev.sluice.function.process.Fixtures.failure;
import static dev.sluice.function.process.Fixtures.invocation;
import static dev.sluice.function.process.Fixtures.payload;
import static dev.sluice.function.process.Fixtures.pid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.function.Invocation;
import dev.sluice.function.InvocationReport;
import dev.sluice.function.InvocationResult.Failure;
import io.vertx.core.Vertx;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real JVM instances running the real Lambda runtime interface client. */
class ProcessRunnerTest {

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

  private ProcessRunner runner(String name, int timeoutSeconds) {
    return factory.create(actions(name, timeoutSeconds), Fixtures.handlers());
  }

  private static InvocationReport call(ProcessRunner runner, String name, Map<String, ?> event) {
    return runner.invoke(invocation(name, event, 10_000)).orTimeout(30, TimeUnit.SECONDS).join();
  }

  @Test
  void invoke_echoHandler_returnsPayload() {
    ProcessRunner runner = runner("echo", 10);

    InvocationReport report = call(runner, "echo", Map.of("action", "echo", "n", 42));

    assertThat(payload(report).get("event")).isEqualTo(Map.of("action", "echo", "n", 42));
    assertThat(report.durationNanos()).isPositive();
    assertThat(report.maxMemoryUsedMb()).isBetween(1L, 1024L);
  }

  @Test
  void invoke_processThatCannotBeStarted_failsInsteadOfHanging() {
    // a NUL cannot go into a process's environment: the JDK refuses to start it
    ProcessRunner runner =
        factory.create(
            Fixtures.config(
                "unstartable",
                "fixture.Actions::handleRequest",
                "java17",
                10,
                Map.of("BAD", "a\u0000b")),
            Fixtures.handlers());

    InvocationReport report = call(runner, "unstartable", Map.of("action", "echo"));

    assertThat(report.result()).isInstanceOf(Failure.class);
    assertThat(((Failure) report.result()).errorType()).isEqualTo("Runtime.InvalidEntrypoint");
  }

  @Test
  void invoke_afterClose_failsAndTheRunnerStaysTerminated() {
    ProcessRunner runner = runner("echo", 10);
    runner.close();

    var result = runner.invoke(invocation("echo", Map.of("action", "echo"), 10_000));

    assertThat(result).isCompletedExceptionally();
    assertThatThrownBy(result::join).hasCauseInstanceOf(IllegalStateException.class);
    assertThat(runner.terminated()).succeedsWithin(java.time.Duration.ofSeconds(5));
  }

  @Test
  void invoke_handlerThrows_failsWithExceptionTypeAndInstanceStaysWarm() {
    ProcessRunner runner = runner("thrower", 10);
    long first = pid(call(runner, "thrower", Map.of()));

    InvocationReport report = call(runner, "thrower", Map.of("action", "throw", "why", "test"));

    Failure f = failure(report);
    assertThat(f.errorType()).isEqualTo("java.lang.IllegalStateException");
    assertThat(f.errorMessage()).isEqualTo("boom: test");
    assertThat(f.stackTrace()).anyMatch(frame -> frame.contains("fixture.Actions.handleRequest"));
    assertThat(f.unhandled()).isTrue();
    assertThat(report.log()).contains("IllegalStateException");
    assertThat(pid(call(runner, "thrower", Map.of())))
        .isEqualTo(first); // a thrown error is no crash
  }

  @Test
  void invoke_handlerThrowsWithADeepStack_failsWithItsTypeAndInstanceStaysWarm() {
    ProcessRunner runner = runner("deep", 10);
    long first = pid(call(runner, "deep", Map.of()));

    // the runtime client sends the whole trace in an X-Ray header too: far over 8 KiB
    InvocationReport report = call(runner, "deep", Map.of("action", "deepThrow", "depth", 600));

    Failure f = failure(report);
    assertThat(f.errorType()).isEqualTo("java.lang.IllegalStateException");
    assertThat(f.errorMessage()).isEqualTo("deep down");
    assertThat(pid(call(runner, "deep", Map.of()))).isEqualTo(first);
  }

  @Test
  void runtimeApi_expectContinue_answeredBeforeTheBody() throws Exception {
    ProcessRunner runner = runner("continue", 10);
    call(runner, "continue", Map.of());
    int port = runner.runtimeApiPorts().get(0);

    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      s.setSoTimeout(5_000);
      s.getOutputStream()
          .write(
              ("POST /2018-06-01/runtime/invocation/no-such-id/response HTTP/1.1\r\n"
                      + "Host: 127.0.0.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String status =
          new java.io.BufferedReader(
                  new java.io.InputStreamReader(
                      s.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII))
              .readLine();

      // curl waits a second for this before it sends a body over 1 MiB
      assertThat(status).isEqualTo("HTTP/1.1 100 Continue");
    }
  }

  @Test
  void invoke_systemExit_failsAndNextInvocationGetsFreshInstance() {
    ProcessRunner runner = runner("exiter", 10);
    long first = pid(call(runner, "exiter", Map.of()));
    Invocation exit = invocation("exiter", Map.of("action", "exit"), 10_000);

    InvocationReport report = runner.invoke(exit).orTimeout(30, TimeUnit.SECONDS).join();

    Failure f = failure(report);
    assertThat(f.errorType()).isEqualTo("Runtime.ExitError");
    assertThat(f.errorMessage())
        .isEqualTo(
            "RequestId: " + exit.requestId() + " Error: Runtime exited with error: exit status 3");
    long second = pid(call(runner, "exiter", Map.of()));
    assertThat(second).isNotEqualTo(first);
    assertThat(alive(first)).isFalse();
  }

  @Test
  void invoke_outOfMemory_failsWithoutHurtingOtherFunctions() {
    ProcessRunner hog = runner("hog", 20);
    ProcessRunner neighbour = runner("neighbour", 10);
    long hogPid = pid(call(hog, "hog", Map.of()));
    call(neighbour, "neighbour", Map.of()); // warm

    CompletableFuture<InvocationReport> oom =
        hog.invoke(invocation("hog", Map.of("action", "oom"), 20_000));
    List<CompletableFuture<InvocationReport>> others = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      others.add(neighbour.invoke(invocation("neighbour", Map.of("i", i), 10_000)));
    }

    Failure f = failure(oom.orTimeout(30, TimeUnit.SECONDS).join());
    // The RIC reports the error, then exits because an OutOfMemoryError is fatal to it.
    assertThat(f.errorType()).isIn("java.lang.OutOfMemoryError", "Runtime.ExitError");
    others.forEach(o -> assertThat(payload(o.orTimeout(30, TimeUnit.SECONDS).join())).isNotNull());
    assertThat(pid(call(hog, "hog", Map.of()))).isNotEqualTo(hogPid);
  }

  @Test
  void invoke_infiniteLoop_timesOutAndInstanceIsReplaced() {
    ProcessRunner runner = runner("looper", 2);
    long first = pid(call(runner, "looper", Map.of()));
    Invocation loop = invocation("looper", Map.of("action", "loop"), 2_000);

    InvocationReport report = runner.invoke(loop).orTimeout(30, TimeUnit.SECONDS).join();

    Failure f = failure(report);
    assertThat(f.errorType()).isEqualTo("Sandbox.Timedout");
    assertThat(f.errorMessage())
        .isEqualTo("RequestId: " + loop.requestId() + " Error: Task timed out after 2.00 seconds");
    assertThat(report.durationNanos()).isBetween(1_500_000_000L, 5_000_000_000L);
    assertThat(alive(first)).isFalse();
    assertThat(pid(call(runner, "looper", Map.of()))).isNotEqualTo(first);
  }

  @Test
  void invoke_concurrentInvocations_startMoreInstances() {
    ProcessRunner runner = runner("parallel", 10);
    List<CompletableFuture<InvocationReport>> calls = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      calls.add(
          runner.invoke(invocation("parallel", Map.of("action", "sleep", "millis", 700), 10_000)));
    }

    Set<Long> pids = new HashSet<>();
    calls.forEach(c -> pids.add(pid(c.orTimeout(30, TimeUnit.SECONDS).join())));

    assertThat(pids).hasSize(3);
    assertThat(runner.liveInstances()).isEqualTo(3);
    assertThat(pid(call(runner, "parallel", Map.of()))).isIn(pids); // warm ones are reused
    assertThat(runner.liveInstances()).isEqualTo(3);
  }

  @Test
  void invoke_firstInvocation_reportsInitDuration() {
    ProcessRunner runner = runner("cold", 10);

    InvocationReport cold = call(runner, "cold", Map.of());
    InvocationReport warm = call(runner, "cold", Map.of());

    assertThat(cold.initDurationNanos()).isBetween(1_000_000L, 20_000_000_000L);
    assertThat(warm.initDurationNanos()).isEqualTo(-1);
    assertThat(pid(warm)).isEqualTo(pid(cold));
    System.out.printf(
        "cold start: init %.1f ms, first invoke %.2f ms; warm invoke %.2f ms%n",
        cold.initDurationNanos() / 1e6, cold.durationNanos() / 1e6, warm.durationNanos() / 1e6);
  }

  @Test
  void invoke_logging_attributesOutputToItsInvocation() {
    ProcessRunner runner = runner("logger", 10);

    InvocationReport first = call(runner, "logger", Map.of("action", "log", "tag", "one"));
    InvocationReport second = call(runner, "logger", Map.of("action", "log", "tag", "two"));

    assertThat(first.log())
        .contains("via-context-logger one", "via-system-out one", "via-system-err one")
        .doesNotContain("two");
    assertThat(second.log())
        .contains("via-context-logger two", "via-system-out two", "via-system-err two")
        .doesNotContain("one");
  }

  @Test
  @SuppressWarnings("unchecked")
  void invoke_factoryWithEndpoint_handlerGetsAwsEndpointUrlUnlessItSetsOne() throws Exception {
    factory.close();
    factory = new ProcessRunnerFactory(vertx, work, Fixtures.REGION, () -> "http://127.0.0.1:4566");
    var plain = Fixtures.config("plain", "fixture.Actions::handleRequest", "java17", 7, Map.of());
    var own =
        Fixtures.config(
            "own",
            "fixture.Actions::handleRequest",
            "java17",
            7,
            Map.of("AWS_ENDPOINT_URL", "http://elsewhere:1"));

    Map<String, String> plainEnv =
        (Map<String, String>)
            payload(
                    call(
                        factory.create(plain, Fixtures.handlers()),
                        "plain",
                        Map.of("action", "env")))
                .get("env");
    Map<String, String> ownEnv =
        (Map<String, String>)
            payload(call(factory.create(own, Fixtures.handlers()), "own", Map.of("action", "env")))
                .get("env");

    assertThat(plainEnv)
        .containsEntry("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
        .containsEntry("AWS_ACCESS_KEY_ID", "sluice")
        .containsEntry("AWS_SECRET_ACCESS_KEY", "sluice");
    assertThat(ownEnv).containsEntry("AWS_ENDPOINT_URL", "http://elsewhere:1");
  }

  @Test
  @SuppressWarnings("unchecked")
  void invoke_environment_isLambdasAndReservedNamesCannotBeOverridden() {
    var config =
        Fixtures.config(
            "envy",
            "fixture.Actions::handleRequest",
            "java17",
            7,
            Map.of("FOO", "bar", "AWS_REGION", "evil", "_HANDLER", "evil.Handler"));
    ProcessRunner runner = factory.create(config, Fixtures.handlers());

    Map<String, Object> out = payload(call(runner, "envy", Map.of("action", "env")));

    Map<String, String> env = (Map<String, String>) out.get("env");
    String root = Fixtures.handlers().root().toString();
    assertThat(env)
        .containsEntry("FOO", "bar")
        .containsEntry("AWS_REGION", Fixtures.REGION)
        .containsEntry("AWS_DEFAULT_REGION", Fixtures.REGION)
        .containsEntry("_HANDLER", "fixture.Actions::handleRequest")
        .containsEntry("AWS_LAMBDA_FUNCTION_NAME", "envy")
        .containsEntry("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .containsEntry("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .containsEntry("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/envy")
        .containsEntry("AWS_EXECUTION_ENV", "AWS_Lambda_java17")
        .containsEntry("LAMBDA_TASK_ROOT", root)
        .containsEntry("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + runner.runtimeApiPorts().get(0));
    // the system's libraries first, as on Lambda, then the package's
    assertThat(env.get("LD_LIBRARY_PATH")).endsWith(":" + root + ":" + root + "/lib:/opt/lib");
    assertThat(env.get("LD_LIBRARY_PATH")).startsWith("/");
    assertThat(env.get("AWS_LAMBDA_LOG_STREAM_NAME"))
        .matches("\\d{4}/\\d\\d/\\d\\d/\\[\\$LATEST][0-9a-f]{32}")
        .isEqualTo(out.get("logStream"));
    // Nothing leaks from Sluice's own environment.
    assertThat(env.keySet())
        .isSubsetOf(
            Set.of(
                "PATH",
                "LD_LIBRARY_PATH",
                "LANG",
                "TZ",
                "FOO",
                "_HANDLER",
                "AWS_REGION",
                "AWS_DEFAULT_REGION",
                "AWS_EXECUTION_ENV",
                "AWS_LAMBDA_FUNCTION_NAME",
                "AWS_LAMBDA_FUNCTION_VERSION",
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                "AWS_LAMBDA_INITIALIZATION_TYPE",
                "AWS_LAMBDA_LOG_GROUP_NAME",
                "AWS_LAMBDA_LOG_STREAM_NAME",
                "LAMBDA_TASK_ROOT",
                "LAMBDA_RUNTIME_DIR",
                "AWS_LAMBDA_RUNTIME_API",
                "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY",
                "_X_AMZN_TRACE_ID"));
    assertThat(env)
        .containsEntry("AWS_ACCESS_KEY_ID", "sluice")
        .doesNotContainKey("AWS_ENDPOINT_URL");
    // set in every Lambda sandbox, and reserved: where the runtime's libraries are
    assertThat(Path.of(env.get("LAMBDA_RUNTIME_DIR"))).isDirectory();
    assertThat(out.get("cwd")).isEqualTo(root);
    assertThat(out.get("functionName")).isEqualTo("envy");
    assertThat(out.get("memory")).isEqualTo(128);
    assertThat((String) out.get("arn")).endsWith(":function:envy");
    assertThat(((Number) out.get("remaining")).longValue()).isBetween(1L, 10_000L);
    // Loaded by the RIC's customer class loader from the code root, as on Lambda.
    assertThat(out.get("loader")).asString().contains("CustomerClassLoader");
  }

  @Test
  void invoke_initError_failsWithReportedErrorAndInstanceIsDiscarded() {
    var config =
        Fixtures.config("badinit", "fixture.BadInit::handleRequest", "java17", 10, Map.of());
    ProcessRunner runner = factory.create(config, Fixtures.handlers());

    InvocationReport report = call(runner, "badinit", Map.of());

    Failure f = failure(report);
    assertThat(f.errorMessage()).contains("bad config");
    assertThat(report.log()).contains("BadInit is about to fail");
    InvocationReport again = call(runner, "badinit", Map.of());
    assertThat(failure(again).errorMessage()).contains("bad config"); // a fresh instance, same fate
    System.out.println("init error reported as " + f);
  }

  @Test
  void runtimeApi_unknownRequestId_isRejected() throws Exception {
    ProcessRunner runner = runner("strict", 10);
    call(runner, "strict", Map.of());
    int port = runner.runtimeApiPorts().get(0);
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + port + "/2018-06-01/runtime/";

    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "invocation/no-such-id/response"))
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> error =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "invocation/no-such-id/error"))
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> unknownPath =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "nonsense")).GET().build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("\"errorType\":\"InvalidRequestID\"");
    assertThat(error.statusCode()).isEqualTo(400);
    assertThat(unknownPath.statusCode()).isEqualTo(404);
    assertThat(payload(call(runner, "strict", Map.of("still", "works")))).isNotNull();
  }

  @Test
  void close_inFlightInvocationFinishes() throws Exception {
    ProcessRunner runner = runner("closing", 10);
    long warmPid = pid(call(runner, "closing", Map.of()));
    int port = runner.runtimeApiPorts().get(0);

    CompletableFuture<InvocationReport> inFlight =
        runner.invoke(invocation("closing", Map.of("action", "sleep", "millis", 800), 10_000));
    Thread.sleep(200); // let it reach the handler
    runner.close();
    CompletableFuture<InvocationReport> refused =
        runner.invoke(invocation("closing", Map.of(), 10_000));

    InvocationReport report = inFlight.orTimeout(30, TimeUnit.SECONDS).join();
    assertThat(pid(report)).isEqualTo(warmPid);
    assertThat(report.log()).as("what it printed before the close").contains("sleeping 800");
    assertThat(report.maxMemoryUsedMb()).as("measured before the process went").isPositive();
    assertThatThrownBy(() -> refused.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IllegalStateException.class);
    runner.terminated().get(10, TimeUnit.SECONDS);
    assertThat(alive(warmPid)).isFalse();
    assertThatThrownBy(
            () ->
                HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(2))
                    .build()
                    .send(
                        HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + port + "/2018-06-01/runtime/x"))
                            .build(),
                        HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(ConnectException.class);
  }

  @Test
  void reapIdle_instanceIdleForLongerThanTheLimit_isStopped() throws Exception {
    dev.sluice.testing.TestClock clock =
        new dev.sluice.testing.TestClock(System.currentTimeMillis());
    factory.close();
    factory = new ProcessRunnerFactory(vertx, work, Fixtures.REGION, JavaHomes.installed(), clock);
    ProcessRunner runner = runner("idler", 10);
    long pid = pid(call(runner, "idler", Map.of()));

    clock.advance(ProcessRunner.IDLE_MILLIS - 1_000);
    runner.reapIdle();
    assertThat(alive(pid)).as("idle for less than the limit").isTrue();

    clock.advance(2_000);
    runner.reapIdle();
    ProcessHandle p = ProcessHandle.of(pid).orElse(null);
    if (p != null) {
      assertThat(p.onExit()).succeedsWithin(Duration.ofSeconds(10));
    }
    for (int i = 0; i < 100 && runner.liveInstances() > 0; i++) {
      Thread.sleep(50);
    }
    assertThat(runner.liveInstances()).isZero();
  }

  @Test
  void close_idleInstancesStopAndTerminatedCompletes() throws Exception {
    ProcessRunner runner = runner("idle", 10);
    long pid = pid(call(runner, "idle", Map.of()));

    runner.close();

    runner.terminated().get(10, TimeUnit.SECONDS);
    assertThat(alive(pid)).isFalse();
    assertThat(runner.liveInstances()).isZero();
  }
}
