package dev.sluice.mapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.stream.HashKeys;
import dev.sluice.testing.AwsClients;
import dev.sluice.testing.FreshDataDir;
import dev.sluice.testing.HandlerJars;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.CreateEventSourceMappingRequest;
import software.amazon.awssdk.services.lambda.model.CreateEventSourceMappingResponse;
import software.amazon.awssdk.services.lambda.model.EventSourcePosition;
import software.amazon.awssdk.services.lambda.model.FunctionResponseType;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.LambdaException;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/**
 * Streams feeding functions through event-source mappings, driven only through the real AWS SDK v2
 * Kinesis and Lambda clients, with a real handler jar.
 */
@QuarkusTest
@QuarkusTestResource(FreshDataDir.class)
class MappingEndToEndTest {

  static final Path OUT = Path.of(System.getProperty("java.io.tmpdir"), "sluice-mapper-test");

  @TestHTTPResource("/")
  String root;

  KinesisClient kinesis;
  LambdaClient lambda;
  final List<String> mappings = new ArrayList<>();

  @BeforeEach
  void clients() {
    kinesis = AwsClients.kinesis(root);
    lambda = AwsClients.lambda(root);
  }

  @AfterEach
  void cleanUp() {
    mappings.forEach(uuid -> lambda.deleteEventSourceMapping(b -> b.uuid(uuid)));
    kinesis.close();
    lambda.close();
  }

