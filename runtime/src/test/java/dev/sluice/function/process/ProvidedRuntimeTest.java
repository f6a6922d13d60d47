package dev.sluice.function.process;

import static dev.sluice.function.process.Fixtures.failure;
import static dev.sluice.function.process.Fixtures.invocation;
import static dev.sluice.function.process.Fixtures.payload;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.function.DeployedCode;
import dev.sluice.function.Invocation;
import dev.sluice.function.InvocationReport;
import dev.sluice.function.InvocationResult;
import dev.sluice.function.InvocationResult.Failure;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
    ProcessRunner runner = provided(5, code);

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
    ProcessRunner runner = provided(2, Fixtures.bootstrapCode());

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

  @Test
  void invoke_anInstanceStillWorksAfterItsResponse_goesToOneWaitingInNext() throws Exception {
    ProcessRunner runner = provided(10, Fixtures.bootstrapCode());
    CompletableFuture<InvocationReport> a =
        runner.invoke(invocation("custom", Map.of("n", 1), 10_000));
    CompletableFuture<InvocationReport> b =
        runner.invoke(invocation("custom", Map.of("n", 2), 10_000));
    long one = pid(a.orTimeout(30, TimeUnit.SECONDS).join());
    long two = pid(b.orTimeout(30, TimeUnit.SECONDS).join());
    assertThat(one).as("two warm instances").isNotEqualTo(two);

    long working = pid(call(runner, Map.of("pause", true))); // works 3 s after its response
    long next = pid(call(runner, Map.of("n", 3)));

    assertThat(next).as("not queued behind the working one").isNotEqualTo(working);
    assertThat(List.of(one, two)).contains(next);
  }

  @Test
  void invoke_runtimeDropsItsWaitingNextAndNeverAsksAgain_timesOutAndTheInstanceIsKilled()
      throws Exception {
    ProcessRunner runner =
        provided(
            2,
            bootstrap(
                """
                next
                echo first-output
                curl -sS -o /dev/null -X POST "$API/invocation/$ID/response" -d "{\\"pid\\":$$}"
                curl -sS --max-time 1 "$API/invocation/next" || true # waits, then hangs up
                sleep 600 # alive, and never asks again
                """));
    long first = pid(call(runner, Map.of("n", 1)));
    Thread.sleep(2_000); // its second /next waited and was dropped

    InvocationReport r =
        runner
            .invoke(invocation("custom", Map.of("n", 2), 3_000))
            .orTimeout(20, TimeUnit.SECONDS)
            .join();

    assertThat(failure(r).errorType()).isEqualTo("Sandbox.Timedout");
    assertThat(r.initDurationNanos()).as("init was the first invocation's").isEqualTo(-1);
    assertThat(r.log()).as("the first invocation's output").doesNotContain("first-output");
    ProcessHandle.of(first)
        .ifPresent(p -> assertThat(p.onExit()).succeedsWithin(java.time.Duration.ofSeconds(10)));
    assertThat(pid(call(runner, Map.of("n", 3)))).isNotEqualTo(first);
  }

  @Test
  void invoke_runtimeExitsLeavingAChild_theChildIsKilledWithIt() throws Exception {
    ProcessRunner runner = provided(10, Fixtures.bootstrapCode());

    long child = ((Number) payload(call(runner, Map.of("spawn", true))).get("child")).longValue();

    ProcessHandle orphan = ProcessHandle.of(child).orElse(null);
    if (orphan != null) { // already gone is fine too
      assertThat(orphan.onExit()).succeedsWithin(java.time.Duration.ofSeconds(15));
    }
    assertThat(payload(call(runner, Map.of("n", 2))).get("event")).isEqualTo(Map.of("n", 2));
  }

  /** A runner of a {@code provided} function "custom" with a timeout of {@code seconds}. */
  @Test
  void runtimeApi_answeredInvocationPostedAgain_invalidStateTransition() throws Exception {
    ProcessRunner runner = provided(60, Fixtures.bootstrapCode());
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    Invocation inv = invocation("custom", Map.of("linger", true), 60_000);
    runner.invoke(inv).orTimeout(30, TimeUnit.SECONDS).join(); // works on 60 s after answering
    String base =
        "http://127.0.0.1:" + runner.runtimeApiPorts().get(0) + "/2018-06-01/runtime/invocation/";

    java.net.http.HttpResponse<String> again = post(http, base + inv.requestId() + "/response");
    java.net.http.HttpResponse<String> error = post(http, base + inv.requestId() + "/error");
    java.net.http.HttpResponse<String> other = post(http, base + "no-such-id/response");

    assertThat(again.statusCode()).isEqualTo(403);
    assertThat(again.body()).contains("\"errorType\":\"InvalidStateTransition\"");
    assertThat(error.statusCode()).isEqualTo(403);
    assertThat(other.statusCode()).as("any id, until the next /next").isEqualTo(403);
  }

  @Test
  void runtimeApi_nextAgainWhileAnInvocationRuns_getsTheSameInvocation() throws Exception {
    ProcessRunner runner =
        provided(
            5,
            bootstrap(
                """
                next
                FIRST="$ID"
                next
                curl -sS -o /dev/null -X POST "$API/invocation/$ID/response" \\
                  -d "{\\"first\\":\\"$FIRST\\",\\"second\\":\\"$ID\\",\\"event\\":$EVENT}"
                sleep 600
                """));
    Invocation inv = invocation("custom", Map.of("n", 7), 5_000);

    Map<String, Object> out = payload(runner.invoke(inv).orTimeout(30, TimeUnit.SECONDS).join());

    assertThat(out.get("first")).isEqualTo(inv.requestId());
    assertThat(out.get("second")).isEqualTo(inv.requestId());
    assertThat(out.get("event")).isEqualTo(Map.of("n", 7));
  }

  private static java.net.http.HttpResponse<String> post(java.net.http.HttpClient http, String url)
      throws Exception {
    return http.send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}"))
            .build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  private ProcessRunner provided(int seconds, DeployedCode code) {
    return factory.create(
        Fixtures.config("custom", "my.handler", "provided", seconds, Map.of()), code);
  }

  private static long pid(InvocationReport report) {
    return ((Number) payload(report).get("pid")).longValue();
  }

  @Test
  void invoke_providedRuntimeError_carriesPostedType() throws Exception {
    ProcessRunner runner = provided(5, Fixtures.bootstrapCode());

    Failure f = failure(call(runner, Map.of("fail", true)));

    assertThat(f.errorType()).isEqualTo("Custom.Failed");
    assertThat(f.errorMessage()).isEqualTo("asked to fail");
    assertThat(payload(call(runner, Map.of("n", 3))).get("event")).isEqualTo(Map.of("n", 3));
  }

  @Test
  void invoke_providedRuntimeWithoutBootstrap_failsWithInvalidEntrypoint(@TempDir Path empty) {
    ProcessRunner runner = provided(5, new DeployedCode(empty));

    Failure f = failure(call(runner, Map.of()));

    assertThat(f.errorType()).isEqualTo("Runtime.InvalidEntrypoint");
    assertThat(f.errorMessage()).contains("bootstrap");
  }

  @Test
  void invoke_bootstrapWithWindowsLineEnds_failsWithInvalidEntrypoint() throws Exception {
    Path root = Files.createTempDirectory("sluice-crlf");
    Path bootstrap = root.resolve("bootstrap");
    Files.writeString(bootstrap, "#!/bin/sh\r\necho hi\r\n"); // its interpreter is "/bin/sh\r"
    assertThat(bootstrap.toFile().setExecutable(true)).isTrue();
    ProcessRunner runner = provided(5, new DeployedCode(root));

    Failure f = failure(call(runner, Map.of()));

    assertThat(f.errorType()).isEqualTo("Runtime.InvalidEntrypoint");
  }

  @Test
  void invoke_clientContextWithDelAndNonAscii_runtimeReadsTheSameJson() throws Exception {
    ProcessRunner runner =
        provided(
            5,
            bootstrap(
                """
                headers="$(mktemp)"
                curl -sS -D "$headers" -o /dev/null "$API/invocation/next"
                ID="$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$headers" | cut -d: -f2 | tr -d '[:space:]')"
                CC="$(grep -i '^Lambda-Runtime-Client-Context:' "$headers" | cut -d: -f2- | tr -d '\\r')"
                curl -sS -o /dev/null -X POST "$API/invocation/$ID/response" --data-binary "$CC"
                sleep 600
                """));
    String json =
        "{\"custom\":{\"k\":\"a\u007fb\",\"city\":\"Z\u00fcrich \u6771\u4eac \ud83d\ude80\"}}";
    Invocation base = invocation("custom", Map.of(), 10_000);
    Invocation withContext =
        new Invocation(
            base.requestId(),
            base.payload(),
            base.deadlineMillis(),
            base.functionArn(),
            java.util.Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8)));

    InvocationReport r = runner.invoke(withContext).orTimeout(20, TimeUnit.SECONDS).join();

    ObjectMapper mapper = new ObjectMapper();
    byte[] echoed = ((InvocationResult.Success) r.result()).payload();
    assertThat(mapper.readTree(echoed)).isEqualTo(mapper.readTree(json));
  }

  @Test
  void invoke_startingTheProcessThrowsAnError_invocationFailsInsteadOfWaitingForEver()
      throws Exception {
    Map<String, String> broken =
        new java.util.AbstractMap<>() {
          @Override
          public java.util.Set<Map.Entry<String, String>> entrySet() {
            throw new OutOfMemoryError("unable to create native thread");
          }
        };
    ProcessRunner runner =
        new ProcessRunner(
            Fixtures.config("custom", "my.handler", "provided", 5, Map.of()),
            new LaunchSpec(List.of("/bin/true"), work, broken, false),
            Files.createTempDirectory("sluice-error"),
            vertx,
            java.util.concurrent.ForkJoinPool.commonPool(),
            java.time.Clock.systemUTC());
    try {
      InvocationReport r =
          runner
              .invoke(invocation("custom", Map.of(), 10_000))
              .orTimeout(15, TimeUnit.SECONDS)
              .join();

      assertThat(failure(r).errorMessage()).contains("unable to create native thread");
    } finally {
      runner.close();
      runner.terminated().get(15, TimeUnit.SECONDS);
    }
  }

  /**
   * The head of a bash and curl bootstrap: {@code next} waits for an invocation and sets {@code ID}
   * and {@code EVENT}.
   */
  private static final String BOOTSTRAP_HEAD =
      """
      #!/bin/bash
      set -eu
      API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
      next() {
        local headers
        headers="$(mktemp)"
        EVENT="$(curl -sS -D "$headers" "$API/invocation/next")"
        ID="$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$headers" | cut -d: -f2 | tr -d '[:space:]')"
        rm -f "$headers"
      }
      """;

  /** A code root whose bootstrap is {@link #BOOTSTRAP_HEAD} and then {@code body}. */
  private static DeployedCode bootstrap(String body) throws IOException {
    Path root = Files.createTempDirectory("sluice-provided");
    Files.writeString(root.resolve("bootstrap"), BOOTSTRAP_HEAD + body);
    return new DeployedCode(root);
  }

  @Test
  void invoke_initOver10Seconds_countsAgainstTheFirstInvocationsTimeout() throws Exception {
    // init 10.5 s: what a 12 s timeout leaves is 1.5 s, and a handler of 2.5 s overruns it
    ProcessRunner longTimeout =
        provided(
            12,
            bootstrap(
                """
                sleep 10.5
                next
                sleep 2.5
                curl -sS -o /dev/null -X POST "$API/invocation/$ID/response" -d '{}'
                sleep 600
                """));
    // a 3 s timeout: init may take 10 s, no more
    ProcessRunner shortTimeout =
        provided(
            3,
            bootstrap(
                """
                sleep 10.5
                next
                curl -sS -o /dev/null -X POST "$API/invocation/$ID/response" -d '{}'
                sleep 600
                """));
    CompletableFuture<InvocationReport> a =
        longTimeout.invoke(invocation("custom", Map.of(), 12_000));
    CompletableFuture<InvocationReport> b =
        shortTimeout.invoke(invocation("custom", Map.of(), 3_000));

    Failure first = failure(a.orTimeout(30, TimeUnit.SECONDS).join());
    Failure second = failure(b.orTimeout(30, TimeUnit.SECONDS).join());

    assertThat(first.errorType()).isEqualTo("Sandbox.Timedout");
    assertThat(first.errorMessage()).contains("Task timed out after 12.00 seconds");
    assertThat(second.errorType()).isEqualTo("Sandbox.Timedout");
    assertThat(second.errorMessage()).contains("Task timed out after 3.00 seconds");
  }

  @Test
  void invoke_outputBeforeFirstNextAndAfterAResponse_isInTheNextInvocationsLog() throws Exception {
    ProcessRunner runner =
        provided(
            5,
            bootstrap(
                """
                echo "init-line"
                while true; do
                  next
                  echo "handling $ID"
                  curl -sS -o /dev/null -X POST "$API/invocation/$ID/response" -d '{}'
                  echo "between-line"
                done
                """));

    InvocationReport first = call(runner, Map.of("n", 1));
    InvocationReport second = call(runner, Map.of("n", 2));

    // Lambda logs init output ahead of the first START: here it leads the first invocation's log
    assertThat(first.log()).contains("init-line", "handling").doesNotContain("between-line");
    assertThat(first.log().indexOf("init-line")).isLessThan(first.log().indexOf("handling"));
    assertThat(second.log()).contains("between-line", "handling").doesNotContain("init-line");
    assertThat(second.log().indexOf("between-line")).isLessThan(second.log().indexOf("handling"));
  }

  private static final String ERROR_BOOTSTRAP =
      """
      while true; do
        next
        if [[ "$EVENT" == *'"json"'* ]]; then
          BODY='{"errorMessage":"m","errorType":"T","stackTrace":["a"],"cause":{"errorMessage":"c"}}'
          TYPE=''
        else
          BODY='plain failure, not JSON'
          TYPE='Custom.Plain'
        fi
        curl -sS -o /dev/null -X POST -H "Lambda-Runtime-Function-Error-Type: $TYPE" \\
          --data-binary "$BODY" "$API/invocation/$ID/error"
      done
      """;

  @Test
  void invoke_runtimePostsErrorJsonWithMoreFields_payloadIsThePostedBytes() throws Exception {
    ProcessRunner runner = provided(5, bootstrap(ERROR_BOOTSTRAP));

    Failure f = failure(call(runner, Map.of("json", true)));

    assertThat(new String(f.toPayload(), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"errorMessage\":\"m\",\"errorType\":\"T\",\"stackTrace\":[\"a\"],"
                + "\"cause\":{\"errorMessage\":\"c\"}}");
    assertThat(f.errorType()).isEqualTo("T");
    assertThat(f.errorMessage()).isEqualTo("m");
    assertThat(f.stackTrace()).containsExactly("a");
  }

  @Test
  void invoke_runtimePostsAnErrorThatIsNoJson_payloadIsThePostedBytes() throws Exception {
    ProcessRunner runner = provided(5, bootstrap(ERROR_BOOTSTRAP));

    Failure f = failure(call(runner, Map.of("plain", true)));

    assertThat(new String(f.toPayload(), StandardCharsets.UTF_8))
        .isEqualTo("plain failure, not JSON");
    assertThat(f.errorType()).isEqualTo("Custom.Plain");
    assertThat(f.errorMessage()).isEqualTo("plain failure, not JSON");
  }

  @Test
  void invoke_runtimePostsAnErrorOverSixMegabytes_refusedWith413AndTheAnswerStaysUnderTheLimit()
      throws Exception {
    ProcessRunner runner =
        provided(
            10,
            bootstrap(
                """
                while true; do
                  next
                  big="$(mktemp)"
                  head -c 7000000 /dev/zero | tr '\\0' '"' > "$big"
                  STATUS="$(curl -sS -o /dev/null -w '%{http_code}' -X POST \\
                    --data-binary @"$big" "$API/invocation/$ID/error")"
                  rm -f "$big"
                  echo "error posted: $STATUS"
                done
                """));

    InvocationReport first = call(runner, Map.of("n", 1));
    InvocationReport second = call(runner, Map.of("n", 2));

    Failure f = failure(first);
    assertThat(f.errorType()).isEqualTo("Function.ResponseSizeTooLarge");
    assertThat(f.toPayload().length).isLessThanOrEqualTo(LambdaErrors.MAX_RESPONSE_BYTES);
    assertThat(first.log() + second.log()).contains("error posted: 413");
  }

  @Test
  void close_runtimeWhoseTermTrapStartsAChild_theChildIsKilledToo(@TempDir Path tmp)
      throws Exception {
    // on a loaded machine the trap may miss the 500 ms grace (then it proves nothing): try again
    boolean trapRan = false;
    for (int attempt = 0; attempt < 5 && !trapRan; attempt++) {
      Path pidFile = tmp.resolve("child-" + attempt + ".pid");
      stopWithTermTrap(pidFile);
      trapRan = Files.exists(pidFile);
      if (trapRan) {
        long child = Long.parseLong(Files.readString(pidFile).trim());
        ProcessHandle started = ProcessHandle.of(child).orElse(null);
        if (started != null) { // already gone is fine too
          assertThat(started.onExit()).succeedsWithin(java.time.Duration.ofSeconds(10));
        }
      }
    }
    assertThat(trapRan).as("the trap ran in the grace at least once in 5 tries").isTrue();
  }

  /** Starts a runtime whose TERM trap starts a child and writes its pid, and closes it. */
  private void stopWithTermTrap(Path pidFile) throws Exception {
    ProcessRunner runner =
        provided(
            5,
            bootstrap(
                """
                trap 'sleep 300 & echo $! > "%s"; exit 0' TERM
                while true; do
                  next
                  curl -sS -o /dev/null -X POST "$API/invocation/$ID/response" -d '{}'
                done
                """
                    .formatted(pidFile)));
    call(runner, Map.of("n", 1));

    runner.close();
    runner.terminated().get(30, TimeUnit.SECONDS);
  }
}
