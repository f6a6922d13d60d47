package dev.sluice.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.testing.FreshDataDir;
import dev.sluice.testing.HandlerJars;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.*;

/** The Lambda REST API through the real AWS SDK v2 LambdaClient, with real handler jars. */
@QuarkusTest
@QuarkusTestResource(FreshDataDir.class)
class LambdaApiTest {

  static final ObjectMapper JSON = new ObjectMapper();

  @TestHTTPResource("/")
  String root;

  LambdaClient lambda;
  final List<String> created = new ArrayList<>();

  @BeforeEach
  void client() {
    lambda =
        LambdaClient.builder()
            .endpointOverride(URI.create(root))
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
            .httpClient(UrlConnectionHttpClient.create())
            .overrideConfiguration(c -> c.retryStrategy(r -> r.maxAttempts(1)))
            .build();
  }

  @AfterEach
  void cleanUp() {
    for (String name : created) {
      try {
        lambda.deleteFunction(b -> b.functionName(name));
      } catch (ResourceNotFoundException gone) {
        // the test deleted it
      }
    }
    lambda.close();
  }

  String deploy(Map<String, String> sources, String handler, int timeout) {
    return deploy(sources, handler, timeout, Map.of());
  }

  /** A function in process isolation, which runs the handler on Lambda's own Java runtime. */
  String deployInProcess(Map<String, String> sources, String handler, int timeout) {
    return deploy(sources, handler, timeout, Map.of(LambdaJson.ISOLATION_TAG, "process"));
  }

  String deploy(
      Map<String, String> sources, String handler, int timeout, Map<String, String> tags) {
    return deployZip(HandlerJars.lambdaZip(sources), handler, timeout, tags);
  }

  /** Deploys {@code zip} as a new java17 function; returns its name. */
  String deployZip(byte[] zip, String handler, int timeout, Map<String, String> tags) {
    String name = "fn-" + UUID.randomUUID().toString().substring(0, 8);
    lambda.createFunction(
        b ->
            b.functionName(name)
                .runtime(software.amazon.awssdk.services.lambda.model.Runtime.JAVA17)
                .role("arn:aws:iam::000000000000:role/any")
                .handler(handler)
                .timeout(timeout)
                .memorySize(256)
                .tags(tags)
                .code(c -> c.zipFile(SdkBytes.fromByteArray(zip))));
    created.add(name);
    return name;
  }

  /** A PUT with a body no SDK would send, for its raw answer. */
  io.restassured.response.ValidatableResponse rawPut(String path, String body) {
    return io.restassured.RestAssured.given().baseUri(root).body(body).put(path).then();
  }

  InvokeResponse invoke(String name, String payload) {
    return lambda.invoke(b -> b.functionName(name).payload(SdkBytes.fromUtf8String(payload)));
  }

  JsonNode json(InvokeResponse r) throws IOException {
    return JSON.readTree(r.payload().asByteArray());
  }

