package dev.sluice.function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.files.FileTrees;
import dev.sluice.function.classloader.ClassLoaderRunnerFactory;
import dev.sluice.testing.HandlerJars;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The function service over classloader isolation, with real jars on real files. */
class FunctionServiceTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();

  @TempDir Path dir;
  ClassLoaderRunnerFactory runners;
  FunctionService service;

  void open() {
    openWithRetryDelays(List.of(Duration.ofMillis(50), Duration.ofMillis(50)));
  }

  /** A node on {@code dir} whose asynchronous retries wait {@code delays}. */
  /** The clock of the nodes opened next. */
  java.time.Clock clock = java.time.Clock.systemUTC();

  void openWithRetryDelays(List<Duration> delays) {
    openWith(null, delays, AsyncInvocations.WAITING_BYTES);
  }

  /**
   * A node on {@code dir}, on shared {@code state} when given, whose asynchronous retries wait
   * {@code delays} and hold at most {@code waitingBytes} of payload in memory.
   */
  void openWith(dev.sluice.testing.MemoryState state, List<Duration> delays, long waitingBytes) {
    runners = new ClassLoaderRunnerFactory();
    service =
        new FunctionService(
            dir,
            "us-east-1",
            "000000000000",
            Map.of(Isolation.CLASSLOADER, runners),
            16,
            delays,
            clock,
            state,
            null,
            null,
            waitingBytes);
    service.start();
  }

  @AfterEach
  void close() {
    if (service != null) {
      service.close();
      runners.close();
    }
  }

  /** A handler that answers its input after a while: invocations that overlap. */
  static final String SLEEPER = "fixture.Sleeper::go";

  static byte[] sleeperJar() {
    return sleeperJar(1_500);
  }

  static byte[] sleeperJar(int millis) {
    return HandlerJars.jar(
        Map.of(
            "fixture.Sleeper",
            """
            package fixture;
            public class Sleeper {
              public String go(String in) throws InterruptedException {
                Thread.sleep(%d);
                return in;
              }
            }
            """
                .formatted(millis)));
  }

  static FunctionSpec java17(String handler) {
    return new FunctionSpec(handler, "java17", 256, 10, Map.of(), "", Isolation.CLASSLOADER);
  }

  JsonNode call(String name, String payload) throws IOException {
    FunctionService.Invoked r =
        service.invoke(name, payload.getBytes(StandardCharsets.UTF_8), null).join();
    byte[] body =
        r.report().result() instanceof InvocationResult.Success s
            ? s.payload()
            : ((InvocationResult.Failure) r.report().result()).toPayload();
    return JSON.readTree(body);
  }

  @Test
  void invoke_twoFunctionsBundlingConflictingGuava_eachRunsItsOwnVersion() throws Exception {
    open();
    service.create(
        "v1",
        java17("dev.sluice.examples.libs.VersionHandler"),
        new CodeSource.Local(EXAMPLES.resolve("lib-v1/target/lib-v1.jar")));
    service.create(
        "v2",
        java17("dev.sluice.examples.libs.VersionHandler"),
        new CodeSource.Local(EXAMPLES.resolve("lib-v2/target/lib-v2.jar")));
    JsonNode one = call("v1", "{}");
    JsonNode two = call("v2", "{}");
    assertThat(one.get("library").asText()).isEqualTo("32.1.3-jre");
    assertThat(one.get("guava33").asText()).isEqualTo("false");
    assertThat(two.get("library").asText()).isEqualTo("33.4.8-jre");
    assertThat(two.get("guava33").asText()).isEqualTo("true");
  }

  @Test
  void restart_roleGivenAtCreation_keptAndADefinitionStoredWithoutOneStillLoads() throws Exception {
    open();
    Path code = Files.createDirectories(dir.resolve("small"));
    Files.writeString(code.resolve("handler.txt"), "not a class, but a file");
    String role = "arn:aws:iam::123456789012:role/orders";
    FunctionSpec plain = java17("fixture.Any");
    service.create("with-role", plain.withRole(role), new CodeSource.Local(code));
    service.create("old", plain, new CodeSource.Local(code));
    close();
    // what a node before roles were kept wrote
    Path old = dir.resolve("functions/old/function.json");
    com.fasterxml.jackson.databind.node.ObjectNode json =
        (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(old.toFile());
    json.remove("role");
    Files.write(old, JSON.writeValueAsBytes(json));

    open();

    assertThat(service.get("with-role").role()).isEqualTo(role);
    assertThat(service.get("old").role()).isNull();
    assertThat(service.get("old").handler()).isEqualTo("fixture.Any");
  }

  @Test
  void delete_invocationEndingAfterIt_leavesNoLogFileBehind() throws Exception {
    open();
    service.create(
        "slow", java17("fixture.Slow::handle"), new CodeSource.Upload(HandlerJars.jar(SLOW)));
    call("slow", "{\"ms\":0}"); // its log file is open now
    java.util.concurrent.CompletableFuture<FunctionService.Invoked> running =
        service.invoke("slow", "{\"ms\":500}".getBytes(StandardCharsets.UTF_8), null);

    service.delete("slow");
    FunctionService.Invoked late = running.join();

    assertThat(late.log()).contains("END RequestId: " + late.requestId());
    awaitGone(dir.resolve("functions").resolve("slow")); // the package goes once the runner stopped
    service.create(
        "slow", java17("fixture.Slow::handle"), new CodeSource.Upload(HandlerJars.jar(SLOW)));
    call("slow", "{\"ms\":0}");
    assertThat(Files.readString(dir.resolve("functions/slow/logs/function.log")))
        .doesNotContain(late.requestId())
        .contains("END RequestId:");
  }

  @Test
  void delete_invocationInFlight_finishesWithItsPackageWhichGoesAfterwards() throws Exception {
    open();
    Map<String, String> lazy =
        Map.of(
            "fixture.Lazy",
            """
            package fixture;
            public class Lazy {
              public String handle(String in) throws Exception {
                Thread.sleep(700);
                return new Helper().help(in); // Helper's class file is read only now
              }
            }
            """,
            "fixture.Helper",
            """
            package fixture;
            public class Helper {
              public String help(String in) {
                return "helped " + in;
              }
            }
            """);
    service.create(
        "lazy", java17("fixture.Lazy::handle"), new CodeSource.Upload(HandlerJars.lambdaZip(lazy)));
    java.util.concurrent.CompletableFuture<FunctionService.Invoked> running =
        service.invoke("lazy", "\"x\"".getBytes(StandardCharsets.UTF_8), null);
    Thread.sleep(200);

    service.delete("lazy");
    FunctionService.Invoked r = running.get(10, java.util.concurrent.TimeUnit.SECONDS);

    assertThat(r.report().result()).isInstanceOf(InvocationResult.Success.class);
    assertThat(new String(((InvocationResult.Success) r.report().result()).payload()))
        .isEqualTo("\"helped x\"");
    assertThat(dir.resolve("functions/lazy/function.json")).doesNotExist();
    awaitGone(dir.resolve("functions").resolve("lazy"));
  }

  @Test
  void start_packagesADeleteOrAnUpdateLeftBehind_removedFunctionsKept() throws Exception {
    open();
    service.create(
        "kept", java17("fixture.Slow::handle"), new CodeSource.Upload(HandlerJars.jar(SLOW)));
    Path functions = dir.resolve("functions");
    // what a node stopping before its runners stopped leaves: a deleted function's package, an
    // older package of a live function, a half-placed package
    Path deleted = Files.createDirectories(functions.resolve("gone/code/0123456789abcdef01234567"));
    Files.writeString(deleted.resolve("handler.jar"), "old");
    Path older = Files.createDirectories(functions.resolve("kept/code/00000000000000000000aaaa"));
    Files.writeString(older.resolve("handler.jar"), "old");
    Path placing = Files.createDirectories(functions.resolve(".unpack-123"));
    Path upload = Files.write(functions.resolve(".package-456.zip"), new byte[1024]);
    service.close();

    open();

    assertThat(functions.resolve("gone")).doesNotExist();
    assertThat(older).doesNotExist();
    assertThat(placing).doesNotExist();
    assertThat(upload).as("an upload being unpacked when the node died").doesNotExist();
    assertThat(functions.resolve("kept/function.json")).exists();
    assertThat(call("kept", "{\"ms\":0}").asText()).isEqualTo("done");
  }

  static final Map<String, String> SLOW =
      Map.of(
          "fixture.Slow",
          """
          package fixture;
          import java.util.*;
          public class Slow {
            public String handle(Map<String, Object> in) throws Exception {
              Thread.sleep(((Number) in.get("ms")).longValue());
              return "done";
            }
          }
          """);

  private static void awaitGone(Path p) throws InterruptedException {
    for (int i = 0; i < 100 && Files.exists(p); i++) {
      Thread.sleep(50);
    }
    assertThat(p).doesNotExist();
  }

  @Test
  void invoke_handlerLooksForSluicesLibraries_noneLeakIn() throws Exception {
    open();
    Map<String, String> probe =
        Map.of(
            "fixture.Probe",
            """
            package fixture;
            import java.util.*;
            public class Probe {
              public List<String> visible(Map<String, Object> in) {
                List<String> seen = new ArrayList<>();
                for (String c : List.of("io.vertx.core.Vertx", "io.quarkus.runtime.Quarkus",
                    "com.fasterxml.jackson.databind.ObjectMapper", "com.github.benmanes.caffeine.cache.Cache",
                    "dev.sluice.node.SluiceNode", "com.amazonaws.services.lambda.runtime.Context")) {
                  try { Class.forName(c); seen.add(c); } catch (ClassNotFoundException e) { }
                }
                return seen;
              }
            }
            """);
    service.create(
        "probe", java17("fixture.Probe::visible"), new CodeSource.Upload(HandlerJars.jar(probe)));
    assertThat(call("probe", "{}").toString())
        .isEqualTo("[\"com.amazonaws.services.lambda.runtime.Context\"]");
  }

  @Test
  void invoke_exampleShadedJar_reportsBatchItemFailuresForBadRecords() throws Exception {
    open();
    service.create(
        "orders",
        java17("dev.sluice.examples.hello.OrderEventsHandler"),
        new CodeSource.Local(EXAMPLES.resolve("hello-kinesis/target/hello-kinesis.jar")));
    String event = kinesisEvent("{\"orderId\":\"o-1\",\"type\":\"OrderPlaced\"}", "not json");
    JsonNode out = call("orders", event);
    assertThat(out.get("batchItemFailures")).hasSize(1);
    assertThat(out.get("batchItemFailures").get(0).get("itemIdentifier").asText()).isEqualTo("2");
  }

  private static String kinesisEvent(String... data) {
    StringBuilder sb = new StringBuilder("{\"Records\":[");
    for (int i = 0; i < data.length; i++) {
      String b64 =
          java.util.Base64.getEncoder().encodeToString(data[i].getBytes(StandardCharsets.UTF_8));
      sb.append(i == 0 ? "" : ",")
          .append(
              "{\"kinesis\":{\"kinesisSchemaVersion\":\"1.0\",\"partitionKey\":\"o-1\",\"sequenceNumber\":\"")
          .append(i + 1)
          .append("\",\"data\":\"")
          .append(b64)
          .append("\",\"approximateArrivalTimestamp\":1545084650.987},")
          .append(
              "\"eventSource\":\"aws:kinesis\",\"eventVersion\":\"1.0\",\"eventID\":\"shardId-000000000000:")
          .append(i + 1)
          .append(
              "\",\"eventName\":\"aws:kinesis:record\",\"invokeIdentityArn\":\"arn:aws:iam::000000000000:role/r\",")
          .append(
              "\"awsRegion\":\"us-east-1\",\"eventSourceARN\":\"arn:aws:kinesis:us-east-1:000000000000:stream/orders\"}");
    }
    return sb.append("]}").toString();
  }

  @Test
  void invoke_quarkusAmazonLambdaFunctionZip_runsUnchanged() throws Exception {
    open();
    service.create(
        "quarkus-orders",
        new FunctionSpec(
            "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest",
            "java17",
            512,
            30,
            Map.of(),
            "",
            Isolation.CLASSLOADER),
        new CodeSource.Local(EXAMPLES.resolve("quarkus-lambda/target/function.zip")));
    String event =
        java.nio.file.Files.readString(
            EXAMPLES.resolve("quarkus-lambda/src/test/resources/kinesis-event.json"));
    JsonNode first = call("quarkus-orders", event);
    assertThat(first.get("batchItemFailures")).as("response %s", first).hasSize(1);
    JsonNode second = call("quarkus-orders", event);
    assertThat(second).isEqualTo(first);
  }

  @Test
  void start_afterRestart_functionsAndTheirCodeAreBack() throws Exception {
    open();
    service.create(
        "echo",
        java17("dev.sluice.examples.hello.EchoHandler"),
        new CodeSource.Local(EXAMPLES.resolve("hello-kinesis/target/hello-kinesis.jar")));
    service.putConcurrency("echo", 3);
    FunctionConfig before = service.get("echo");
    close();
    open();
    assertThat(service.get("echo")).isEqualTo(before);
    assertThat(call("echo", "{\"a\":1}").get("handledBy").asText()).isEqualTo("echo");
  }

  @Test
  void invoke_classCompiledForNewerJava_clearErrorNamingProcessIsolation() throws Exception {
    open();
    byte[] jar =
        withClassVersion(
            HandlerJars.jar(
                Map.of(
                    "fixture.Future",
                    """
        package fixture;
        public class Future { public String go(String in) { return in; } }
        """)),
            69);
    service.create("future", java17("fixture.Future::go"), new CodeSource.Upload(jar));
    JsonNode error = call("future", "\"x\"");
    assertThat(error.get("errorType").asText()).isEqualTo("java.lang.UnsupportedClassVersionError");
    assertThat(error.get("errorMessage").asText())
        .contains("process isolation")
        .contains("newer Java");
  }

  @Test
  void invoke_afterAWarmInstanceTimedOut_runsOnAFreshInstanceNotInterrupted() throws Exception {
    open();
    byte[] jar =
        HandlerJars.jar(
            Map.of(
                "fixture.Stubborn",
                """
        package fixture;
        public class Stubborn {
          static int calls;
          public String go(String in) {
            calls++;
            long until = System.nanoTime() + 1_500_000_000L;
            while (in.equals("spin") && System.nanoTime() < until) {
              // ignores interrupts, as a blocking socket read does
            }
            return "calls=" + calls + ",interrupted=" + Thread.currentThread().isInterrupted();
          }
        }
        """));
    service.create(
        "stubborn",
        new FunctionSpec(
            "fixture.Stubborn::go", "java17", 256, 1, Map.of(), "", Isolation.CLASSLOADER),
        new CodeSource.Upload(jar));
    assertThat(call("stubborn", "\"warm\"").asText()).isEqualTo("calls=1,interrupted=false");
    assertThat(call("stubborn", "\"spin\"").get("errorMessage").asText()).contains("timed out");
    Thread.sleep(1_000); // the handler returns half a second after its timeout

    assertThat(call("stubborn", "\"after\"").asText())
        .as("Lambda resets the sandbox after a timeout")
        .isEqualTo("calls=1,interrupted=false");
  }

  static final CodeSource HELLO =
      new CodeSource.Local(EXAMPLES.resolve("hello-kinesis/target/hello-kinesis.jar"));

  static FunctionSpec inProcess(String handler) {
    return new FunctionSpec(handler, "java17", 256, 10, Map.of(), "", Isolation.PROCESS);
  }

  @Test
  void create_functionThatCannotRunOnThisNode_refusedAndNothingKept() throws Exception {
    open(); // this node has classloader isolation only
    assertThatThrownBy(
            () -> service.create("away", inProcess("dev.sluice.examples.hello.EchoHandler"), HELLO))
        .isInstanceOf(FunctionException.class)
        .hasMessageContaining("PROCESS isolation is not available");
    assertThat(service.list()).isEmpty();
    assertThat(dir.resolve("functions").resolve("away")).doesNotExist();

    close();
    open(); // the node still starts
    service.create("away", java17("dev.sluice.examples.hello.EchoHandler"), HELLO);
    assertThat(call("away", "{}").get("handledBy").asText()).isEqualTo("away");
  }

  @Test
  void updateConfiguration_toWhatCannotRunOnThisNode_refusedAndFunctionUnchanged()
      throws Exception {
    open();
    FunctionConfig before =
        service.create("echo", java17("dev.sluice.examples.hello.EchoHandler"), HELLO);
    assertThatThrownBy(() -> service.updateConfiguration("echo", inProcess(null)))
        .isInstanceOf(FunctionException.class);
    assertThat(service.get("echo")).isEqualTo(before);
    close();
    open();
    assertThat(service.get("echo")).isEqualTo(before);
    assertThat(call("echo", "{}").get("handledBy").asText()).isEqualTo("echo");
  }

  @Test
  void start_functionThatCannotRunHereAnyMore_startsWithTheOthersAndItIsFailedHere()
      throws Exception {
    open();
    service.create("echo", java17("dev.sluice.examples.hello.EchoHandler"), HELLO);
    service.create("moved", java17("dev.sluice.examples.hello.EchoHandler"), HELLO);
    close();
    // as a data directory written by a node that had process isolation
    Path json = dir.resolve("functions").resolve("moved").resolve("function.json");
    Files.writeString(json, Files.readString(json).replace("CLASSLOADER", "PROCESS"));

    open();
    assertThat(service.list()).extracting(FunctionConfig::name).containsExactly("echo", "moved");
    assertThat(call("echo", "{}").get("handledBy").asText()).isEqualTo("echo");
    assertThat(service.unrunnable("echo")).isEmpty();
    assertThat(service.unrunnable("moved"))
        .hasValueSatisfying(u -> assertThat(u.reasonCode()).isEqualTo("InvalidConfiguration"));
    assertThatThrownBy(() -> call("moved", "{}")).hasMessageContaining("state: Failed");

    service.delete("moved"); // a function that cannot run here can still go
    Path moved = dir.resolve("functions").resolve("moved");
    for (int i = 0; i < 500 && Files.exists(moved); i++) {
      Thread.sleep(20); // its package goes once its (never started) runner has stopped
    }
    assertThat(moved).doesNotExist();
    close();
    open();
    assertThat(service.list()).extracting(FunctionConfig::name).containsExactly("echo");
  }

  @Test
  void start_functionWhosePackageIsGone_listedAsFailedUntilItsCodeIsUpdated() throws Exception {
    open();
    service.create("echo", java17("dev.sluice.examples.hello.EchoHandler"), HELLO);
    close();
    // as a data directory whose unpacked package was removed by hand
    FileTrees.delete(dir.resolve("functions").resolve("echo").resolve("code"));

    open();
    assertThat(service.list()).extracting(FunctionConfig::name).containsExactly("echo");
    assertThat(service.unrunnable("echo"))
        .hasValueSatisfying(
            u -> {
              assertThat(u.reasonCode()).isEqualTo("InvalidZipFileException");
              assertThat(u.reason()).contains("cannot be read on this node");
            });
    assertThatThrownBy(() -> call("echo", "{}")).hasMessageContaining("state: Failed");
    assertThatThrownBy(() -> service.updateConfiguration("echo", java17(null)))
        .hasMessageContaining("update the function's code");
    service.checkCode("echo", HELLO, null); // a DryRun changes nothing, on disk neither
    assertThat(dir.resolve("functions").resolve("echo").resolve("code"))
        .satisfiesAnyOf(
            packages -> assertThat(packages).doesNotExist(),
            packages -> assertThat(packages).isEmptyDirectory());

    service.updateCode("echo", HELLO);
    assertThat(service.unrunnable("echo")).isEmpty();
    assertThat(call("echo", "{}").get("handledBy").asText()).isEqualTo("echo");
    close();
    open();
    assertThat(call("echo", "{}").get("handledBy").asText()).isEqualTo("echo");
  }

  @Test
  void invoke_coldStartWithAnInitLongerThanTheTimeout_initDoesNotCount() throws Exception {
    open();
    byte[] jar =
        HandlerJars.jar(
            Map.of(
                "fixture.SlowInit",
                """
        package fixture;
        public class SlowInit {
          static {
            try {
              Thread.sleep(1_500); // a framework starting up
            } catch (InterruptedException e) {
              throw new IllegalStateException(e);
            }
          }
          public String go(String in, com.amazonaws.services.lambda.runtime.Context ctx) {
            return "remaining=" + (ctx.getRemainingTimeInMillis() > 500);
          }
        }
        """));
    service.create(
        "slow-init",
        new FunctionSpec(
            "fixture.SlowInit::go", "java17", 256, 1, Map.of(), "", Isolation.CLASSLOADER),
        new CodeSource.Upload(jar));

    assertThat(call("slow-init", "\"x\"").asText())
        .as("a 1.5 s init with a 1 s timeout")
        .isEqualTo("remaining=true");
  }

  @Test
  void invoke_initOutlastingItsLimit_timesOutAndTheHandlerNeverRunsLate() throws Exception {
    open();
    byte[] jar =
        HandlerJars.jar(
            Map.of(
                "fixture.EndlessInit",
                """
        package fixture;
        public class EndlessInit {
          static {
            // past init's 10 s and the 1 s timeout: until the test lets it end
            while (System.getProperty("sluice.test.end-init") == null) {
              try {
                Thread.sleep(20);
              } catch (InterruptedException e) {
                // an init that does not stop when told
              }
            }
            System.setProperty("sluice.test.init-ended", "yes");
          }
          public String go(String in) {
            System.setProperty("sluice.test.late-handler", in);
            return in;
          }
        }
        """));
    service.create(
        "endless-init",
        new FunctionSpec(
            "fixture.EndlessInit::go", "java17", 256, 1, Map.of(), "", Isolation.CLASSLOADER),
        new CodeSource.Upload(jar));

    FunctionService.Invoked r;
    try {
      r =
          service
              .invoke("endless-init", "\"late\"".getBytes(StandardCharsets.UTF_8), null)
              .get(30, java.util.concurrent.TimeUnit.SECONDS);
      System.setProperty("sluice.test.end-init", "now");
      for (int i = 0; i < 500 && System.getProperty("sluice.test.init-ended") == null; i++) {
        Thread.sleep(10);
      }
      Thread.sleep(300); // a handler run after init would run right now
    } finally {
      System.clearProperty("sluice.test.end-init");
    }

    assertThat(System.getProperty("sluice.test.init-ended")).isEqualTo("yes");
    assertThat(r.report().result()).isInstanceOf(InvocationResult.Failure.class);
    assertThat(System.getProperty("sluice.test.late-handler")).isNull();
  }

  @Test
  void invoke_responseOverSixMegabytes_failsAsLambdaDoes() throws Exception {
    open();
    byte[] jar =
        HandlerJars.jar(
            Map.of(
                "fixture.Huge",
                """
        package fixture;
        public class Huge {
          public String go(String in) {
            return "x".repeat(7 * 1024 * 1024);
          }
        }
        """));
    service.create("huge", java17("fixture.Huge::go"), new CodeSource.Upload(jar));

    JsonNode error = call("huge", "\"x\"");

    assertThat(error.get("errorType").asText()).isEqualTo("Function.ResponseSizeTooLarge");
    assertThat(error.get("errorMessage").asText()).contains("6291556 bytes");
  }

  @Test
  void changesAndInvokes_namingTheFunctionByArn_actOnTheFunctionItself() throws Exception {
    open();
    byte[] jar =
        HandlerJars.jar(
            Map.of(
                "fixture.Arn",
                """
        package fixture;
        import com.amazonaws.services.lambda.runtime.Context;
        public class Arn {
          public String go(String in, Context context) {
            return context.getInvokedFunctionArn();
          }
        }
        """));
    service.create("named", java17("fixture.Arn::go"), new CodeSource.Upload(jar));
    String arn = service.arn("named");

    assertThat(call(arn, "\"x\"").asText()).isEqualTo(arn);
    service.updateCode(arn + ":$LATEST", new CodeSource.Upload(jar));
    service.putConcurrency(arn, 0);
    assertThat(service.list()).extracting(FunctionConfig::name).containsExactly("named");
    assertThatThrownBy(
            () -> service.invoke("named", "\"y\"".getBytes(StandardCharsets.UTF_8), null))
        .as("throttled by the reservation put through the ARN")
        .isInstanceOf(FunctionException.class)
        .extracting(e -> ((FunctionException) e).kind())
        .isEqualTo(FunctionException.Kind.TOO_MANY_REQUESTS);
    try (var functionDirs = Files.list(dir.resolve("functions"))) {
      assertThat(functionDirs.map(p -> p.getFileName().toString())).containsExactly("named");
    }

    close();
    open();

    assertThat(service.get("named").reservedConcurrency()).isZero();
    service.putConcurrency(arn, null);
    assertThat(call("named", "\"z\"").asText()).as("runs after a restart").isEqualTo(arn);
    assertThat(service.logPage(arn, null, 100).lines()).isNotEmpty();
  }

  @Test
  void invoke_othersUseAllTheUnreservedConcurrency_aReservedFunctionStillRuns() throws Exception {
    open(); // 16 at once on this node
    byte[] jar = sleeperJar();
    service.create("busy", java17(SLEEPER), new CodeSource.Upload(jar));
    service.create("kept", java17(SLEEPER), new CodeSource.Upload(jar));
    service.putConcurrency("kept", 1);
    byte[] in = "\"a\"".getBytes(StandardCharsets.UTF_8);
    List<java.util.concurrent.CompletableFuture<FunctionService.Invoked>> running =
        new java.util.ArrayList<>();
    for (int i = 0; i < 15; i++) {
      running.add(service.invoke("busy", in, null));
    }

    assertThatThrownBy(() -> service.invoke("busy", in, null))
        .as("the 16th is kept for the reservation")
        .isInstanceOf(FunctionException.class)
        .extracting(e -> ((FunctionException) e).kind())
        .isEqualTo(FunctionException.Kind.TOO_MANY_REQUESTS);
    var kept = service.invoke("kept", in, null);
    running.forEach(java.util.concurrent.CompletableFuture::join);
    assertThat(kept.join().report().result()).isInstanceOf(InvocationResult.Success.class);
    service.putConcurrency("kept", null);
    running.clear();
    for (int i = 0; i < 16; i++) {
      running.add(service.invoke("busy", in, null)); // the reservation is given back
    }
    running.forEach(java.util.concurrent.CompletableFuture::join);
  }

  @Test
  void invoke_duringAConfigurationChange_reservedConcurrencyStillHolds() throws Exception {
    open();
    byte[] jar = sleeperJar();
    service.create("mutex", java17(SLEEPER), new CodeSource.Upload(jar));
    service.putConcurrency("mutex", 1); // used as a mutex
    var first = service.invoke("mutex", "\"a\"".getBytes(StandardCharsets.UTF_8), null);

    service.updateConfiguration("mutex", new FunctionSpec(null, null, 512, null, null, null, null));

    assertHeldBy(first);
  }

  /**
   * Function "mutex" (reserved concurrency 1) refuses a second invocation while {@code first} runs,
   * and takes one again once it is done.
   */
  private void assertHeldBy(java.util.concurrent.CompletableFuture<FunctionService.Invoked> first)
      throws Exception {
    assertThatThrownBy(
            () -> service.invoke("mutex", "\"b\"".getBytes(StandardCharsets.UTF_8), null))
        .isInstanceOf(FunctionException.class)
        .extracting(e -> ((FunctionException) e).kind())
        .isEqualTo(FunctionException.Kind.TOO_MANY_REQUESTS);
    first.join();
    assertThat(call("mutex", "\"c\"").asText()).isEqualTo("c");
  }

  @Test
  void invoke_runnerThrowsAnError_thePermitIsReleased() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean fail =
        new java.util.concurrent.atomic.AtomicBoolean();
    openWithRunnerFailingWhile(fail);
    service.create("mutex", java17(SLEEPER), new CodeSource.Upload(sleeperJar()));
    service.putConcurrency("mutex", 1);
    fail.set(true);

    assertThatThrownBy(() -> call("mutex", "\"a\"")).isInstanceOf(OutOfMemoryError.class);
    assertThat(call("mutex", "\"b\"").asText()).as("the one permit is free again").isEqualTo("b");
  }

  @Test
  void invokeAsync_runnerThrowsAnError_theEventIsTriedAgain() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean fail =
        new java.util.concurrent.atomic.AtomicBoolean();
    openWithRunnerFailingWhile(fail);
    service.create("once", java17(SLEEPER), new CodeSource.Upload(sleeperJar()));
    fail.set(true);

    service.invokeAsync("once", "\"a\"".getBytes(StandardCharsets.UTF_8));

    long starts = 0;
    for (int i = 0; i < 300 && starts < 1; i++) {
      Thread.sleep(20);
      starts = service.logLines("once", 1000).stream().filter(l -> l.startsWith("START")).count();
    }
    assertThat(fail).as("the first attempt threw").isFalse();
    assertThat(starts).as("the next attempt ran").isEqualTo(1);
  }

  /**
   * A service whose class-loader runner throws an OutOfMemoryError (no thread left) instead of
   * invoking while {@code fail} is set, which that clears.
   */
  private void openWithRunnerFailingWhile(java.util.concurrent.atomic.AtomicBoolean fail) {
    runners = new ClassLoaderRunnerFactory();
    RunnerFactory failing =
        (config, code) -> {
          Runner real = runners.create(config, code);
          return new Runner() {
            @Override
            public java.util.concurrent.CompletableFuture<InvocationReport> invoke(
                Invocation invocation) {
              if (fail.getAndSet(false)) {
                throw new OutOfMemoryError("unable to create native thread"); // no thread left
              }
              return real.invoke(invocation);
            }

            @Override
            public void close() {
              real.close();
            }

            @Override
            public java.util.concurrent.CompletableFuture<Void> stopped() {
              return real.stopped();
            }
          };
        };
    service =
        new FunctionService(
            dir,
            "us-east-1",
            "000000000000",
            Map.of(Isolation.CLASSLOADER, failing),
            16,
            List.of(Duration.ofMillis(50), Duration.ofMillis(50)),
            java.time.Clock.systemUTC(),
            null,
            null,
            null);
    service.start();
  }

  @Test
  void checkCode_packageAReplacedRunnerStillRuns_keepsItUntilThatRunnerStops() throws Exception {
    open();
    byte[] first = sleeperJar(1_500);
    service.create("f", java17(SLEEPER), new CodeSource.Upload(first));
    Path packages = dir.resolve("functions/f/code");
    Path old;
    try (var list = Files.list(packages)) {
      old = list.findFirst().orElseThrow();
    }
    var inFlight = service.invoke("f", "\"a\"".getBytes(StandardCharsets.UTF_8), null);
    Thread.sleep(200); // running on the first package
    service.updateCode("f", new CodeSource.Upload(sleeperJar(1_400)), null);

    service.checkCode("f", new CodeSource.Upload(first), null); // a DryRun of the old code

    assertThat(old).as("still used by the invocation in flight").isDirectory();
    assertThat(inFlight.join().report().result()).isInstanceOf(InvocationResult.Success.class);
    // the DryRun did not make it current again: it goes with the runner that used it
    for (int i = 0; i < 500 && Files.exists(old); i++) {
      Thread.sleep(20);
    }
    assertThat(old).as("removed once its runner stopped").doesNotExist();
  }

  @Test
  void create_nameDifferingOnlyByCaseOnACaseFoldingFileSystem_conflict() throws Exception {
    open();
    service.assumeCaseFolding();
    byte[] jar = sleeperJar();
    service.create("Orders", java17(SLEEPER), new CodeSource.Upload(jar));

    assertThatThrownBy(() -> service.create("orders", java17(SLEEPER), new CodeSource.Upload(jar)))
        .isInstanceOf(FunctionException.class)
        .hasMessageContaining("differs from function Orders only by case")
        .extracting(e -> ((FunctionException) e).kind())
        .isEqualTo(FunctionException.Kind.CONFLICT);
  }

  @Test
  void create_nameDifferingOnlyByCaseFromADeletedFunctionStillRunning_conflictUntilItsFilesGo()
      throws Exception {
    open();
    service.assumeCaseFolding();
    byte[] jar = HandlerJars.jar(SLOW);
    service.create("Slow", java17("fixture.Slow::handle"), new CodeSource.Upload(jar));
    java.util.concurrent.CompletableFuture<FunctionService.Invoked> running =
        service.invoke("Slow", "{\"ms\":1500}".getBytes(StandardCharsets.UTF_8), null);
    Thread.sleep(200); // started
    service.delete("Slow");

    // on a case-folding disk "slow" would share Slow's package, removed once the call ends
    assertThatThrownBy(
            () ->
                service.create("slow", java17("fixture.Slow::handle"), new CodeSource.Upload(jar)))
        .isInstanceOf(FunctionException.class)
        .hasMessageContaining("differs from function Slow only by case");
    running.join();
    awaitGone(dir.resolve("functions").resolve("Slow"));
    service.create("slow", java17("fixture.Slow::handle"), new CodeSource.Upload(jar));
    assertThat(
            service
                .invoke("slow", "{\"ms\":0}".getBytes(StandardCharsets.UTF_8), null)
                .join()
                .report()
                .result())
        .isInstanceOf(InvocationResult.Success.class);
  }

  @Test
  void putConcurrency_leavingNothingUnreserved_refusedAsLambdaKeepsAMinimum() throws Exception {
    open(); // 16 at once on this node: at least 1 stays unreserved
    byte[] jar = sleeperJar();
    service.create("first", java17(SLEEPER), new CodeSource.Upload(jar));
    service.create("second", java17(SLEEPER), new CodeSource.Upload(jar));

    assertThatThrownBy(() -> service.putConcurrency("first", 16))
        .isInstanceOf(FunctionException.class)
        .hasMessageContaining("below its minimum value of [1]");
    service.putConcurrency("first", 14);
    service.putConcurrency("second", 1);
    assertThatThrownBy(() -> service.putConcurrency("second", 2))
        .isInstanceOf(FunctionException.class)
        .extracting(e -> ((FunctionException) e).kind())
        .isEqualTo(FunctionException.Kind.INVALID_PARAMETER);
    assertThat(service.get("second").reservedConcurrency()).isEqualTo(1);
    assertThat(call("second", "\"a\"").asText()).isEqualTo("a");
  }

  @Test
  void putConcurrency_removedAndPutAgainWhileAnInvocationRuns_itStillCounts() throws Exception {
    open();
    byte[] jar = sleeperJar();
    service.create("mutex", java17(SLEEPER), new CodeSource.Upload(jar));
    service.putConcurrency("mutex", 1);
    var first = service.invoke("mutex", "\"a\"".getBytes(StandardCharsets.UTF_8), null);

    service.putConcurrency("mutex", null);
    service.putConcurrency("mutex", 1);

    assertHeldBy(first);
  }

  @Test
  void putConcurrency_removedWhileItsInvocationsRun_theNodesConcurrencyStillHolds()
      throws Exception {
    open(); // 16 at once on this node
    byte[] jar = sleeperJar(3_000);
    service.create("held", java17(SLEEPER), new CodeSource.Upload(jar));
    service.create("other", java17(SLEEPER), new CodeSource.Upload(jar));
    service.putConcurrency("held", 14);
    List<java.util.concurrent.CompletableFuture<FunctionService.Invoked>> running =
        new java.util.ArrayList<>();
    for (int i = 0; i < 14; i++) {
      running.add(
          service.invoke("held", ("\"h" + i + "\"").getBytes(StandardCharsets.UTF_8), null));
    }

    service.putConcurrency("held", null); // the shared pool grows to 16 while 14 still run

    int admitted = 0;
    int throttled = 0;
    for (int i = 0; i < 4; i++) {
      try {
        running.add(service.invoke("other", "\"o\"".getBytes(StandardCharsets.UTF_8), null));
        admitted++;
      } catch (FunctionException e) {
        assertThat(e.kind()).isEqualTo(FunctionException.Kind.TOO_MANY_REQUESTS);
        throttled++;
      }
    }
    assertThat(admitted).as("16 at once, the 14 admitted before the change included").isEqualTo(2);
    assertThat(throttled).isEqualTo(2);
    running.forEach(java.util.concurrent.CompletableFuture::join);
    assertThat(call("other", "\"after\"").asText()).isEqualTo("after");
  }

  @Test
  void create_osOnlyRuntime_needsProcessIsolation() {
    open();
    FunctionSpec inClassLoader =
        new FunctionSpec(
            "bootstrap", "provided.al2023", 128, 3, Map.of(), "", Isolation.CLASSLOADER);
    assertThatThrownBy(() -> service.create("os", inClassLoader, HELLO))
        .isInstanceOf(FunctionException.class)
        .hasMessageContaining("needs process isolation");
    FunctionSpec untagged =
        new FunctionSpec("bootstrap", "provided.al2023", 128, 3, Map.of(), "", null);
    assertThatThrownBy(() -> service.create("os", untagged, HELLO))
        .as("defaults to process isolation, which this node lacks")
        .hasMessageContaining("PROCESS isolation is not available");
  }

  @Test
  void invokeAsync_throttledByReservedConcurrency_runsOnceThereIsRoom() throws Exception {
    open();
    service.create("busy", java17(SLEEPER), new CodeSource.Upload(sleeperJar(400)));
    service.putConcurrency("busy", 1);
    for (int i = 0; i < 3; i++) { // two of them are throttled at first
      service.invokeAsync("busy", ("\"e" + i + "\"").getBytes(StandardCharsets.UTF_8));
    }

    long starts = 0;
    for (int i = 0; i < 300 && starts < 3; i++) {
      Thread.sleep(20);
      starts = service.logLines("busy", 1000).stream().filter(l -> l.startsWith("START")).count();
    }
    assertThat(starts).as("every event ran, none dropped after its throttles").isEqualTo(3);
  }

  @Test
  void invoke_handlerPrintingMegabytes_logKeepsTheLastMegabyte() throws Exception {
    open();
    byte[] jar =
        HandlerJars.jar(
            Map.of(
                "fixture.Chatty",
                """
        package fixture;
        public class Chatty {
          public String go(String in) {
            String line = "x".repeat(1023);
            for (int i = 0; i < 5 * 1024; i++) {
              System.out.println(line);
            }
            System.out.println("the last line");
            return in;
          }
        }
        """));
    service.create("chatty", java17("fixture.Chatty::go"), new CodeSource.Upload(jar));

    String log =
        service
            .invoke("chatty", "\"x\"".getBytes(StandardCharsets.UTF_8), null)
            .join()
            .report()
            .log();

    assertThat(log.length()).isBetween(1 << 20, (1 << 20) + 100);
    assertThat(log)
        .startsWith("[")
        .contains("bytes of earlier output dropped")
        .endsWith("the last line\n");
  }

  @Test
  void invoke_timedOut_reportKeepsWhatTheHandlerPrinted() throws Exception {
    open();
    byte[] jar =
        HandlerJars.jar(
            Map.of(
                "fixture.Stuck",
                """
        package fixture;
        public class Stuck {
          public String go(String in, com.amazonaws.services.lambda.runtime.Context ctx) {
            System.out.println("connecting to the database");
            ctx.getLogger().log("still waiting");
            long until = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < until) {
              // ignores interrupts
            }
            return in;
          }
        }
        """));
    service.create(
        "stuck",
        new FunctionSpec(
            "fixture.Stuck::go", "java17", 256, 1, Map.of(), "", Isolation.CLASSLOADER),
        new CodeSource.Upload(jar));

    InvocationReport r =
        service.invoke("stuck", "\"x\"".getBytes(StandardCharsets.UTF_8), null).join().report();

    assertThat(((InvocationResult.Failure) r.result()).errorType()).isEqualTo("Sandbox.Timedout");
    assertThat(r.log()).contains("connecting to the database\n").contains("still waiting\n");
  }

  @Test
  void updateCode_replacedPackage_removedOnceItsRunnerStopped() throws Exception {
    open();
    byte[] v1 =
        HandlerJars.jar(
            Map.of(
                "fixture.V",
                "package fixture; public class V { public String go(String in) { return \"v1\"; } }"));
    byte[] v2 =
        HandlerJars.jar(
            Map.of(
                "fixture.V",
                "package fixture; public class V { public String go(String in) { return \"v2\"; } }"));
    service.create("versions", java17("fixture.V::go"), new CodeSource.Upload(v1));
    assertThat(call("versions", "\"x\"").asText()).isEqualTo("v1");
    Path codeDir = dir.resolve("functions").resolve("versions").resolve("code");

    service.updateCode("versions", new CodeSource.Upload(v2));

    for (int i = 0; i < 250 && dirs(codeDir) > 1; i++) {
      Thread.sleep(20);
    }
    assertThat(dirs(codeDir)).as("only the package in use stays").isEqualTo(1);
    assertThat(call("versions", "\"x\"").asText()).isEqualTo("v2");
    service.updateCode("versions", new CodeSource.Upload(v1)); // back: unpacked again
    assertThat(call("versions", "\"x\"").asText()).isEqualTo("v1");
  }

  private static long dirs(Path dir) throws IOException {
    try (var list = Files.list(dir)) {
      return list.count();
    }
  }

  @Test
  void invokeAsync_failingHandler_triedThreeTimesAsLambdaDoesUnderOneRequestId() throws Exception {
    open();
    service.create(
        "fails",
        java17("dev.sluice.examples.hello.FailingHandler"),
        new CodeSource.Local(EXAMPLES.resolve("hello-kinesis/target/hello-kinesis.jar")));
    String requestId = service.invokeAsync("fails", "{}".getBytes(StandardCharsets.UTF_8));
    long starts = 0;
    for (int i = 0; i < 200 && starts < 3; i++) {
      Thread.sleep(20);
      starts =
          service.logLines("fails", 1000).stream()
              .filter(l -> l.startsWith("START RequestId:"))
              .count();
    }
    assertThat(starts).isEqualTo(3);
    Thread.sleep(200);
    assertThat(
            service.logLines("fails", 1000).stream().filter(l -> l.startsWith("START RequestId:")))
        .hasSize(3)
        .allMatch(l -> l.startsWith("START RequestId: " + requestId + " "));
  }

  @Test
  void invokeAsync_retryPendingAtARestart_runsAfterItWithTheAttemptsCountedSoFar()
      throws Exception {
    String requestId = eventWaitingForItsLastRetryAtAStop();

    openWithRetryDelays(List.of(Duration.ZERO, Duration.ZERO));

    assertThat(awaitStarts("fails", requestId, 3))
        .as("its last retry, after the restart")
        .isEqualTo(3);
    Thread.sleep(300);
    assertThat(awaitStarts("fails", requestId, 4)).as("Lambda's two retries, no more").isEqualTo(3);
    assertThat(dir.resolve("async")).isEmptyDirectory();
  }

  @Test
  void invokeAsync_retryPendingAtARestartSevenHoursLater_droppedAsLambdaDropsOldEvents()
      throws Exception {
    String requestId = eventWaitingForItsLastRetryAtAStop();

    clock = java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofHours(7));
    openWithRetryDelays(List.of(Duration.ZERO, Duration.ZERO));

    for (int i = 0; i < 200 && !isEmptyDirectory(dir.resolve("async")); i++) {
      Thread.sleep(20);
    }
    assertThat(dir.resolve("async")).as("forgotten").isEmptyDirectory();
    assertThat(awaitStarts("fails", requestId, 3)).as("not run again").isEqualTo(2);
  }

  @Test
  void invokeAsync_retryPendingAtARestartThatCannotRunTheFunction_keptForALaterStart()
      throws Exception {
    String requestId = eventWaitingForItsLastRetryAtAStop();
    FunctionService withoutRunners =
        new FunctionService(
            dir,
            "us-east-1",
            "000000000000",
            Map.of(),
            16,
            List.of(),
            clock,
            null,
            null,
            null,
            1024);
    withoutRunners.start(); // "fails" is defined but has nothing to run it on this start
    assertThat(withoutRunners.unrunnable("fails")).isPresent();
    withoutRunners.close();
    assertThat(dir.resolve("async").resolve(requestId + ".json")).as("still journaled").exists();

    openWithRetryDelays(List.of(Duration.ZERO, Duration.ZERO));

    assertThat(awaitStarts("fails", requestId, 3)).as("its last retry, later").isEqualTo(3);
  }

  @Test
  void updateConfiguration_functionFailedHereWithEventsKept_runsThemOnceItCanRun()
      throws Exception {
    String requestId = eventWaitingForItsLastRetryAtAStop();
    Path definition = dir.resolve("functions/fails/function.json");
    // now a function this node cannot run: its event stays journaled at the next start
    Files.writeString(
        definition, Files.readString(definition).replace("\"CLASSLOADER\"", "\"PROCESS\""));
    openWithRetryDelays(List.of(Duration.ZERO, Duration.ZERO));
    assertThat(service.unrunnable("fails")).isPresent();
    Thread.sleep(300);
    assertThat(dir.resolve("async").resolve(requestId + ".json")).as("kept").exists();

    service.updateConfiguration("fails", java17(null));

    assertThat(awaitStarts("fails", requestId, 3)).as("its last retry, now").isEqualTo(3);
    for (int i = 0; i < 200 && !isEmptyDirectory(dir.resolve("async")); i++) {
      Thread.sleep(20);
    }
    assertThat(dir.resolve("async")).isEmptyDirectory();
  }

  @Test
  void delete_functionFailedHereWithEventsKept_dropsThem() throws Exception {
    String requestId = eventWaitingForItsLastRetryAtAStop();
    Path definition = dir.resolve("functions/fails/function.json");
    Files.writeString(
        definition, Files.readString(definition).replace("\"CLASSLOADER\"", "\"PROCESS\""));
    openWithRetryDelays(List.of(Duration.ZERO, Duration.ZERO));
    assertThat(dir.resolve("async").resolve(requestId + ".json")).exists();

    service.delete("fails");

    assertThat(dir.resolve("async").resolve(requestId + ".json")).doesNotExist();
    service.create("fails", java17("dev.sluice.examples.hello.FailingHandler"), HELLO);
    Thread.sleep(300);
    assertThat(awaitStarts("fails", requestId, 1)).as("not run on the new function").isZero();
  }

  /**
   * Fails an asynchronous event twice and stops the node while its second retry, an hour away,
   * waits; returns its request id.
   */
  private String eventWaitingForItsLastRetryAtAStop() throws InterruptedException {
    openWithRetryDelays(List.of(Duration.ZERO, Duration.ofHours(1)));
    service.create(
        "fails",
        java17("dev.sluice.examples.hello.FailingHandler"),
        new CodeSource.Local(EXAMPLES.resolve("hello-kinesis/target/hello-kinesis.jar")));
    String requestId = service.invokeAsync("fails", "{}".getBytes(StandardCharsets.UTF_8));
    assertThat(awaitStarts("fails", requestId, 2)).isEqualTo(2);
    close();
    return requestId;
  }

  private static boolean isEmptyDirectory(java.nio.file.Path d) throws java.io.IOException {
    try (var files = java.nio.file.Files.list(d)) {
      return files.findAny().isEmpty();
    }
  }

  /** How many invocations under {@code requestId} started, waiting up to 4 s for {@code n}. */
  private long awaitStarts(String function, String requestId, int n) throws InterruptedException {
    long starts = 0;
    for (int i = 0; i < 200 && starts < n; i++) {
      Thread.sleep(20);
      starts =
          service.logLines(function, 1000).stream()
              .filter(l -> l.startsWith("START RequestId: " + requestId + " "))
              .count();
    }
    return starts;
  }

  @Test
  void invokeAsync_failedEventsOverTheWaitingBudget_waitOnDiskAndAreRetried() throws Exception {
    openFailingWithBudget(null);

    String holding = service.invokeAsync("fails", jsonString(100));
    awaitStarts(holding, 2); // failed twice: waits an hour with its 100 bytes in memory
    String tooBig = service.invokeAsync("fails", jsonString(100)); // 200 bytes would wait

    awaitStarts(tooBig, 2); // its payload read back from the journal for the retry
    Thread.sleep(200);
    assertThat(starts(tooBig)).as("retried from disk, not dropped").isEqualTo(2);
    assertThat(starts(holding)).isEqualTo(2);
    assertThat(dir.resolve("async").resolve(tooBig + ".json"))
        .as("waiting for its last retry, on disk only")
        .exists();
  }

  @Test
  void invokeAsync_eventsPendingAtARestartOverTheWaitingBudget_allRunAfterIt() throws Exception {
    openFailingWithBudget(null);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(service.invokeAsync("fails", jsonString(100)));
    }
    for (String id : ids) {
      awaitStarts(id, 2); // each waits an hour for its last retry, the first in memory
    }
    close();

    openWithBudget(null, List.of(Duration.ZERO, Duration.ZERO));

    for (String id : ids) {
      awaitStarts(id, 3); // two of them read back from the journal when they run
    }
    for (int i = 0; i < 200 && dirs(dir.resolve("async")) > 0; i++) {
      Thread.sleep(20);
    }
    assertThat(dir.resolve("async")).isEmptyDirectory();
  }

  @Test
  void invokeAsync_failedEventsOverTheWaitingBudgetWithoutAJournal_droppedInsteadOfRetried()
      throws Exception {
    openFailingWithBudget(new dev.sluice.testing.MemoryState()); // shared state: no journal

    String holding = service.invokeAsync("fails", jsonString(100));
    awaitStarts(holding, 2); // failed twice: waits an hour with its 100 bytes
    String tooBig = service.invokeAsync("fails", jsonString(100)); // 200 bytes would wait
    awaitStarts(tooBig, 1);
    String fits = service.invokeAsync("fails", jsonString(40)); // 140 bytes may wait
    awaitStarts(fits, 2);

    assertThat(starts(tooBig))
        .as("dropped after its first failure, although a retry was due at once")
        .isEqualTo(1);
    assertThat(starts(holding)).isEqualTo(2);
  }

  /**
   * A node whose function "fails" always fails, retried at once and then after an hour this test
   * never waits out, with 150 bytes of waiting payload allowed in memory; on {@code state} when
   * given.
   */
  private void openFailingWithBudget(dev.sluice.testing.MemoryState state) throws Exception {
    openWithBudget(state, List.of(Duration.ZERO, Duration.ofHours(1)));
    byte[] jar =
        HandlerJars.jar(
            Map.of(
                "fixture.AlwaysFails",
                """
        package fixture;
        public class AlwaysFails {
          public String go(String in) { throw new IllegalStateException("no"); }
        }
        """));
    service.create("fails", java17("fixture.AlwaysFails::go"), new CodeSource.Upload(jar));
  }

  /** A node with 150 bytes of waiting payload allowed in memory and these retry delays. */
  private void openWithBudget(dev.sluice.testing.MemoryState state, List<Duration> delays) {
    openWith(state, delays, 150);
  }

  /** A JSON string payload of exactly {@code bytes} bytes. */
  private static byte[] jsonString(int bytes) {
    return ("\"" + "a".repeat(bytes - 2) + "\"").getBytes(StandardCharsets.UTF_8);
  }

  private long starts(String requestId) {
    return service.logLines("fails", 1000).stream()
        .filter(l -> l.startsWith("START RequestId: " + requestId + " "))
        .count();
  }

  private void awaitStarts(String requestId, long n) throws InterruptedException {
    for (int i = 0; i < 500 && starts(requestId) < n; i++) {
      Thread.sleep(20);
    }
    assertThat(starts(requestId)).as("attempts of %s", requestId).isEqualTo(n);
  }

  /** Rewrites the major class-file version of every class in a jar. */
  private static byte[] withClassVersion(byte[] jar, int major) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(jar));
        ZipOutputStream zip = new ZipOutputStream(out)) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        byte[] bytes = in.readAllBytes();
        if (e.getName().endsWith(".class")) {
          bytes[6] = (byte) (major >> 8);
          bytes[7] = (byte) major;
        }
        zip.putNextEntry(new ZipEntry(e.getName()));
        zip.write(bytes);
        zip.closeEntry();
      }
    }
    return out.toByteArray();
  }
}