  String stream(int shards) throws InterruptedException {
    String name = "m-" + UUID.randomUUID().toString().substring(0, 8);
    kinesis.createStream(b -> b.streamName(name).shardCount(shards));
    for (int i = 0; i < 200; i++) {
      if (kinesis
          .describeStreamSummary(b -> b.streamName(name))
          .streamDescriptionSummary()
          .streamStatusAsString()
          .equals("ACTIVE")) {
        return name;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("stream not ACTIVE");
  }

  String function() {
    return function("fixture.Recorder", RecordingHandler.SOURCES);
  }

  String function(String handler, Map<String, String> sources) {
    return function(handler, HandlerJars.lambdaZip(sources));
  }

  /** Deploys {@code zip}, compiled already, as a new function; returns its name. */
  String function(String handler, byte[] zip) {
    String name = "rec-" + UUID.randomUUID().toString().substring(0, 8);
    lambda.createFunction(
        b ->
            b.functionName(name)
                .runtime("java17")
                .role("arn:aws:iam::000000000000:role/r")
                .handler(handler)
                .timeout(10)
                .code(c -> c.zipFile(SdkBytes.fromByteArray(zip))));
    return name;
  }

  String arn(String stream) {
    return "arn:aws:kinesis:us-east-1:000000000000:stream/" + stream;
  }

  String map(
      String function, String stream, Consumer<CreateEventSourceMappingRequest.Builder> more) {
    CreateEventSourceMappingResponse r =
        lambda.createEventSourceMapping(
            b -> {
              b.functionName(function)
                  .eventSourceArn(arn(stream))
                  .startingPosition(EventSourcePosition.TRIM_HORIZON)
                  .batchSize(10);
              more.accept(b);
            });
    mappings.add(r.uuid());
    return r.uuid();
  }

  void put(String stream, String key, String data) {
    kinesis.putRecord(
        b -> b.streamName(stream).partitionKey(key).data(SdkBytes.fromUtf8String(data)));
  }

  /** The mapping's status, as the Sluice API shows it. */
  io.restassured.path.json.JsonPath status(String uuid) {
    return RestAssured.given()
        .get("/sluice/v1/event-source-mappings/" + uuid)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  /** The lines the function recorded, waiting until there are at least {@code n}. */
  List<String> received(String function, int n) throws Exception {
    Path log = OUT.resolve(function + ".log");
    List<String> lines = List.of();
    for (int i = 0; i < 1500; i++) {
      lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
      if (lines.size() >= n) {
        return lines;
      }
      Thread.sleep(10);
    }
    return lines;
  }

  @Test
  void mapping_trimHorizon_deliversEveryRecordOnceInPerKeyOrder() throws Exception {
    String stream = stream(2);
    String fn = function();
    for (int i = 0; i < 30; i++) {
      put(stream, "order-" + (i % 5), "event-" + i);
    }
    map(fn, stream, b -> b.parallelizationFactor(3));
    for (int i = 30; i < 60; i++) {
      put(stream, "order-" + (i % 5), "event-" + i);
    }
    List<String> lines = received(fn, 60);
    assertThat(lines).hasSize(60);
    Map<String, Integer> last = new HashMap<>();
    for (String l : lines) {
      String[] p = l.split("\\|");
      int n = Integer.parseInt(p[1].substring("event-".length()));
      Integer prev = last.put(p[0], n);
      assertThat(prev == null || prev < n).as("order of %s", p[0]).isTrue();
    }
  }

  @Test
  void mapping_parallelizationTenWithHundredKeys_keepsPerKeyOrder() throws Exception {
    String stream = stream(2);
    String fn = function();
    map(fn, stream, b -> b.parallelizationFactor(10).batchSize(7));
    List<PutRecordsRequestEntry> entries = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      entries.add(
          PutRecordsRequestEntry.builder()
              .partitionKey("order-" + (i % 100))
              .data(SdkBytes.fromUtf8String("event-" + i))
              .build());
      if (entries.size() == 100) {
        kinesis.putRecords(b -> b.streamName(stream).records(entries));
        entries.clear();
      }
    }
    List<String> lines = received(fn, 400);
    assertThat(lines).hasSize(400);
    Map<String, Integer> last = new HashMap<>();
    for (String l : lines) {
      String[] p = l.split("\\|");
      int n = Integer.parseInt(p[1].substring("event-".length()));
      Integer prev = last.put(p[0], n);
      assertThat(prev == null || prev < n).as("order of %s", p[0]).isTrue();
    }
  }

  @Test
  void mapping_filterWithBatchingWindow_deliversOnlyMatchingRecordsInFewBatches() throws Exception {
    String stream = stream(1);
    String fn = function();
    map(
        fn,
        stream,
        b ->
            b.maximumBatchingWindowInSeconds(1)
                .batchSize(100)
                .filterCriteria(
                    f -> f.filters(x -> x.pattern("{\"data\":{\"type\":[\"OrderPlaced\"]}}"))));
    for (int i = 0; i < 10; i++) {
      String type = i % 2 == 0 ? "OrderPlaced" : "OrderShipped";
      put(stream, "o-" + i, "{\"type\":\"" + type + "\",\"orderId\":\"o-" + i + "\"}");
    }
    put(stream, "raw", "not json");
    List<String> lines = received(fn, 5);
    Thread.sleep(300);
    lines = received(fn, 5);
    assertThat(lines).hasSize(5).allMatch(l -> l.contains("OrderPlaced"));
  }

  @Test
  void mapping_filter_recordsItDropsTakeNoRoomInABatch() throws Exception {
    String stream = stream(1);
    String fn = function();
    List<PutRecordsRequestEntry> entries = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      String data = i == 0 || i == 9 ? "{\"keep\":true}" : "{\"keep\":false}";
      entries.add(
          PutRecordsRequestEntry.builder()
              .partitionKey("k")
              .data(SdkBytes.fromUtf8String(data))
              .build());
    }
    kinesis.putRecords(b -> b.streamName(stream).records(entries));
    String uuid =
        map(
            fn,
            stream,
            b ->
                b.batchSize(2)
                    .maximumBatchingWindowInSeconds(5) // a full batch goes at once
                    .filterCriteria(
                        f -> f.filters(x -> x.pattern("{\"data\":{\"keep\":[true]}}"))));

    assertThat(received(fn, 2)).hasSize(2);
    // counted once the calls that delivered them are: the handler writes its lines before that
    for (int i = 0; i < 500 && status(uuid).getLong("RecordsProcessed") < 2; i++) {
      Thread.sleep(10);
    }
    assertThat(status(uuid).getLong("RecordsProcessed")).isEqualTo(2);
    assertThat(status(uuid).getInt("Invocations"))
        .as("the two kept records fill one batch of 2")
        .isEqualTo(1);
  }

  @Test
  void mapping_disableThenEnable_resumesWhereItStopped() throws Exception {
    String stream = stream(1);
    String fn = function();
    String uuid = map(fn, stream, b -> {});
    put(stream, "k", "first");
    assertThat(received(fn, 1)).hasSize(1);
    lambda.updateEventSourceMapping(b -> b.uuid(uuid).enabled(false));
    put(stream, "k", "while-disabled");
    Thread.sleep(300);
    assertThat(received(fn, 1)).hasSize(1);
    lambda.updateEventSourceMapping(b -> b.uuid(uuid).enabled(true));
    assertThat(received(fn, 2))
        .extracting(l -> l.split("\\|")[1])
        .containsExactly("first", "while-disabled");
  }

  @Test
  void mapping_latest_skipsWhatWasThereBefore() throws Exception {
    String stream = stream(1);
    String fn = function();
    put(stream, "k", "old");
    map(fn, stream, b -> b.startingPosition(EventSourcePosition.LATEST));
    Thread.sleep(300);
    put(stream, "k", "new");
    assertThat(received(fn, 1)).extracting(l -> l.split("\\|")[1]).containsExactly("new");
  }

  @Test
  void mappings_twoOnOneStream_eachSeesEveryRecord() throws Exception {
    String stream = stream(1);
    String a = function();
    String b = function();
    map(a, stream, x -> {});
    map(b, stream, x -> {});
    for (int i = 0; i < 10; i++) {
      put(stream, "k" + i, "e" + i);
    }
    assertThat(received(a, 10)).hasSize(10);
    assertThat(received(b, 10)).hasSize(10);
  }

  @Test
  void listMappings_maxItemsOverAHundred_pagesOfAtMostAHundredAsLambda() throws Exception {
    String stream = stream(1);
    byte[] zip = HandlerJars.lambdaZip(RecordingHandler.SOURCES); // compiled once for all
    java.util.Set<String> made = new java.util.HashSet<>();
    List<String> functions = new ArrayList<>();
    try {
      listPages(stream, zip, made, functions);
    } finally {
      mappings.forEach(uuid -> lambda.deleteEventSourceMapping(b -> b.uuid(uuid)));
      mappings.clear();
      functions.forEach(fn -> lambda.deleteFunction(b -> b.functionName(fn)));
    }
  }

  private void listPages(
      String stream, byte[] zip, java.util.Set<String> made, List<String> functions) {
    for (int i = 0; i < 101; i++) {
      String fn = function("fixture.Recorder", zip);
      functions.add(fn);
      made.add(map(fn, stream, b -> b.enabled(false)));
    }

    var first = lambda.listEventSourceMappings(b -> b.eventSourceArn(arn(stream)).maxItems(1000));
    assertThat(first.eventSourceMappings()).hasSize(100);
    assertThat(first.nextMarker()).isNotNull();
    var second =
        lambda.listEventSourceMappings(
            b -> b.eventSourceArn(arn(stream)).marker(first.nextMarker()).maxItems(1000));
    assertThat(second.eventSourceMappings()).hasSize(1);
    assertThat(second.nextMarker()).isNull();
    assertThat(lambda.listEventSourceMappingsPaginator(b -> b.eventSourceArn(arn(stream))))
        .flatExtracting(r -> r.eventSourceMappings())
        .extracting(m -> m.uuid())
        .containsExactlyInAnyOrderElementsOf(made);
  }

  @Test
  void createMapping_sameStreamAndFunctionAgain_conflictNamingTheExistingMapping()
      throws Exception {
    String stream = stream(1);
    String fn = function();
    String first = map(fn, stream, x -> {});
    assertThatThrownBy(() -> map(fn, stream, b -> b.batchSize(5)))
        .isInstanceOf(ResourceConflictException.class)
        .hasMessageContaining("already exists")
        .hasMessageContaining(first);
    assertThat(lambda.listEventSourceMappings(b -> b.functionName(fn)).eventSourceMappings())
        .extracting(m -> m.uuid())
        .containsExactly(first);
  }

  @Test
  void createMapping_timestampWithTrimHorizonOrNoArnToList_invalidParameterValue()
      throws Exception {
    String stream = stream(1);
    String fn = function();

    assertThatThrownBy(
            () -> map(fn, stream, b -> b.startingPositionTimestamp(java.time.Instant.EPOCH)))
        .isInstanceOf(InvalidParameterValueException.class)
        .hasMessageContaining("only allowed with StartingPosition AT_TIMESTAMP");
    assertThatThrownBy(() -> lambda.listEventSourceMappings(b -> b.eventSourceArn("orders-stream")))
        .isInstanceOf(InvalidParameterValueException.class);
  }

  @Test
  void createMapping_aliasOrVersionSluiceLacks_resourceNotFoundNotLatest() throws Exception {
    String stream = stream(1);
    String fn = function();

    assertThatThrownBy(() -> map(fn + ":live", stream, x -> {}))
        .isInstanceOf(ResourceNotFoundException.class)
        .hasMessageContaining(fn + ":live");
    String latest = map(fn + ":$LATEST", stream, x -> {});
    assertThat(lambda.getEventSourceMapping(b -> b.uuid(latest)).functionArn()).endsWith(fn);
  }

  @Test
  void createMapping_functionThatDoesNotExist_invalidParameterValueAsLambda() throws Exception {
    String stream = stream(1);

    assertThatThrownBy(() -> map("no-such-function", stream, x -> {}))
        .isInstanceOf(InvalidParameterValueException.class)
        .hasMessageContaining("Function does not exist");
  }

  @Test
  void updateMapping_itsFunctionDeleted_canStillBeDisabled() throws Exception {
    String stream = stream(1);
    String fn = function();
    String uuid = map(fn, stream, x -> {});
    lambda.deleteFunction(b -> b.functionName(fn));

    // only a function named in the update is looked up: the mapping is not stuck
    assertThat(lambda.updateEventSourceMapping(b -> b.uuid(uuid).enabled(false)).state())
        .isEqualTo("Disabling");
    assertThatThrownBy(
            () ->
                lambda.updateEventSourceMapping(b -> b.uuid(uuid).functionName("no-such-function")))
        .isInstanceOf(InvalidParameterValueException.class);
  }

  @Test
  void listMappings_filteredByAnAlias_anEmptyPageNotAnError() throws Exception {
    String stream = stream(1);
    String fn = function();
    map(fn, stream, x -> {});

    assertThat(
            lambda.listEventSourceMappings(b -> b.functionName(fn + ":live")).eventSourceMappings())
        .isEmpty();
    assertThat(
            lambda
                .listEventSourceMappings(b -> b.functionName(fn + ":$LATEST"))
                .eventSourceMappings())
        .hasSize(1);
  }

  @Test
  void createMapping_onSuccessDestination_invalidParameterValueAsLambda() throws Exception {
    String stream = stream(1);
    String fn = function();

    assertThatThrownBy(
            () ->
                map(
                    fn,
                    stream,
                    b ->
                        b.destinationConfig(
                            d -> d.onSuccess(o -> o.destination("file:///tmp/successes")))))
        .isInstanceOf(InvalidParameterValueException.class)
        .hasMessageContaining("Unsupported DestinationConfig parameter");
  }

  @Test
  void updateMapping_ontoAFunctionTheStreamFeedsAlready_conflictAndUnchanged() throws Exception {
    String stream = stream(1);
    String fn = function();
    String other = function();
    String first = map(fn, stream, x -> {});
    String second = map(other, stream, x -> {});

    assertThatThrownBy(() -> lambda.updateEventSourceMapping(b -> b.uuid(second).functionName(fn)))
        .isInstanceOf(ResourceConflictException.class)
        .hasMessageContaining(first);
    assertThat(lambda.getEventSourceMapping(b -> b.uuid(second)).functionArn()).endsWith(other);
  }

  @Test
  void mapping_poisonRecord_bisectedRetriedThenSentToOnFailureWithItsData() throws Exception {
    String stream = stream(1);
    String fn = function();
    Path failures = Files.createTempDirectory("sluice-failures");
    put(stream, "k", "ok-1");
    put(stream, "k", "poison-1");
    put(stream, "k", "ok-2");
    map(
        fn,
        stream,
        b ->
            b.bisectBatchOnFunctionError(true)
                .maximumRetryAttempts(1)
                .destinationConfig(
                    d -> d.onFailure(f -> f.destination(failures.toUri().toString()))));
    List<String> lines = received(fn, 2);
    assertThat(lines).extracting(l -> l.split("\\|")[1]).containsExactly("ok-1", "ok-2");
    Path record = awaitFile(failures);
    JsonNode failure = new ObjectMapper().readTree(record.toFile());
    assertThat(failure.at("/requestContext/condition").asText())
        .isEqualTo("RetryAttemptsExhausted");
    assertThat(failure.at("/requestContext/approximateInvokeCount").asInt()).isEqualTo(2);
    assertThat(failure.at("/KinesisBatchInfo/batchSize").asInt()).isEqualTo(1);
    assertThat(failure.at("/error/errorMessage").asText())
        .startsWith("poison record")
        .endsWith(" in request " + failure.at("/requestContext/requestId").asText());
    assertThat(
            new String(
                java.util.Base64.getDecoder()
                    .decode(failure.at("/records/0/kinesis/data").asText())))
        .isEqualTo("poison-1");
  }

  @Test
  void mapping_bisectWithPartialFailures_deliversAllButThePoisonRecord() throws Exception {
    String stream = stream(1);
    String fn = function();
    Path failures = Files.createTempDirectory("sluice-bisect-partial");
    for (String d : List.of("a", "flaky-b", "poison-c", "d")) {
      put(stream, "k", d);
    }
    map(
        fn,
        stream,
        b ->
            b.bisectBatchOnFunctionError(true)
                .maximumRetryAttempts(1)
                .functionResponseTypes(FunctionResponseType.REPORT_BATCH_ITEM_FAILURES)
                .destinationConfig(
                    d -> d.onFailure(f -> f.destination(failures.toUri().toString()))));
    JsonNode failure = new ObjectMapper().readTree(awaitFile(failures).toFile());
    assertThat(failure.at("/KinesisBatchInfo/batchSize").asInt()).isEqualTo(1);
    List<String> lines = received(fn, 3);
    assertThat(lines).extracting(l -> l.split("\\|")[1]).containsExactly("a", "flaky-b", "d");
  }

  @Test
  void mapping_partialFailuresExhausted_sendTheRestOfTheBatchToOnFailure() throws Exception {
    String stream = stream(1);
    String fn = function();
    Path failures = Files.createTempDirectory("sluice-partial-onfailure");
    for (String d : List.of("a", "reject-b", "c")) {
      put(stream, "k", d);
    }
    map(
        fn,
        stream,
        b ->
            b.maximumRetryAttempts(1)
                .functionResponseTypes(FunctionResponseType.REPORT_BATCH_ITEM_FAILURES)
                .destinationConfig(
                    d -> d.onFailure(f -> f.destination(failures.toUri().toString()))));
    JsonNode failure = new ObjectMapper().readTree(awaitFile(failures).toFile());
    assertThat(failure.at("/KinesisBatchInfo/batchSize").asInt()).isEqualTo(2);
    assertThat(failure.at("/requestContext/condition").asText())
        .isEqualTo("RetryAttemptsExhausted");
    assertThat(failure.at("/requestContext/approximateInvokeCount").asInt())
        .as("the first call and one retry")
        .isEqualTo(2);
    assertThat(received(fn, 1)).extracting(l -> l.split("\\|")[1]).containsExactly("a");
  }

  @Test
  void mapping_onFailureStreamCreatedLater_failureRecordArrivesAndTheShardMovesOn()
      throws Exception {
    String stream = stream(1);
    String fn = function();
    String dlq = "dlq-" + UUID.randomUUID().toString().substring(0, 8);
    put(stream, "k", "poison-1");
    String uuid =
        map(
            fn,
            stream,
            b ->
                b.maximumRetryAttempts(0)
                    .destinationConfig(d -> d.onFailure(f -> f.destination(arn(dlq)))));
    for (int i = 0; i < 500 && !failedOnce(uuid); i++) {
      Thread.sleep(10);
    }
    assertThat(failedOnce(uuid)).as("the batch failed, so its send to the missing stream").isTrue();
    kinesis.createStream(b -> b.streamName(dlq).shardCount(1));
    put(stream, "k", "ok-2");
    assertThat(received(fn, 1)).extracting(l -> l.split("\\|")[1]).containsExactly("ok-2");
    List<software.amazon.awssdk.services.kinesis.model.Record> sent = readAll(dlq, 1);
    assertThat(sent).hasSize(1);
    JsonNode failure = new ObjectMapper().readTree(sent.get(0).data().asByteArray());
    assertThat(failure.at("/KinesisBatchInfo/batchSize").asInt()).isEqualTo(1);
  }

  private boolean failedOnce(String uuid) {
    return lambda
        .getEventSourceMapping(b -> b.uuid(uuid))
        .lastProcessingResult()
        .startsWith("PROBLEM");
  }

  /** The records of {@code stream}'s first shard, waiting until there are at least {@code n}. */
  private List<software.amazon.awssdk.services.kinesis.model.Record> readAll(String stream, int n)
      throws InterruptedException {
    String it =
        kinesis
            .getShardIterator(
                b ->
                    b.streamName(stream)
                        .shardId("shardId-000000000000")
                        .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
            .shardIterator();
    List<software.amazon.awssdk.services.kinesis.model.Record> out = new ArrayList<>();
    for (int i = 0; i < 500 && out.size() < n; i++) {
      String from = it;
      GetRecordsResponse r = kinesis.getRecords(b -> b.shardIterator(from));
      out.addAll(r.records());
      it = r.nextShardIterator();
      Thread.sleep(10);
    }
    return out;
  }

  @Test
  void mapping_reportBatchItemFailures_retriesFromTheLowestFailedRecord() throws Exception {
    String stream = stream(1);
    String fn = function();
    for (String d : List.of("a", "b", "flaky-c", "d", "e")) {
      put(stream, "k", d);
    }
    map(fn, stream, b -> b.functionResponseTypes(FunctionResponseType.REPORT_BATCH_ITEM_FAILURES));
    List<String> lines = received(fn, 5);
    assertThat(lines)
        .extracting(l -> l.split("\\|")[1])
        .containsExactly("a", "b", "flaky-c", "d", "e");
  }

  @Test
  void mapping_splitWhileRunning_childrenAfterParentsAndNothingLost() throws Exception {
    String stream = stream(1);
    String fn = function();
    map(fn, stream, b -> {});
    for (int i = 0; i < 20; i++) {
      put(stream, "k" + i, "before-" + i);
    }
    kinesis.splitShard(
        b ->
            b.streamName(stream)
                .shardToSplit("shardId-000000000000")
                .newStartingHashKey(HashKeys.MAX.shiftRight(1).toString()));
    Thread.sleep(200);
    for (int i = 0; i < 20; i++) {
      put(stream, "k" + i, "after-" + i);
    }
    List<String> lines = received(fn, 40);
    assertThat(lines).hasSize(40);
    for (int i = 0; i < 20; i++) {
      int before = indexOf(lines, "before-" + i);
      int after = indexOf(lines, "after-" + i);
      assertThat(before).as("parent record of k%d first", i).isLessThan(after);
    }
  }

  private static int indexOf(List<String> lines, String data) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).split("\\|")[1].equals(data)) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void rewind_toTrimHorizon_deliversEverythingAgain() throws Exception {
    String stream = stream(1);
    String fn = function();
    String uuid = map(fn, stream, b -> {});
    for (int i = 0; i < 5; i++) {
      put(stream, "k", "r" + i);
    }
    assertThat(received(fn, 5)).hasSize(5);
    RestAssured.given()
        .contentType("application/json")
        .body("{\"To\":\"TRIM_HORIZON\"}".getBytes())
        .post("/sluice/v1/event-source-mappings/" + uuid + "/rewind")
        .then()
        .statusCode(200);
    assertThat(received(fn, 10)).hasSize(10);
  }