  @Test
  void createFunction_thenInvoke_returnsTheHandlersOutputWithLambdaContext() throws Exception {
    String name = deploy(Handlers.ECHO, "fixture.Echo", 10);
    InvokeResponse r = invoke(name, "{\"orderId\":\"order-1\"}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.functionError()).isNull();
    assertThat(r.executedVersion()).isEqualTo("$LATEST");
    JsonNode out = json(r);
    assertThat(out.get("orderId").asText()).isEqualTo("order-1");
    assertThat(out.get("function").asText()).isEqualTo(name);
    assertThat(out.get("memory").asInt()).isEqualTo(256);
    assertThat(out.get("remainingPositive").asBoolean()).isTrue();
  }

  @Test
  void invoke_warmInstance_reusesTheHandlerAndItsStaticState() throws Exception {
    String name = deploy(Handlers.ECHO, "fixture.Echo", 10);
    long first = json(invoke(name, "{}")).get("loaded").asLong();
    long second = json(invoke(name, "{}")).get("loaded").asLong();
    assertThat(second).isEqualTo(first);
  }

  @Test
  void invoke_withoutAPayload_handlerGetsTheEmptyObjectInEitherIsolation() throws Exception {
    String inServer = deploy(Handlers.ECHO, "fixture.Echo", 30);
    String inProcess = deployInProcess(Handlers.ECHO, "fixture.Echo", 30);
    for (String name : List.of(inServer, inProcess)) {
      InvokeResponse r = lambda.invoke(b -> b.functionName(name));

      assertThat(r.functionError()).as("%s: %s", name, r.payload().asUtf8String()).isNull();
      assertThat(json(r).path("function").asText()).isEqualTo(name);
      assertThat(lambda.invoke(b -> b.functionName(name).invocationType("Event")).statusCode())
          .isEqualTo(202);
    }
  }

  @Test
  void updateFunctionConfiguration_javaFunctionToAnOsOnlyRuntime_acceptedAsLambdaDoes() {
    String name = deploy(Handlers.ECHO, "fixture.Echo", 30); // no isolation tag: in the server

    lambda.updateFunctionConfiguration(
        b ->
            b.functionName(name)
                .runtime(software.amazon.awssdk.services.lambda.model.Runtime.PROVIDED_AL2023)
                .handler("bootstrap"));

    GetFunctionConfigurationResponse c = lambda.getFunctionConfiguration(b -> b.functionName(name));
    assertThat(c.runtimeAsString()).isEqualTo("provided.al2023");
    assertThat(c.handler()).isEqualTo("bootstrap");
  }

  @Test
  void getFunction_listFunctions_describeWhatWasDeployed() {
    String name = deploy(Handlers.ECHO, "fixture.Echo", 7);
    GetFunctionConfigurationResponse c = lambda.getFunctionConfiguration(b -> b.functionName(name));
    assertThat(c.functionArn()).isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:" + name);
    assertThat(c.handler()).isEqualTo("fixture.Echo");
    assertThat(c.timeout()).isEqualTo(7);
    assertThat(c.memorySize()).isEqualTo(256);
    assertThat(c.version()).isEqualTo("$LATEST");
    assertThat(c.codeSha256()).isNotBlank();
    assertThat(c.state()).isEqualTo(State.ACTIVE);
    assertThat(lambda.getFunction(b -> b.functionName(name)).configuration().functionName())
        .isEqualTo(name);
    assertThat(lambda.listFunctionsPaginator().functions())
        .extracting(FunctionConfiguration::functionName)
        .contains(name);
    ListFunctionsResponse page = lambda.listFunctions(b -> b.maxItems(1));
    assertThat(page.functions()).hasSize(1);
  }

  @Test
  void listVersionsByFunction_unpublishedFunction_listsLatestWithItsQualifiedArn() {
    String name = deploy(Handlers.ECHO, "fixture.Echo", 7);

    List<FunctionConfiguration> versions =
        lambda
            .listVersionsByFunctionPaginator(b -> b.functionName(name).maxItems(10_000))
            .versions()
            .stream()
            .toList();

    assertThat(versions).hasSize(1);
    assertThat(versions.get(0).version()).isEqualTo("$LATEST");
    assertThat(versions.get(0).functionArn())
        .isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:" + name + ":$LATEST");
    assertThat(versions.get(0).handler()).isEqualTo("fixture.Echo");
    assertThatThrownBy(() -> lambda.listVersionsByFunction(b -> b.functionName("no-such-fn")))
        .isInstanceOf(ResourceNotFoundException.class);
    assertThatThrownBy(
            () -> lambda.listVersionsByFunction(b -> b.functionName(name).maxItems(10_001)))
        .satisfies(e -> assertErrorCode(e, "ValidationException"));
  }

  @Test
  void listFunctions_maxItemsOverFifty_pagesOfAtMostFiftyAsLambda() {
    byte[] zip = HandlerJars.lambdaZip(Handlers.ECHO);
    for (int i = 0; i < 51; i++) {
      deployZip(zip, "fixture.Echo", 3, Map.of());
    }

    ListFunctionsResponse first = lambda.listFunctions(b -> b.maxItems(1000));
    assertThat(first.functions()).hasSize(50);
    assertThat(first.nextMarker()).isNotNull();
    assertThat(lambda.listFunctionsPaginator().functions())
        .extracting(FunctionConfiguration::functionName)
        .containsAll(created);
  }

  @Test
  void getAccountSettings_reservationAndFunctionAdded_unreservedAndCountsFollow() {
    GetAccountSettingsResponse before = lambda.getAccountSettings(b -> {});
    String name = deploy(Handlers.ECHO, "fixture.Echo", 3);
    lambda.putFunctionConcurrency(b -> b.functionName(name).reservedConcurrentExecutions(2));

    GetAccountSettingsResponse after = lambda.getAccountSettings(b -> {});

    assertThat(after.accountLimit().codeSizeZipped()).isEqualTo(52_428_800L);
    assertThat(after.accountLimit().codeSizeUnzipped()).isEqualTo(262_144_000L);
    assertThat(after.accountLimit().concurrentExecutions())
        .isEqualTo(before.accountLimit().concurrentExecutions());
    assertThat(after.accountLimit().unreservedConcurrentExecutions())
        .isEqualTo(before.accountLimit().unreservedConcurrentExecutions() - 2);
    assertThat(after.accountUsage().functionCount())
        .isEqualTo(before.accountUsage().functionCount() + 1);
    assertThat(after.accountUsage().totalCodeSize())
        .isEqualTo(
            before.accountUsage().totalCodeSize()
                + lambda.getFunction(b -> b.functionName(name)).configuration().codeSize());
  }

  @Test
  void listFunctions_masterRegion_onlyEdgeReplicasOfWhichThereAreNone() {
    deploy(Handlers.ECHO, "fixture.Echo", 3);

    assertThat(lambda.listFunctions(b -> b.functionVersion(FunctionVersion.ALL)).functions())
        .isNotEmpty();
    assertThat(
            lambda
                .listFunctions(
                    b -> b.functionVersion(FunctionVersion.ALL).masterRegion("us-east-1"))
                .functions())
        .isEmpty();
    assertThatThrownBy(() -> lambda.listFunctions(b -> b.masterRegion("us-east-1")))
        .isInstanceOf(InvalidParameterValueException.class)
        .hasMessageContaining("MasterRegion requires FunctionVersion to be set to ALL");
    io.restassured.RestAssured.given()
        .baseUri(root)
        .get("/2015-03-31/functions/?FunctionVersion=LATEST")
        .then()
        .statusCode(400)
        .header("x-amzn-ErrorType", "ValidationException");
  }

  @Test
  void updateFunctionConfiguration_changesTimeoutMemoryAndEnvironment() {
    String name = deploy(Handlers.ECHO, "fixture.Echo", 3);
    UpdateFunctionConfigurationResponse c =
        lambda.updateFunctionConfiguration(
            b ->
                b.functionName(name)
                    .timeout(30)
                    .memorySize(512)
                    .environment(e -> e.variables(Map.of("STAGE", "test"))));
    assertThat(c.timeout()).isEqualTo(30);
    assertThat(c.memorySize()).isEqualTo(512);
    assertThat(c.environment().variables()).containsEntry("STAGE", "test");
    assertThat(lambda.getFunctionConfiguration(b -> b.functionName(name)).memorySize())
        .isEqualTo(512);
  }

  @Test
  void updateFunction_staleRevisionId_preconditionFailedAndNothingChanged() {
    String name = deploy(Handlers.ECHO, "fixture.Echo", 3);
    String first = lambda.getFunctionConfiguration(b -> b.functionName(name)).revisionId();
    String second =
        lambda
            .updateFunctionConfiguration(b -> b.functionName(name).timeout(4).revisionId(first))
            .revisionId();
    assertThat(second).isNotEqualTo(first);

    assertThatThrownBy(
            () ->
                lambda.updateFunctionConfiguration(
                    b -> b.functionName(name).timeout(5).revisionId(first)))
        .isInstanceOf(PreconditionFailedException.class)
        .hasMessageContaining("Revision Id");
    assertThatThrownBy(
            () ->
                lambda.updateFunctionCode(
                    b ->
                        b.functionName(name)
                            .revisionId(first)
                            .zipFile(SdkBytes.fromByteArray(HandlerJars.lambdaZip(Handlers.ECHO)))))
        .isInstanceOf(PreconditionFailedException.class);
    GetFunctionConfigurationResponse now =
        lambda.getFunctionConfiguration(b -> b.functionName(name));
    assertThat(now.timeout()).isEqualTo(4);
    assertThat(now.revisionId()).isEqualTo(second);
  }

  @Test
  void createEventSourceMapping_bodyOverAMegabyte_requestTooLargeInLambdasShape()
      throws IOException {
    // the head and the body's first bytes only: the server answers and drops the connection
    // while a client would still be sending, which a client writing all of it may see as a broken
    // pipe before it reads the answer
    String answer =
        rawStart(
            "POST /2015-03-31/event-source-mappings/ HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: 2097172\r\n\r\n"
                + "{\"FunctionName\":\"xxxx");

    assertThat(answer)
        .startsWith("HTTP/1.1 413")
        .containsIgnoringCase("x-amzn-ErrorType: RequestEntityTooLargeException")
        .contains("event source mapping");
  }

  /**
   * Sends {@code start}, the start of a request, over a socket of its own and returns everything
   * the server answers until it closes the connection.
   */
  private String rawStart(String start) throws IOException {
    URI uri = URI.create(root);
    try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(start.getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void updateFunctionConfiguration_secondValueAfterTheObject_invalidRequestContentNothingChanged() {
    String name = deploy(Handlers.ECHO, "fixture.Echo", 3);

    for (String body : List.of("{\"Timeout\":9}{\"Timeout\":1}", "{\"Timeout\":9} junk")) {
      rawPut("/2015-03-31/functions/" + name + "/configuration", body)
          .statusCode(400)
          .header("x-amzn-ErrorType", "InvalidRequestContentException");
    }

    assertThat(lambda.getFunctionConfiguration(b -> b.functionName(name)).timeout()).isEqualTo(3);
  }

  @Test
  void createEventSourceMapping_timestampAsText_invalidParameterValueNot1970() {
    String name = deploy(Handlers.ECHO, "fixture.Echo", 3);

    io.restassured.RestAssured.given()
        .baseUri(root)
        .body(
            "{\"FunctionName\":\""
                + name
                + "\",\"EventSourceArn\":\"arn:aws:kinesis:us-east-1:000000000000:stream/none\","
                + "\"StartingPosition\":\"AT_TIMESTAMP\","
                + "\"StartingPositionTimestamp\":\"2024-01-01T00:00:00Z\"}")
        .post("/2015-03-31/event-source-mappings/")
        .then()
        .statusCode(400)
        .header("x-amzn-ErrorType", "InvalidParameterValueException")
        .body("message", org.hamcrest.Matchers.containsString("StartingPositionTimestamp"));
  }

  @Test
  void updateFunctionConfiguration_environmentValueNotAString_invalidParameterValue() {
    String name = deploy(Handlers.ECHO, "fixture.Echo", 3);

    rawPut(
            "/2015-03-31/functions/" + name + "/configuration",
            "{\"Environment\":{\"Variables\":{\"PORT\":8080}}}")
        .statusCode(400)
        .header("x-amzn-ErrorType", "InvalidParameterValueException")
        .body("message", org.hamcrest.Matchers.containsString("PORT"));
  }

  @Test
  void putFunctionConcurrency_numberOverflowingAnInt_invalidParameterValue() {
    String name = deploy(Handlers.ECHO, "fixture.Echo", 3);

    rawPut(
            "/2017-10-31/functions/" + name + "/concurrency",
            "{\"ReservedConcurrentExecutions\":4294967297}")
        .statusCode(400)
        .header("x-amzn-ErrorType", "InvalidParameterValueException");
    assertThat(
            lambda.getFunctionConcurrency(b -> b.functionName(name)).reservedConcurrentExecutions())
        .isNull();
  }

  @Test
  void updateFunctionCode_dryRun_checksThePackageAndChangesNothing() throws Exception {
    String name = deploy(Handlers.ECHO_V2, "fixture.Echo", 10);
    var before = lambda.getFunctionConfiguration(b -> b.functionName(name));

    var dry =
        lambda.updateFunctionCode(
            b ->
                b.functionName(name)
                    .dryRun(true)
                    .zipFile(SdkBytes.fromByteArray(HandlerJars.lambdaZip(Handlers.ECHO))));

    assertThat(dry.codeSha256()).isEqualTo(before.codeSha256());
    assertThat(dry.revisionId()).isEqualTo(before.revisionId());
    assertThat(json(invoke(name, "{}")).get("version").asText()).isEqualTo("v2");
    assertThatThrownBy(
            () ->
                lambda.updateFunctionCode(
                    b ->
                        b.functionName(name)
                            .dryRun(true)
                            .zipFile(SdkBytes.fromUtf8String("not a zip"))))
        .isInstanceOf(InvalidParameterValueException.class);
  }

  @Test
  void updateFunctionCode_inFlightInvocationFinishesOnOldCode_newOnesRunNewCode() throws Exception {
    String name = deploy(Handlers.ECHO_V2, "fixture.Echo", 10);
    Path started = Files.createTempDirectory("sluice-started").resolve("started");
    CompletableFuture<InvokeResponse> slow =
        CompletableFuture.supplyAsync(
            () -> invoke(name, "{\"sleepMs\":700,\"startedFile\":\"" + started + "\"}"));
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(started));
    lambda.updateFunctionCode(
        b ->
            b.functionName(name)
                .zipFile(SdkBytes.fromByteArray(HandlerJars.lambdaZip(Handlers.ECHO))));
    assertThat(json(invoke(name, "{}")).get("version").asText()).isEqualTo("v1");
    assertThat(json(slow.join()).get("version").asText()).isEqualTo("v2");
  }

  @Test
  void invoke_handlerThrows_functionErrorWithLambdasErrorBody() throws Exception {
    String name = deploy(Handlers.FAILING, "fixture.Failing", 5);
    InvokeResponse r = invoke(name, "\"order-9\"");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.functionError()).isEqualTo("Unhandled");
    JsonNode error = json(r);
    assertThat(error.get("errorType").asText()).isEqualTo("java.lang.IllegalStateException");
    assertThat(error.get("errorMessage").asText()).isEqualTo("boom: order-9");
    assertThat(error.get("stackTrace").get(0).asText())
        .startsWith("fixture.Failing.handleRequest(");
    // the handler's frames alone, as Lambda's Java runtime lists them
    error.get("stackTrace").forEach(f -> assertThat(f.asText()).doesNotContain("sluice", "//"));
  }

  @Test
  void invoke_missingHandlerClassOrMethod_clearFunctionError() throws Exception {
    String noClass = deploy(Handlers.ECHO, "fixture.Nope", 5);
    InvokeResponse r = invoke(noClass, "{}");
    assertThat(r.functionError()).isEqualTo("Unhandled");
    assertThat(json(r).get("errorMessage").asText()).isEqualTo("Class not found: fixture.Nope");
    String noMethod = deploy(Handlers.ECHO, "fixture.Echo::missing", 5);
    assertThat(json(invoke(noMethod, "{}")).get("errorMessage").asText())
        .contains("No public method named missing");
  }

  @Test
  void invoke_pastTimeout_taskTimedOutAndTheNextInvocationWorks() throws Exception {
    String name = deploy(Handlers.SLOW, "fixture.Slow::handle", 1);
    long t0 = System.nanoTime();
    InvokeResponse r = invoke(name, "{\"sleepMs\":5000}");
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(3000);
    assertThat(r.functionError()).isEqualTo("Unhandled");
    assertThat(json(r).get("errorMessage").asText()).contains("Task timed out after 1.00 seconds");
    assertThat(json(invoke(name, "{\"sleepMs\":1}")).asText()).isEqualTo("slept");
  }

  @Test
  void invoke_pojoOverloads_pickTheOneWithMostParameters() throws Exception {
    String name = deploy(Handlers.SLOW, "fixture.Slow::handle", 5);
    assertThat(json(invoke(name, "{\"sleepMs\":0}")).asText()).isEqualTo("slept");
  }

  @Test
  void invoke_realKinesisEventJson_convertedAsLambdaDoes() throws Exception {
    String name = deploy(Handlers.KINESIS, "fixture.KinesisReader", 5);
    String event;
    try (InputStream in = getClass().getResourceAsStream("/events/kinesis-event.json")) {
      event = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    JsonNode out = json(invoke(name, event));
    assertThat(out.isArray()).as("handler output %s", out).isTrue();
    assertThat(out.get(0).asText())
        .isEqualTo(
            "{\"type\":\"OrderPlaced\",\"orderId\":\"order-1\"}|1545084650987|order-1|arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream");
    assertThat(out.get(1).asText())
        .startsWith("{\"type\":\"OrderShipped\"")
        .contains("|1545084711166|");
  }

  static final String MOBILE_CONTEXT =
      """
      {"client": {"installation_id": "install-7", "app_title": "Orders",
                  "app_version_name": "2.1", "app_version_code": "21",
                  "app_package_name": "dev.sluice.orders"},
       "custom": {"tenant": "acme", "flag": "on"},
       "env": {"platform": "Android", "locale": "en_GB"}}
      """;

  static String base64(String json) {
    return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  InvokeResponse invokeWithContext(String name, String clientContext) {
    return lambda.invoke(
        b ->
            b.functionName(name)
                .clientContext(clientContext)
                .payload(SdkBytes.fromUtf8String("{}")));
  }

  @Test
  void invoke_clientContext_handlerSeesItsClientCustomAndEnvironment() throws Exception {
    String name = deploy(Handlers.CLIENT_CONTEXT, "fixture.ClientContextEcho", 10);

    JsonNode out = json(invokeWithContext(name, base64(MOBILE_CONTEXT)));

    assertThat(out.get("present").asBoolean()).as("handler output %s", out).isTrue();
    assertThat(out.get("client"))
        .isEqualTo(
            JSON.readTree(
                """
                {"installationId": "install-7", "appTitle": "Orders", "appVersionName": "2.1",
                 "appVersionCode": "21", "appPackageName": "dev.sluice.orders"}
                """));
    assertThat(out.get("custom")).isEqualTo(JSON.readTree("{\"tenant\":\"acme\",\"flag\":\"on\"}"));
    assertThat(out.get("environment"))
        .isEqualTo(JSON.readTree("{\"platform\":\"Android\",\"locale\":\"en_GB\"}"));
    assertThat(json(invoke(name, "{}")).get("present").asBoolean())
        .as("no client context: null")
        .isFalse();
  }

  @Test
  void invoke_clientContext_processAndClassloaderIsolationSeeTheSame() throws Exception {
    String inServer = deploy(Handlers.CLIENT_CONTEXT, "fixture.ClientContextEcho", 30);
    String inProcess = deployInProcess(Handlers.CLIENT_CONTEXT, "fixture.ClientContextEcho", 30);

    for (String context :
        List.of(MOBILE_CONTEXT, "{\"custom\":{\"only\":\"this\"},\"extra\":1}", "{}", "null")) {
      JsonNode expected = json(invokeWithContext(inProcess, base64(context)));
      assertThat(expected.has("present")).as("process output %s", expected).isTrue();
      assertThat(json(invokeWithContext(inServer, base64(context))))
          .as("client context %s", context)
          .isEqualTo(expected);
    }
    assertThat(json(invoke(inServer, "{}"))).isEqualTo(json(invoke(inProcess, "{}")));

    // valid JSON that Lambda's Java runtime cannot read as a ClientContext fails the invocation
    String nested = base64("{\"custom\":{\"k\":{\"deeper\":\"v\"}}}");
    InvokeResponse p = invokeWithContext(inProcess, nested);
    InvokeResponse c = invokeWithContext(inServer, nested);
    assertThat(p.functionError()).isEqualTo("Unhandled");
    assertThat(c.functionError()).isEqualTo("Unhandled");
    assertThat(json(p).path("errorType").asText()).endsWith(".JsonSyntaxException");
    assertThat(json(c).path("errorType")).isEqualTo(json(p).path("errorType"));
  }

  @Test
  void invoke_clientContextNotBase64JsonOrTooLong_invalidRequestContent() throws Exception {
    String name = deploy(Handlers.CLIENT_CONTEXT, "fixture.ClientContextEcho", 10);
    String atLimit = base64("{\"custom\":{\"k\":\"" + "v".repeat(2685 - 19) + "\"}}");
    String overLimit = base64("{\"custom\":{\"k\":\"" + "v".repeat(2688 - 19) + "\"}}");
    assertThat(atLimit).hasSize(3580);
    assertThat(overLimit).hasSize(3584);

    assertThat(json(invokeWithContext(name, atLimit)).get("custom").get("k").asText())
        .hasSize(2685 - 19);
    for (String bad : List.of("not base64!", base64("not json"), base64("{} {}"), overLimit)) {
      assertThatThrownBy(() -> invokeWithContext(name, bad))
          .as("client context %s", bad)
          .isInstanceOf(InvalidRequestContentException.class)
          .hasMessageContaining("Client context must be");
      assertThatThrownBy(
              () ->
                  lambda.invoke(
                      b ->
                          b.functionName(name)
                              .invocationType(InvocationType.EVENT)
                              .clientContext(bad)
                              .payload(SdkBytes.fromUtf8String("{}"))))
          .isInstanceOf(InvalidRequestContentException.class);
    }
  }

  @Test
  void invoke_qualifiedOrNot_contextGivesTheArnItWasInvokedBy() {
    String name = deploy(Handlers.ARN, "fixture.Arn", 5);
    String arn = "arn:aws:lambda:us-east-1:000000000000:function:" + name;

    assertThat(invoke(name, "{}").payload().asUtf8String()).isEqualTo("\"" + arn + "\"");
    assertThat(invoke(name + ":$LATEST", "{}").payload().asUtf8String())
        .isEqualTo("\"" + arn + ":$LATEST\"");
    assertThat(
            lambda
                .invoke(
                    b ->
                        b.functionName(name)
                            .qualifier("$LATEST")
                            .payload(SdkBytes.fromUtf8String("{}")))
                .payload()
                .asUtf8String())
        .isEqualTo("\"" + arn + ":$LATEST\"");
  }

  @Test
  void invoke_streamHandler_getsAndWritesRawBytes() {
    String name = deploy(Handlers.STREAM, "fixture.Upper", 5);
    assertThat(invoke(name, "\"shout\"").payload().asUtf8String()).isEqualTo("\"SHOUT\"");
  }

  @Test
  void invoke_logTypeTail_returnsLambdaLogLines() {
    String name = deploy(Handlers.ECHO, "fixture.Echo", 5);
    InvokeResponse r =
        lambda.invoke(
            b ->
                b.functionName(name)
                    .logType(LogType.TAIL)
                    .payload(SdkBytes.fromUtf8String("{\"a\":1}")));
    String log = new String(Base64.getDecoder().decode(r.logResult()), StandardCharsets.UTF_8);
    assertThat(log)
        .contains("START RequestId: ")
        .as("a logger call is a line of its own, as it is a log event of its own in Lambda")
        .contains("echoing 1 fields\nprinted to stdout\n")
        .contains("END RequestId: ")
        .containsPattern(
            "REPORT RequestId: \\S+\tDuration: [\\d.]+ ms\tBilled Duration: \\d+ ms\tMemory Size: 256 MB\tMax Memory Used: \\d+ MB\tInit Duration: [\\d.]+ ms");
  }

  @Test
  void putFunctionConcurrency_leavingLessThanATenthUnreserved_invalidParameterValueAndUnchanged() {
    String name = deploy(Handlers.ECHO, "fixture.Echo", 3);

    assertThatThrownBy(
            () ->
                lambda.putFunctionConcurrency(
                    b -> b.functionName(name).reservedConcurrentExecutions(257)))
        .isInstanceOf(InvalidParameterValueException.class)
        .hasMessageContaining("minimum value of [25]")
        .hasMessageContaining("of this node's 256");
    assertThatThrownBy(
            () ->
                lambda.putFunctionConcurrency(
                    b -> b.functionName(name).reservedConcurrentExecutions(232)))
        .as("256 less the 25 Lambda would leave unreserved")
        .isInstanceOf(InvalidParameterValueException.class);
    assertThat(
            lambda.getFunctionConcurrency(b -> b.functionName(name)).reservedConcurrentExecutions())
        .isNull();
  }

  @Test
  void reservedConcurrency_limitReached_tooManyRequests() throws Exception {
    String name = deploy(Handlers.SLOW, "fixture.Slow::handle", 10);
    lambda.putFunctionConcurrency(b -> b.functionName(name).reservedConcurrentExecutions(1));
    assertThat(
            lambda.getFunctionConcurrency(b -> b.functionName(name)).reservedConcurrentExecutions())
        .isEqualTo(1);
    Path started = Files.createTempDirectory("sluice-started").resolve("started");
    CompletableFuture<InvokeResponse> busy =
        CompletableFuture.supplyAsync(
            () -> invoke(name, "{\"sleepMs\":800,\"startedFile\":\"" + started + "\"}"));
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(started));
    assertThatThrownBy(() -> invoke(name, "{\"sleepMs\":0}"))
        .isInstanceOf(TooManyRequestsException.class)
        .extracting(e -> ((TooManyRequestsException) e).reasonAsString())
        .isEqualTo("ReservedFunctionConcurrentInvocationLimitExceeded");
    assertThat(busy.join().functionError()).isNull();
    lambda.putFunctionConcurrency(b -> b.functionName(name).reservedConcurrentExecutions(0));
    assertThatThrownBy(() -> invoke(name, "{\"sleepMs\":0}"))
        .isInstanceOf(TooManyRequestsException.class);
    lambda.deleteFunctionConcurrency(b -> b.functionName(name));
    assertThat(invoke(name, "{\"sleepMs\":0}").functionError()).isNull();
  }

  @Test
  void invoke_eventAndDryRun_acceptedWithoutWaiting() {
    String name = deploy(Handlers.ECHO, "fixture.Echo", 5);
    assertThat(
            lambda
                .invoke(
                    b ->
                        b.functionName(name)
                            .invocationType(InvocationType.EVENT)
                            .payload(SdkBytes.fromUtf8String("{}")))
                .statusCode())
        .isEqualTo(202);
    assertThat(
            lambda
                .invoke(b -> b.functionName(name).invocationType(InvocationType.DRY_RUN))
                .statusCode())
        .isEqualTo(204);
    String overSixMegabytes = "\"" + "x".repeat(6 * 1024 * 1024) + "\"";
    assertThatThrownBy(
            () ->
                lambda.invoke(
                    b ->
                        b.functionName(name)
                            .invocationType(InvocationType.DRY_RUN)
                            .payload(SdkBytes.fromUtf8String(overSixMegabytes))))
        .as("a dry run is refused as the call would be")
        .satisfies(e -> assertErrorCode(e, "RequestEntityTooLargeException"));
    assertThatThrownBy(
            () ->
                lambda.invoke(
                    b ->
                        b.functionName(name + ":$LATEST")
                            .qualifier("1")
                            .invocationType(InvocationType.DRY_RUN)))
        .isInstanceOf(InvalidParameterValueException.class)
        .hasMessageContaining("does not match the specified qualifier");
    String overAMegabyte = "\"" + "x".repeat(1024 * 1024) + "\"";
    assertThatThrownBy(
            () ->
                lambda.invoke(
                    b ->
                        b.functionName(name)
                            .invocationType(InvocationType.EVENT)
                            .payload(SdkBytes.fromUtf8String(overAMegabyte))))
        .satisfies(e -> assertErrorCode(e, "RequestEntityTooLargeException"))
        .hasMessageContaining("Event invocation type");
  }

  /** What {@code curl -d} sends: a JSON body labelled as a form, as Lambda's emulator users do. */
  static final String CURL_DEFAULT_TYPE = "application/x-www-form-urlencoded";

  @Test
  void invoke_curlsDefaultFormContentTypeAndA10KbBody_readsTheRawPayload() throws Exception {
    String name = deploy(Handlers.ECHO, "fixture.Echo", 10);
    String big = "{\"orderId\":\"order-1\",\"note\":\"" + "x&y=%zz ".repeat(1280) + "\"}";
    assertThat(big.length()).isGreaterThan(10_000);

    io.restassured.response.Response r =
        io.restassured.RestAssured.given()
            .contentType(CURL_DEFAULT_TYPE)
            .body(big)
            .post("/2015-03-31/functions/" + name + "/invocations");

    assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
    JsonNode out = JSON.readTree(r.asByteArray());
    assertThat(out.get("orderId").asText()).isEqualTo("order-1");
    assertThat(out.get("note").asText()).isEqualTo("x&y=%zz ".repeat(1280));
    assertThat(
            io.restassured.RestAssured.given()
                .contentType(CURL_DEFAULT_TYPE)
                .header("X-Amz-Invocation-Type", "Event")
                .body(big)
                .post("/2015-03-31/functions/" + name + "/invocations")
                .statusCode())
        .isEqualTo(202);
  }

  @Test
  void invoke_invocationOrLogTypeOutsideLambdasEnums_validationException() {
    String name = deploy(Handlers.ECHO, "fixture.Echo", 10);
    for (String[] header :
        List.of(
            new String[] {"X-Amz-Invocation-Type", "dry_run"},
            new String[] {"X-Amz-Log-Type", "tail"},
            new String[] {"X-Amz-Log-Type", "All"})) {
      io.restassured.RestAssured.given()
          .contentType("application/json")
          .header(header[0], header[1])
          .body("{}")
          .post("/2015-03-31/functions/" + name + "/invocations")
          .then()
          .statusCode(400)
          .header("X-Amzn-ErrorType", org.hamcrest.Matchers.startsWith("ValidationException"))
          .body("message", org.hamcrest.Matchers.containsString("'" + header[1] + "'"));
    }
  }

  @Test
  void updateFunctionConfiguration_handlerWithSpaceOrDescriptionOver256_validationAndUnchanged() {
    String name = deploy(Handlers.ECHO, "fixture.Echo", 10);
    assertThatThrownBy(
            () ->
                lambda.updateFunctionConfiguration(
                    b -> b.functionName(name).handler("fixture.Echo handleRequest")))
        .isInstanceOfSatisfying(
            software.amazon.awssdk.services.lambda.model.LambdaException.class,
            l -> assertThat(l.awsErrorDetails().errorCode()).isEqualTo("ValidationException"))
        .hasMessageContaining("at 'handler'");
    assertThatThrownBy(
            () ->
                lambda.updateFunctionConfiguration(
                    b -> b.functionName(name).description("d".repeat(257))))
        .isInstanceOfSatisfying(
            software.amazon.awssdk.services.lambda.model.LambdaException.class,
            l -> assertThat(l.awsErrorDetails().errorCode()).isEqualTo("ValidationException"))
        .hasMessageContaining("at 'description'");

    var config = lambda.getFunctionConfiguration(b -> b.functionName(name));
    assertThat(config.handler()).isEqualTo("fixture.Echo");
    assertThat(config.description()).isNotEqualTo("d".repeat(257));
  }

  @Test
  void updateFunctionConfiguration_curlsDefaultFormContentType_readsTheJsonBody() {
    String name = deploy(Handlers.ECHO, "fixture.Echo", 10);
    String body =
        "{\"Description\":\""
            + "d".repeat(200)
            + "\",\"Environment\":{\"Variables\":{\"BIG\":\""
            + "v".repeat(3000)
            + "\"}}}";

    io.restassured.response.Response r =
        io.restassured.RestAssured.given()
            .contentType(CURL_DEFAULT_TYPE)
            .body(body)
            .put("/2015-03-31/functions/" + name + "/configuration");

    assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
    assertThat(
            lambda
                .getFunctionConfiguration(b -> b.functionName(name))
                .environment()
                .variables()
                .get("BIG"))
        .hasSize(3000);
  }

  @Test
  void invoke_curlsDefaultFormContentTypeOverSixMegabytes_requestTooLarge() {
    String name = deploy(Handlers.ECHO, "fixture.Echo", 10);
    String big = "\"" + "x".repeat(6 * 1024 * 1024) + "\"";

    io.restassured.response.Response r =
        io.restassured.RestAssured.given()
            .contentType(CURL_DEFAULT_TYPE)
            .body(big)
            .post("/2015-03-31/functions/" + name + "/invocations");

    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.header("x-amzn-ErrorType")).isEqualTo("RequestEntityTooLargeException");
  }

  /** The function's log lines, through Sluice's log extension. */
  List<String> logLines(String name) throws IOException {
    JsonNode lines =
        JSON.readTree(
                io.restassured.RestAssured.get("/sluice/v1/functions/" + name + "/logs")
                    .asByteArray())
            .get("Lines");
    List<String> out = new ArrayList<>();
    lines.forEach(l -> out.add(l.asText()));
    return out;
  }

  @Test
  void invoke_payloadNotOneJsonValue_invalidRequestContentAndTheFunctionIsNotInvoked()
      throws Exception {
    String name = deploy(Handlers.STREAM, "fixture.Upper", 5);

    // the last two are over the size checked on the event loop, so a worker checks them
    String large = "[" + "1,".repeat(50_000);
    for (String bad :
        List.of("hello", "{\"a\":1} {}", "{\"a\":", "[1,]", "\"x\" y", "  ", large + "]", large)) {
      assertThatThrownBy(() -> invoke(name, bad))
          .as("payload '%.20s'", bad)
          .isInstanceOf(InvalidRequestContentException.class)
          .hasMessageContaining(
              "Could not parse request body into json: Could not parse payload into json: ");
      assertThatThrownBy(
              () ->
                  lambda.invoke(
                      b ->
                          b.functionName(name)
                              .invocationType(InvocationType.EVENT)
                              .payload(SdkBytes.fromUtf8String(bad))))
          .as("Event payload '%.20s'", bad)
          .isInstanceOf(InvalidRequestContentException.class);
    }
    Thread.sleep(500); // an accepted Event would have run, and been retried, by now
    assertThat(logLines(name)).noneMatch(l -> l.contains("START RequestId"));

    assertThat(invoke(name, " \"shout\"\n").payload().asUtf8String()).isEqualTo(" \"SHOUT\"\n");
    String big = "\"" + "a".repeat(100_000) + "\"";
    assertThat(invoke(name, big).payload().asUtf8String()).isEqualTo(big.toUpperCase());
    assertThat(lambda.invoke(b -> b.functionName(name)).functionError())
        .as("an empty payload is allowed")
        .isNull();
  }

  void createWithEnvironment(String name, Map<String, String> variables) {
    lambda.createFunction(
        b ->
            b.functionName(name)
                .runtime(software.amazon.awssdk.services.lambda.model.Runtime.JAVA17)
                .role("arn:aws:iam::000000000000:role/any")
                .handler("fixture.Echo")
                .environment(e -> e.variables(variables))
                .code(
                    c -> c.zipFile(SdkBytes.fromByteArray(HandlerJars.lambdaZip(Handlers.ECHO)))));
    created.add(name);
  }

  @Test
  void createFunction_reservedEnvironmentName_invalidParameterValueAndNoFunction() {
    String name = "fn-" + UUID.randomUUID().toString().substring(0, 8);

    assertThatThrownBy(
            () -> createWithEnvironment(name, Map.of("STAGE", "test", "AWS_REGION", "eu-west-1")))
        .isInstanceOf(InvalidParameterValueException.class)
        .hasMessageContaining(
            "Lambda was unable to configure your environment variables because the environment"
                + " variables you have provided contains reserved keys that are currently not"
                + " supported for modification. Reserved keys used in this request: AWS_REGION");
    assertThatThrownBy(() -> lambda.getFunction(b -> b.functionName(name)))
        .isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void updateFunctionConfiguration_reservedEnvironmentNames_invalidParameterValueAndUnchanged() {
    String name = deploy(Handlers.ECHO, "fixture.Echo", 5);

    assertThatThrownBy(
            () ->
                lambda.updateFunctionConfiguration(
                    b ->
                        b.functionName(name)
                            .timeout(9)
                            .environment(
                                e ->
                                    e.variables(
                                        Map.of(
                                            "LAMBDA_RUNTIME_DIR", "/x", "AWS_ACCESS_KEY", "k")))))
        .isInstanceOf(InvalidParameterValueException.class)
        .hasMessageContaining(
            "Reserved keys used in this request: AWS_ACCESS_KEY, LAMBDA_RUNTIME_DIR");
    GetFunctionConfigurationResponse c = lambda.getFunctionConfiguration(b -> b.functionName(name));
    assertThat(c.timeout()).isEqualTo(5);
    assertThat(c.environment().variables()).isEmpty();
  }

  @Test
  void createFunction_environmentNameNotLambdasPattern_validationException() {
    for (String key : List.of("A", "1ST", "MY-VAR", "_PRIVATE")) {
      String name = "fn-" + UUID.randomUUID().toString().substring(0, 8);
      assertThatThrownBy(() -> createWithEnvironment(name, Map.of(key, "v")))
          .as("key %s", key)
          .isInstanceOf(software.amazon.awssdk.services.lambda.model.LambdaException.class)
          .hasMessageContaining(
              "Map keys must satisfy constraint: [Member must satisfy regular"
                  + " expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]")
          .satisfies(
              e -> {
                var l = (software.amazon.awssdk.services.lambda.model.LambdaException) e;
                assertThat(l.statusCode()).isEqualTo(400);
                assertThat(l.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
              });
    }
    String two = "fn-" + UUID.randomUUID().toString().substring(0, 8);
    createWithEnvironment(two, Map.of("AB", "v"));
    assertThat(lambda.getFunctionConfiguration(b -> b.functionName(two)).environment().variables())
        .containsEntry("AB", "v");
  }

  @Test
  void createFunction_nameNotLambdasPattern_validationException() {
    for (String name : List.of("has space", "x".repeat(65), "semi;colon")) {
      assertThatThrownBy(() -> createWithEnvironment(name, Map.of()))
          .as("name %s", name)
          .isInstanceOf(software.amazon.awssdk.services.lambda.model.LambdaException.class)
          .hasMessageContaining(
              "1 validation error detected: Value '" + name + "' at 'functionName'")
          .satisfies(
              e -> {
                var l = (software.amazon.awssdk.services.lambda.model.LambdaException) e;
                assertThat(l.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
              });
    }
  }

  @Test
  void getFunction_nameNoFunctionCouldHave_validationExceptionNotNotFound() {
    for (String name : List.of("has space", "semi;colon", "x".repeat(171))) {
      assertThatThrownBy(() -> lambda.getFunction(b -> b.functionName(name)))
          .as("name %s", name)
          .isInstanceOf(software.amazon.awssdk.services.lambda.model.LambdaException.class)
          .hasMessageContaining("1 validation error detected: Value '")
          .satisfies(
              e -> {
                var l = (software.amazon.awssdk.services.lambda.model.LambdaException) e;
                assertThat(l.statusCode()).isEqualTo(400);
                assertThat(l.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
              });
    }
    assertThatThrownBy(
            () ->
                lambda.invoke(
                    b -> b.functionName("has space").payload(SdkBytes.fromUtf8String("{}"))))
        .isInstanceOf(software.amazon.awssdk.services.lambda.model.LambdaException.class)
        .extracting(
            e ->
                ((software.amazon.awssdk.awscore.exception.AwsServiceException) e)
                    .awsErrorDetails()
                    .errorCode())
        .isEqualTo("ValidationException");
    assertThatThrownBy(() -> lambda.getFunction(b -> b.functionName("well-formed-but-absent")))
        .isInstanceOf(ResourceNotFoundException.class);
    assertThatThrownBy(
            () ->
                lambda.getFunction(
                    b -> b.functionName("arn:aws:lambda:us-east-1:000000000000:function:absent:1")))
        .isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void createFunction_role_storedAndEchoedAndChangedByUpdate() {
    String name = "fn-" + UUID.randomUUID().toString().substring(0, 8);
    String role = "arn:aws:iam::123456789012:role/service-role/orders-processor";
    CreateFunctionResponse c =
        lambda.createFunction(
            b ->
                b.functionName(name)
                    .runtime(software.amazon.awssdk.services.lambda.model.Runtime.JAVA17)
                    .role(role)
                    .handler("fixture.Echo")
                    .code(
                        x ->
                            x.zipFile(
                                SdkBytes.fromByteArray(HandlerJars.lambdaZip(Handlers.ECHO)))));
    created.add(name);
    assertThat(c.role()).isEqualTo(role);
    assertThat(lambda.getFunction(b -> b.functionName(name)).configuration().role())
        .isEqualTo(role);
    assertThat(lambda.updateFunctionConfiguration(b -> b.functionName(name).timeout(4)).role())
        .as("an update without Role keeps it")
        .isEqualTo(role);

    String next = "arn:aws-us-gov:iam::123456789012:role/next";
    assertThat(lambda.updateFunctionConfiguration(b -> b.functionName(name).role(next)).role())
        .isEqualTo(next);
    assertThat(lambda.getFunctionConfiguration(b -> b.functionName(name)).role()).isEqualTo(next);
  }

  @Test
  void createFunction_withoutRole_reportsSluicesDefaultRole() throws Exception {
    String name = "fn-" + UUID.randomUUID().toString().substring(0, 8);
    String zip = Base64.getEncoder().encodeToString(HandlerJars.lambdaZip(Handlers.ECHO));
    io.restassured.response.Response r =
        io.restassured.RestAssured.given()
            .contentType("application/json")
            .body(
                "{\"FunctionName\":\""
                    + name
                    + "\",\"Runtime\":\"java17\",\"Handler\":\"fixture.Echo\",\"Code\":{\"ZipFile\":\""
                    + zip
                    + "\"}}")
            .post("/2015-03-31/functions");
    created.add(name);
    assertThat(r.statusCode()).as(r.asString()).isEqualTo(201);
    assertThat(JSON.readTree(r.asByteArray()).get("Role").asText())
        .isEqualTo("arn:aws:iam::000000000000:role/sluice");
  }

  @Test
  void createOrUpdateFunction_roleNotAnIamRoleArn_validationExceptionAndNothingChanged() {
    String name = deploy(Handlers.ECHO, "fixture.Echo", 5);
    for (String role :
        List.of("r", "arn:aws:iam::000000000000:user/bob", "arn:aws:iam::0000:role/short")) {
      String other = "fn-" + UUID.randomUUID().toString().substring(0, 8);
      assertThatThrownBy(
              () ->
                  lambda.createFunction(
                      b ->
                          b.functionName(other)
                              .runtime(software.amazon.awssdk.services.lambda.model.Runtime.JAVA17)
                              .role(role)
                              .handler("fixture.Echo")
                              .code(
                                  c ->
                                      c.zipFile(
                                          SdkBytes.fromByteArray(
                                              HandlerJars.lambdaZip(Handlers.ECHO))))))
          .as("role %s", role)
          .isInstanceOf(software.amazon.awssdk.services.lambda.model.LambdaException.class)
          .hasMessageContaining(
              "1 validation error detected: Value '"
                  + role
                  + "' at 'role' failed to satisfy constraint: Member must satisfy regular"
                  + " expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+")
          .extracting(
              e ->
                  ((software.amazon.awssdk.services.lambda.model.LambdaException) e)
                      .awsErrorDetails()
                      .errorCode())
          .isEqualTo("ValidationException");
      assertThatThrownBy(() -> lambda.getFunction(b -> b.functionName(other)))
          .isInstanceOf(ResourceNotFoundException.class);
      assertThatThrownBy(
              () -> lambda.updateFunctionConfiguration(b -> b.functionName(name).role(role)))
          .isInstanceOf(software.amazon.awssdk.services.lambda.model.LambdaException.class)
          .hasMessageContaining("at 'role' failed to satisfy constraint");
    }
    assertThat(lambda.getFunctionConfiguration(b -> b.functionName(name)).role())
        .isEqualTo("arn:aws:iam::000000000000:role/any");
  }

  @Test
  void getFunctionCodeSigningConfig_noConfigForAFunction_resourceNotFoundForNone() {
    String name = deploy(Handlers.ECHO, "fixture.Echo", 5);

    GetFunctionCodeSigningConfigResponse r =
        lambda.getFunctionCodeSigningConfig(b -> b.functionName(name));

    assertThat(r.codeSigningConfigArn()).isEmpty();
    assertThat(r.functionName()).isEqualTo(name);
    assertThatThrownBy(
            () -> lambda.getFunctionCodeSigningConfig(b -> b.functionName("no-such-function")))
        .isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void unknownPathOrMethod_underTheApiPrefixes_lambdasJsonErrorNotHtml() throws Exception {
    String name = deploy(Handlers.ECHO, "fixture.Echo", 5);
    for (String[] call :
        List.of(
            new String[] {"GET", "/2015-03-31/no-such-collection"},
            new String[] {"GET", "/2021-10-31/functions/" + name + "/url"},
            new String[] {"PATCH", "/2015-03-31/functions/" + name},
            new String[] {"GET", "/2015-03-31/functions/" + name + "/invocations"},
            new String[] {"GET", "/sluice/v1/nothing"})) {
      io.restassured.response.Response r =
          io.restassured.RestAssured.given().request(call[0], call[1]);
      assertThat(r.statusCode()).as("%s %s", call[0], call[1]).isEqualTo(404);
      assertThat(r.header("x-amzn-ErrorType")).isEqualTo("UnknownOperationException");
      assertThat(r.contentType()).startsWith("application/json");
      JsonNode body = JSON.readTree(r.asByteArray());
      assertThat(body.get("Type").asText()).isEqualTo("User");
      assertThat(body.get("message").asText()).contains(call[1]);
    }
  }

  @Test
  void errors_inLambdasShape() {
    String name = deploy(Handlers.ECHO, "fixture.Echo", 5);
    assertThatThrownBy(() -> deployNamed(name)).isInstanceOf(ResourceConflictException.class);
    assertThatThrownBy(() -> invoke("no-such-function", "{}"))
        .isInstanceOf(ResourceNotFoundException.class)
        .hasMessageContaining(
            "Function not found: arn:aws:lambda:us-east-1:000000000000:function:no-such-function");
    assertThatThrownBy(
            () ->
                lambda.createFunction(
                    b ->
                        b.functionName("bad-runtime")
                            .runtime("cobol85")
                            .handler("x")
                            .role("arn:aws:iam::000000000000:role/any")
                            .code(
                                c ->
                                    c.zipFile(
                                        SdkBytes.fromByteArray(HandlerJars.jar(Handlers.ECHO))))))
        .satisfies(e -> assertErrorCode(e, "ValidationException"))
        .hasMessageContaining("Value 'cobol85' at 'runtime' failed to satisfy constraint");
    assertThatThrownBy(
            () -> lambda.updateFunctionConfiguration(b -> b.functionName(name).memorySize(64)))
        .satisfies(e -> assertErrorCode(e, "ValidationException"))
        .hasMessageContaining(
            "Value '64' at 'memorySize' failed to satisfy constraint: Member must have value"
                + " greater than or equal to 128");
    assertThatThrownBy(
            () -> lambda.updateFunctionConfiguration(b -> b.functionName(name).timeout(901)))
        .satisfies(e -> assertErrorCode(e, "ValidationException"))
        .hasMessageContaining(
            "Value '901' at 'timeout' failed to satisfy constraint: Member must have value less"
                + " than or equal to 900");
    assertThatThrownBy(() -> createJava("python-fn", "python3.12", HandlerJars.jar(Handlers.ECHO)))
        .as("a runtime Lambda has but Sluice does not run is a bad value, not a model error")
        .isInstanceOf(InvalidParameterValueException.class)
        .hasMessageContaining("python3.12 is not supported by Sluice");
    String big = "\"" + "x".repeat(6 * 1024 * 1024) + "\"";
    assertThatThrownBy(() -> invoke(name, big))
        .satisfies(e -> assertErrorCode(e, "RequestEntityTooLargeException"));
    assertThatThrownBy(
            () ->
                lambda.createFunction(
                    b ->
                        b.functionName("not-a-zip")
                            .runtime(software.amazon.awssdk.services.lambda.model.Runtime.JAVA17)
                            .handler("x")
                            .role("arn:aws:iam::000000000000:role/any")
                            .code(c -> c.zipFile(SdkBytes.fromUtf8String("not a zip")))))
        .isInstanceOf(InvalidParameterValueException.class);
  }

  private static void assertErrorCode(Throwable e, String code) {
    assertThat(e).isInstanceOf(software.amazon.awssdk.services.lambda.model.LambdaException.class);
    var l = (software.amazon.awssdk.services.lambda.model.LambdaException) e;
    assertThat(l.awsErrorDetails().errorCode()).isEqualTo(code);
  }

  /** CreateFunction of {@code zip} as function {@code name} with {@code runtime}. */
  private void createJava(String name, String runtime, byte[] zip) {
    lambda.createFunction(
        b ->
            b.functionName(name)
                .runtime(runtime)
                .handler("fixture.Echo")
                .role("arn:aws:iam::000000000000:role/any")
                .code(c -> c.zipFile(SdkBytes.fromByteArray(zip))));
    created.add(name);
  }

  @Test
  void createFunction_zipInflatingPast250Mb_invalidParameterValueAndNothingKept() throws Exception {
    // 300 MB of zeros deflate to about 300 KB: a zip bomb for a disk, far under the 50 MB upload
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(out)) {
      zip.putNextEntry(new java.util.zip.ZipEntry("lib/zeros.bin"));
      byte[] mb = new byte[1024 * 1024];
      for (int i = 0; i < 300; i++) {
        zip.write(mb);
      }
      zip.closeEntry();
    }
    String name = "bomb-" + UUID.randomUUID().toString().substring(0, 8);

    assertThatThrownBy(() -> createJava(name, "java17", out.toByteArray()))
        .isInstanceOf(InvalidParameterValueException.class)
        .hasMessageContaining("Unzipped size must be smaller than 262144000 bytes");
    assertThatThrownBy(() -> lambda.getFunction(b -> b.functionName(name)))
        .isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void createFunction_zipEntryNameNoPathCanHold_invalidParameterValueNotAServiceError()
      throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(out)) {
      zip.putNextEntry(new java.util.zip.ZipEntry("lib/a\u0000b.class"));
      zip.write(1);
      zip.closeEntry();
    }
    String name = "nul-" + UUID.randomUUID().toString().substring(0, 8);

    assertThatThrownBy(() -> createJava(name, "java17", out.toByteArray()))
        .isInstanceOf(InvalidParameterValueException.class)
        .hasMessageContaining("Could not unpack the deployment package");
    assertThatThrownBy(() -> lambda.getFunction(b -> b.functionName(name)))
        .isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void createFunction_bodyOverLambdasUploadLimit_requestEntityTooLargeNamingTheOperation()
      throws IOException {
    // only the head is sent: the server answers from Content-Length, before any of the 70 MB
    String answer =
        rawStart(
            "POST /2015-03-31/functions HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: 70167212\r\n\r\n");

    assertThat(answer)
        .startsWith("HTTP/1.1 413")
        .containsIgnoringCase("x-amzn-ErrorType: RequestEntityTooLargeException")
        .contains(
            "\"message\":\"Request must be smaller than 70167211 bytes for the CreateFunction"
                + " operation\"");
  }

  @Test
  void createFunction_environmentOverFourKilobytesAsJson_invalidParameterValue() {
    // 4,087 characters of names and values, 4,100 bytes as Lambda measures it: {"BLOB":"x...",...}
    Map<String, String> env = Map.of("BLOB", "x".repeat(4080), "OK", "y");
    String name = "env-" + UUID.randomUUID().toString().substring(0, 8);

    assertThatThrownBy(() -> createWithEnvironment(name, env))
        .isInstanceOf(InvalidParameterValueException.class)
        .hasMessageContaining("exceeded the 4KB limit. String measured: {\"");
  }

  @Test
  void invalidRequests_modelCheckedBeforeLookupConflictOrRevision() {
    String name = deploy(Handlers.ECHO, "fixture.Echo", 5);
    assertThatThrownBy(
            () ->
                lambda.updateFunctionConfiguration(
                    b -> b.functionName(name).memorySize(64).revisionId("stale")))
        .as("a bad value with a stale RevisionId")
        .satisfies(e -> assertErrorCode(e, "ValidationException"));
    assertThatThrownBy(
            () -> lambda.updateFunctionConfiguration(b -> b.functionName("gone-fn").timeout(0)))
        .as("a bad value for a missing function")
        .satisfies(e -> assertErrorCode(e, "ValidationException"));
    assertThatThrownBy(
            () ->
                lambda.putFunctionConcurrency(
                    b -> b.functionName("gone-fn").reservedConcurrentExecutions(-1)))
        .satisfies(e -> assertErrorCode(e, "ValidationException"));
    String big = "\"" + "x".repeat(6 * 1024 * 1024) + "\"";
    assertThatThrownBy(() -> invoke("gone-fn", big))
        .as("a payload over 6 MB to a missing function")
        .satisfies(e -> assertErrorCode(e, "RequestEntityTooLargeException"));
    assertThatThrownBy(() -> lambda.listEventSourceMappings(b -> b.maxItems(0)))
        .satisfies(e -> assertErrorCode(e, "ValidationException"));
  }

  private void deployNamed(String name) {
    lambda.createFunction(
        b ->
            b.functionName(name)
                .runtime(software.amazon.awssdk.services.lambda.model.Runtime.JAVA17)
                .handler("fixture.Echo")
                .role("arn:aws:iam::000000000000:role/any")
                .code(c -> c.zipFile(SdkBytes.fromByteArray(HandlerJars.jar(Handlers.ECHO)))));
  }

  @Test
  void createFunction_localPathExtension_deploysTheJarInPlace() throws Exception {
    String name = "local-" + UUID.randomUUID().toString().substring(0, 8);
    String jar =
        java.nio.file.Path.of("..", "examples", "hello-kinesis", "target", "hello-kinesis.jar")
            .toAbsolutePath()
            .normalize()
            .toString();
    lambda.createFunction(
        b ->
            b.functionName(name)
                .runtime(software.amazon.awssdk.services.lambda.model.Runtime.JAVA17)
                .role("arn:aws:iam::000000000000:role/any")
                .handler("dev.sluice.examples.hello.EchoHandler")
                .code(c -> c.s3Bucket("sluice-local").s3Key(jar)));
    created.add(name);
    assertThat(json(invoke(name, "{\"a\":1}")).get("handledBy").asText()).isEqualTo(name);
    assertThatThrownBy(
            () ->
                lambda.updateFunctionCode(
                    b -> b.functionName(name).s3Bucket("some-real-bucket").s3Key("f.jar")))
        .isInstanceOf(InvalidParameterValueException.class)
        .hasMessageContaining("sluice-local");
  }

  @Test
  void createFunction_zipFileOfSixteenMegabytes_deploysAndRuns() throws Exception {
    // over 20 M characters of base64: Jackson's default limit for one string
    byte[] blob = new byte[16 << 20];
    new java.util.Random(3).nextBytes(blob);
    java.io.ByteArrayOutputStream zip = new java.io.ByteArrayOutputStream();
    try (var in =
            new java.util.zip.ZipInputStream(
                new java.io.ByteArrayInputStream(HandlerJars.jar(Handlers.ECHO)));
        var out = new java.util.zip.ZipOutputStream(zip)) {
      for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
        in.transferTo(out);
      }
      out.putNextEntry(new java.util.zip.ZipEntry("blob.bin"));
      out.write(blob);
    }

    String name = deployZip(zip.toByteArray(), "fixture.Echo", 10, Map.of());

    assertThat(lambda.getFunction(b -> b.functionName(name)).configuration().codeSize())
        .isEqualTo(zip.size());
    assertThat(json(invoke(name, "{\"a\":1}")).get("a").asInt()).isEqualTo(1);
  }

  @Test
  void createFunction_localPathThatIsNoPath_invalidParameter() {
    assertThatThrownBy(
            () ->
                lambda.createFunction(
                    b ->
                        b.functionName("nopath-" + UUID.randomUUID().toString().substring(0, 8))
                            .runtime(software.amazon.awssdk.services.lambda.model.Runtime.JAVA17)
                            .handler("fixture.Echo")
                            .role("arn:aws:iam::000000000000:role/any")
                            .code(c -> c.s3Bucket("sluice-local").s3Key("/tmp/a\u0000b.jar"))))
        .isInstanceOf(InvalidParameterValueException.class)
        .hasMessageContaining("S3Key");
  }

  @Test
  void qualifiedRequests_forAVersionSluiceLacks_resourceNotFoundAndNothingDeleted() {
    String name = deploy(Handlers.ECHO, "fixture.Echo", 5);

    assertThatThrownBy(() -> lambda.deleteFunction(b -> b.functionName(name).qualifier("3")))
        .isInstanceOf(ResourceNotFoundException.class)
        .hasMessageContaining("function:" + name + ":3");
    assertThatThrownBy(() -> lambda.deleteFunction(b -> b.functionName(name + ":prod")))
        .isInstanceOf(ResourceNotFoundException.class);
    assertThatThrownBy(() -> lambda.deleteFunction(b -> b.functionName(name).qualifier("$LATEST")))
        .isInstanceOf(InvalidParameterValueException.class);
    assertThatThrownBy(
            () ->
                lambda.invoke(
                    b ->
                        b.functionName(name)
                            .qualifier("prod")
                            .payload(SdkBytes.fromUtf8String("{}"))))
        .isInstanceOf(ResourceNotFoundException.class);
    assertThatThrownBy(() -> lambda.getFunction(b -> b.functionName(name).qualifier("7")))
        .isInstanceOf(ResourceNotFoundException.class);

    assertThat(
            lambda
                .getFunction(b -> b.functionName(name).qualifier("$LATEST"))
                .configuration()
                .functionName())
        .isEqualTo(name);
    assertThat(invoke(name, "{}").functionError()).as("the function is still there").isNull();
  }

  @Test
  void deleteFunction_thenInvoke_resourceNotFound() {
    String name = deploy(Handlers.ECHO, "fixture.Echo", 5);
    lambda.deleteFunction(b -> b.functionName(name));
    assertThatThrownBy(() -> invoke(name, "{}")).isInstanceOf(ResourceNotFoundException.class);
    assertThatThrownBy(() -> lambda.getFunction(b -> b.functionName(name)))
        .isInstanceOf(ResourceNotFoundException.class);
  }
}