  @Test
  void rewind_toATimestamp_deliversAgainOnlyWhatArrivedFromThen() throws Exception {
    String stream = stream(1);
    String fn = function();
    String uuid = map(fn, stream, b -> {});
    for (int i = 0; i < 3; i++) {
      put(stream, "k", "before" + i);
    }
    assertThat(received(fn, 3)).hasSize(3);
    Thread.sleep(50); // arrival stamps are milliseconds: the cut falls between the two groups
    double cut = System.currentTimeMillis() / 1000.0;
    Thread.sleep(50);
    put(stream, "k", "after0");
    put(stream, "k", "after1");
    assertThat(received(fn, 5)).hasSize(5);

    RestAssured.given()
        .contentType("application/json")
        .body(("{\"Timestamp\":" + cut + "}").getBytes())
        .post("/sluice/v1/event-source-mappings/" + uuid + "/rewind")
        .then()
        .statusCode(200);

    List<String> all = received(fn, 7);
    assertThat(all.subList(5, all.size()))
        .allSatisfy(l -> assertThat(l).contains("after"))
        .hasSize(2);
  }

  @Test
  void createMapping_valuesOutsideTheModel_validationExceptionNamingTheMember() throws Exception {
    String stream = stream(1);
    String fn = function();
    Map<Consumer<CreateEventSourceMappingRequest.Builder>, String> cases =
        Map.of(
            b -> b.batchSize(0),
            "Value '0' at 'batchSize' failed to satisfy constraint: Member must have value greater"
                + " than or equal to 1",
            b -> b.parallelizationFactor(11),
            "at 'parallelizationFactor' failed to satisfy constraint: Member must have value less"
                + " than or equal to 10",
            b -> b.maximumBatchingWindowInSeconds(301),
            "at 'maximumBatchingWindowInSeconds'",
            b -> b.maximumRetryAttempts(-2),
            "Value '-2' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have"
                + " value greater than or equal to -1",
            b -> b.maximumRecordAgeInSeconds(604_801),
            "at 'maximumRecordAgeInSeconds'");
    cases.forEach(
        (settings, message) ->
            assertThatThrownBy(() -> map(fn, stream, settings))
                .as(message)
                .isInstanceOf(LambdaException.class)
                .hasMessageContaining("1 validation error detected: ")
                .hasMessageContaining(message)
                .satisfies(
                    e ->
                        assertThat(((LambdaException) e).awsErrorDetails().errorCode())
                            .isEqualTo("ValidationException")));
  }

  @Test
  void createMapping_recordAgeInTheModelBelowTheMinimum_invalidParameterValue() throws Exception {
    String stream = stream(1);
    String fn = function();
    assertThatThrownBy(() -> map(fn, stream, b -> b.maximumRecordAgeInSeconds(10)))
        .isInstanceOf(InvalidParameterValueException.class)
        .hasMessageContaining(
            "MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800");
  }

  @Test
  void updateMapping_listsAndFiltersOfTheWrongJsonType_refusedAndTheMappingUnchanged()
      throws Exception {
    String stream = stream(1);
    String fn = function();
    String uuid =
        map(
            fn,
            stream,
            b ->
                b.functionResponseTypes(FunctionResponseType.REPORT_BATCH_ITEM_FAILURES)
                    .filterCriteria(f -> f.filters(x -> x.pattern("{\"partitionKey\":[\"k\"]}"))));
    for (String body :
        List.of(
            "{\"FunctionResponseTypes\":\"ReportBatchItemFailures\"}",
            "{\"FunctionResponseTypes\":[1]}",
            "{\"FilterCriteria\":\"partitionKey\"}",
            "{\"FilterCriteria\":{\"Filters\":\"x\"}}",
            "{\"FilterCriteria\":{\"Filters\":[{\"Pattern\":{}}]}}",
            "{\"DestinationConfig\":{\"OnFailure\":{\"Destination\":7}}}",
            "{\"DestinationConfig\":\"arn:aws:kinesis:us-east-1:000000000000:stream/x\"}",
            "{\"DestinationConfig\":{\"OnFailure\":[]}}")) {
      RestAssured.given()
          .contentType("application/json")
          .body(body.getBytes(java.nio.charset.StandardCharsets.UTF_8))
          .put("/2015-03-31/event-source-mappings/" + uuid)
          .then()
          .statusCode(400)
          .header("X-Amzn-ErrorType", org.hamcrest.Matchers.startsWith("InvalidParameterValue"));
    }
    var got = lambda.getEventSourceMapping(b -> b.uuid(uuid));
    assertThat(got.functionResponseTypes())
        .containsExactly(FunctionResponseType.REPORT_BATCH_ITEM_FAILURES);
    assertThat(got.filterCriteria().filters()).hasSize(1);
  }

  @Test
  void createMapping_kafkaMembersGivenAsJsonNull_aKinesisMappingAsWithoutThem() throws Exception {
    String stream = stream(1);
    String fn = function();
    String body =
        "{\"FunctionName\":\""
            + fn
            + "\",\"EventSourceArn\":\""
            + arn(stream)
            + "\",\"StartingPosition\":\"TRIM_HORIZON\",\"Topics\":null,"
            + "\"SelfManagedEventSource\":null,\"SourceAccessConfigurations\":null,"
            + "\"SluiceFailureRecordFormat\":null}";
    String uuid =
        RestAssured.given()
            .contentType("application/json")
            .body(body.getBytes(java.nio.charset.StandardCharsets.UTF_8))
            .post("/2015-03-31/event-source-mappings/")
            .then()
            .statusCode(202)
            .extract()
            .path("UUID");
    RestAssured.given()
        .contentType("application/json")
        .body("{\"SluiceFailureRecordFormat\":\"lambda\"}")
        .put("/2015-03-31/event-source-mappings/" + uuid)
        .then()
        .statusCode(400)
        .header("X-Amzn-ErrorType", org.hamcrest.Matchers.startsWith("InvalidParameterValue"));

    assertThat(lambda.getEventSourceMapping(b -> b.uuid(uuid)).eventSourceArn())
        .isEqualTo(arn(stream));
  }

  @Test
  void createMapping_fileDestinationThatNamesNoDirectory_invalidParameterValue() throws Exception {
    String stream = stream(1);
    String fn = function();
    for (String bad : List.of("file://./failures", "file://failures", "file:///tmp/a b")) {
      assertThatThrownBy(
              () ->
                  map(
                      fn,
                      stream,
                      b -> b.destinationConfig(d -> d.onFailure(f -> f.destination(bad)))))
          .as(bad)
          .isInstanceOf(InvalidParameterValueException.class)
          .hasMessageContaining("file:// directory");
    }
  }

  @Test
  void mappingApi_getListUpdateDelete_roundTrip() throws Exception {
    String stream = stream(1);
    String fn = function();
    String uuid = map(fn, stream, b -> b.batchSize(7));
    var got = lambda.getEventSourceMapping(b -> b.uuid(uuid));
    assertThat(got.batchSize()).isEqualTo(7);
    assertThat(got.eventSourceArn()).isEqualTo(arn(stream));
    assertThat(got.functionArn()).endsWith(":function:" + fn);
    assertThat(lambda.listEventSourceMappings(b -> b.functionName(fn)).eventSourceMappings())
        .extracting(m -> m.uuid())
        .containsExactly(uuid);
    assertThat(
            lambda
                .updateEventSourceMapping(b -> b.uuid(uuid).batchSize(50).enabled(false))
                .batchSize())
        .isEqualTo(50);
    assertThat(lambda.getEventSourceMapping(b -> b.uuid(uuid)).state()).isEqualTo("Disabled");
  }

  @Test
  void mappingApi_updatesAndDelete_reportLambdasTransitionalStates() throws Exception {
    String stream = stream(1);
    String fn = function();
    String uuid = map(fn, stream, b -> {});
    var disabling = lambda.updateEventSourceMapping(b -> b.uuid(uuid).enabled(false));
    assertThat(disabling.state()).isEqualTo("Disabling");
    assertThat(disabling.stateTransitionReason())
        .as("Lambda's words for a Kinesis mapping")
        .isEqualTo("User action");
    assertThat(lambda.getEventSourceMapping(b -> b.uuid(uuid)).state()).isEqualTo("Disabled");
    assertThat(lambda.updateEventSourceMapping(b -> b.uuid(uuid).enabled(true)).state())
        .isEqualTo("Enabling");
    assertThat(lambda.getEventSourceMapping(b -> b.uuid(uuid)).state()).isEqualTo("Enabled");
    assertThat(
            lambda.updateEventSourceMapping(b -> b.uuid(uuid).enabled(true).batchSize(5)).state())
        .as("Enabled unchanged")
        .isEqualTo("Updating");
    assertThat(lambda.deleteEventSourceMapping(b -> b.uuid(uuid)).state()).isEqualTo("Deleting");
    mappings.remove(uuid);
    assertThatThrownBy(() -> lambda.getEventSourceMapping(b -> b.uuid(uuid)))
        .isInstanceOf(ResourceNotFoundException.class);
  }

  /** The lines the function recorded, waiting until {@code n} of them start with {@code prefix}. */
  List<String> receivedWith(String function, String prefix, int n, long timeoutMillis)
      throws Exception {
    Path log = OUT.resolve(function + ".log");
    List<String> lines = List.of();
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (System.currentTimeMillis() < deadline) {
      lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
      if (lines.stream().filter(l -> l.startsWith(prefix)).count() >= n) {
        return lines;
      }
      Thread.sleep(10);
    }
    return lines;
  }

  /** Sleeps until just after the next whole second, so that a put lands early in a 1 s window. */
  static void toNextSecond() throws InterruptedException {
    long now = System.currentTimeMillis();
    Thread.sleep(1000 - now % 1000 + 20);
  }

  void putAmounts(String stream, int... amounts) {
    List<PutRecordsRequestEntry> entries = new ArrayList<>();
    for (int i = 0; i < amounts.length; i++) {
      entries.add(
          PutRecordsRequestEntry.builder()
              .partitionKey("k" + i)
              .data(SdkBytes.fromUtf8String("{\"amount\":" + amounts[i] + "}"))
              .build());
    }
    kinesis.putRecords(b -> b.streamName(stream).records(entries));
  }

  @Test
  void mapping_tumblingWindow_carriesStateAcrossBatchesAndSumsInTheFinalInvoke() throws Exception {
    String stream = stream(1);
    String fn = function("fixture.WindowSum", WindowSumHandler.SOURCES);
    String uuid = map(fn, stream, b -> b.batchSize(2).tumblingWindowInSeconds(1));
    assertThat(lambda.getEventSourceMapping(b -> b.uuid(uuid)).tumblingWindowInSeconds())
        .isEqualTo(1);
    toNextSecond();
    putAmounts(stream, 1, 2, 3, 4, 5, 6); // one window: 21 in 3 batches
    toNextSecond();
    putAmounts(stream, 10, 20, 30); // the next window: 60 in 2 batches

    List<String> lines = receivedWith(fn, "final|", 2, 15_000);
    List<String[]> batches =
        lines.stream().filter(l -> l.startsWith("batch|")).map(l -> l.split("\\|")).toList();
    List<String[]> finals =
        lines.stream().filter(l -> l.startsWith("final|")).map(l -> l.split("\\|")).toList();
    assertThat(finals).as("final invokes in %s", lines).hasSize(2);
    assertThat(batches)
        .as("no batch spans two windows: %s", lines)
        .allMatch(b -> b[5].equals("true"));
    assertThat(batches).allMatch(b -> Integer.parseInt(b[3]) <= 2);
    assertThat(batches.stream().mapToInt(b -> Integer.parseInt(b[3])).sum()).isEqualTo(9);

    String[] first = finals.get(0);
    String[] second = finals.get(1);
    assertThat(Long.parseLong(first[2]) - Long.parseLong(first[1])).isEqualTo(1000);
    assertThat(Long.parseLong(first[1]) % 1000).isZero();
    assertThat(Long.parseLong(second[1])).isEqualTo(Long.parseLong(first[2]));
    assertThat(first[3]).as("sum of the first window").isEqualTo("21");
    assertThat(Integer.parseInt(first[4]))
        .as("invocations carrying state")
        .isGreaterThanOrEqualTo(3);
    assertThat(first[5]).as("records of a final invoke").isEqualTo("0");
    assertThat(first[6]).isEqualTo("false");
    assertThat(first[7]).isEqualTo("shardId-000000000000");
    assertThat(first[8]).isEqualTo(arn(stream));
    assertThat(second[3]).as("sum of the second window: state restarted").isEqualTo("60");
    assertThat(Integer.parseInt(second[4])).isGreaterThanOrEqualTo(2);

    // state carried: within a window the invocations saw 0, 1, 2, ... earlier invocations, and
    // the first window's final invoke came before any batch of the second window
    List<String> firstWindow =
        batches.stream().filter(b -> b[1].equals(first[1])).map(b -> b[4]).toList();
    assertThat(firstWindow).hasSizeGreaterThanOrEqualTo(3);
    for (int i = 0; i < firstWindow.size(); i++) {
      assertThat(firstWindow.get(i)).isEqualTo(Integer.toString(i));
    }
    List<String> secondWindow =
        batches.stream().filter(b -> b[1].equals(second[1])).map(b -> b[4]).toList();
    assertThat(secondWindow).hasSizeGreaterThanOrEqualTo(2);
    for (int i = 0; i < secondWindow.size(); i++) {
      assertThat(secondWindow.get(i)).isEqualTo(Integer.toString(i));
    }
    int firstFinal = lines.indexOf(String.join("|", first));
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("batch|" + second[1])) {
        assertThat(i).isGreaterThan(firstFinal);
      }
    }
  }

  @Test
  void mapping_tumblingWindowWithBatchItemFailures_retriesInTheWindowWithItsState()
      throws Exception {
    String stream = stream(1);
    String fn = function("fixture.WindowSum", WindowSumHandler.SOURCES);
    map(
        fn,
        stream,
        b ->
            b.batchSize(3)
                .tumblingWindowInSeconds(1)
                .functionResponseTypes(FunctionResponseType.REPORT_BATCH_ITEM_FAILURES));
    toNextSecond();
    List<PutRecordsRequestEntry> entries = new ArrayList<>();
    int[] amounts = {1, 2, 4, 8, 16};
    for (int i = 0; i < amounts.length; i++) {
      String flaky = i == 1 ? ",\"flaky\":true" : "";
      entries.add(
          PutRecordsRequestEntry.builder()
              .partitionKey("k" + i)
              .data(SdkBytes.fromUtf8String("{\"amount\":" + amounts[i] + flaky + "}"))
              .build());
    }
    kinesis.putRecords(b -> b.streamName(stream).records(entries));

    List<String> lines = receivedWith(fn, "final|", 1, 15_000);
    List<String[]> finals =
        lines.stream().filter(l -> l.startsWith("final|")).map(l -> l.split("\\|")).toList();
    assertThat(finals).as("final invokes in %s", lines).hasSize(1);
    assertThat(finals.get(0)[3]).as("each record counted once").isEqualTo("31");
    List<String[]> batches =
        lines.stream().filter(l -> l.startsWith("batch|")).map(l -> l.split("\\|")).toList();
    assertThat(batches).allMatch(x -> x[5].equals("true"));
    assertThat(batches.stream().mapToInt(x -> Integer.parseInt(x[6])).sum()).isEqualTo(5);
    assertThat(batches.stream().anyMatch(x -> !x[3].equals(x[6])))
        .as("a partly failed batch in %s", lines)
        .isTrue();
  }

  @Test
  void createMapping_tumblingWindowOutOfRange_validationExceptionNamingTheMember()
      throws Exception {
    String stream = stream(1);
    String fn = function();
    assertThatThrownBy(() -> map(fn, stream, b -> b.tumblingWindowInSeconds(901)))
        .isInstanceOf(LambdaException.class)
        .hasMessageContaining("at 'tumblingWindowInSeconds'")
        .hasMessageContaining("less than or equal to 900");
    assertThatThrownBy(() -> map(fn, stream, b -> b.tumblingWindowInSeconds(-1)))
        .isInstanceOf(LambdaException.class)
        .hasMessageContaining("at 'tumblingWindowInSeconds'")
        .hasMessageContaining("greater than or equal to 0");
    String uuid = map(fn, stream, b -> b.tumblingWindowInSeconds(900));
    assertThat(lambda.getEventSourceMapping(b -> b.uuid(uuid)).tumblingWindowInSeconds())
        .isEqualTo(900);
  }

  private static Path awaitFile(Path dir) throws Exception {
    for (int i = 0; i < 1000; i++) {
      try (Stream<Path> files = Files.list(dir)) {
        List<Path> json = files.filter(p -> p.toString().endsWith(".json")).toList();
        if (!json.isEmpty()) {
          return json.get(0);
        }
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no failure record in " + dir);
  }
}
