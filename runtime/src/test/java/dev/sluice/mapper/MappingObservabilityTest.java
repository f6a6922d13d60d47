package dev.sluice.mapper;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import dev.sluice.testing.AwsClients;
import dev.sluice.testing.FreshDataDir;
import dev.sluice.testing.HandlerJars;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.EventSourcePosition;

/**
 * A mapping's statistics through the real server: Sluice's status route, {@code /q/metrics} and
 * {@code /q/health}.
 */
@QuarkusTest
@QuarkusTestResource(FreshDataDir.class)
class MappingObservabilityTest {

  static final String SHARD = "shardId-000000000000";

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

  String stream() throws InterruptedException {
    String name = "obs-" + UUID.randomUUID().toString().substring(0, 8);
    kinesis.createStream(b -> b.streamName(name).shardCount(1));
    for (int i = 0; i < 200; i++) {
      String status =
          kinesis
              .describeStreamSummary(b -> b.streamName(name))
              .streamDescriptionSummary()
              .streamStatusAsString();
      if (status.equals("ACTIVE")) {
        return name;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("stream not ACTIVE");
  }

  String function() {
    String name = "obs-" + UUID.randomUUID().toString().substring(0, 8);
    byte[] zip = HandlerJars.lambdaZip(RecordingHandler.SOURCES);
    lambda.createFunction(
        b ->
            b.functionName(name)
                .runtime("java17")
                .role("arn:aws:iam::000000000000:role/r")
                .handler("fixture.Recorder")
                .timeout(10)
                .code(c -> c.zipFile(SdkBytes.fromByteArray(zip))));
    return name;
  }

  /** Puts {@code n} records in one request, then maps the function from TRIM_HORIZON. */
  String mapAfter(String fn, String stream, int n) {
    List<PutRecordsRequestEntry> entries = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      entries.add(
          PutRecordsRequestEntry.builder()
              .partitionKey("k")
              .data(SdkBytes.fromUtf8String("e-" + i))
              .build());
    }
    kinesis.putRecords(b -> b.streamName(stream).records(entries));
    String uuid =
        lambda
            .createEventSourceMapping(
                b ->
                    b.functionName(fn)
                        .eventSourceArn("arn:aws:kinesis:us-east-1:000000000000:stream/" + stream)
                        .startingPosition(EventSourcePosition.TRIM_HORIZON)
                        .batchSize(10))
            .uuid();
    mappings.add(uuid);
    return uuid;
  }

  JsonPath status(String uuid) {
    return given()
        .get("/sluice/v1/event-source-mappings/" + uuid)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  /** The status once every one of {@code n} records is processed and checkpointed. */
  JsonPath awaitProcessed(String uuid, int n) throws InterruptedException {
    JsonPath s = status(uuid);
    for (int i = 0; i < 1000; i++) {
      // the runner learns of a checkpoint after the shard's own figures move
      if (s.getLong("RecordsProcessed") == n
          && s.getLong("Shards." + SHARD + ".Offset") == n
          && String.valueOf((Object) s.get("Checkpoints." + SHARD + ".Offset"))
              .equals(String.valueOf(n))) {
        return s;
      }
      Thread.sleep(10);
      s = status(uuid);
    }
    return s;
  }

  static String metrics() {
    return given().get("/q/metrics").then().statusCode(200).extract().asString();
  }

  @Test
  void statusRoute_afterFiveRecords_reportsTotalsAndShards() throws Exception {
    String stream = stream();
    String fn = function();
    String uuid = mapAfter(fn, stream, 5);

    JsonPath s = awaitProcessed(uuid, 5);

    assertThat(s.getString("UUID")).isEqualTo(uuid);
    assertThat(s.getString("State")).isEqualTo("Enabled");
    assertThat(s.getString("LastProcessingResult")).isEqualTo("OK");
    assertThat(s.getString("FunctionArn")).endsWith(":function:" + fn);
    assertThat(s.getString("EventSourceArn")).endsWith(":stream/" + stream);
    assertThat(s.getLong("RecordsProcessed")).isEqualTo(5);
    assertThat(s.getLong("IteratorAgeMillis")).isZero();
    assertThat(s.getLong("Batches")).isEqualTo(1);
    assertThat(s.getLong("Invocations")).isEqualTo(1);
    assertThat(s.getLong("FunctionErrors")).isZero();
    assertThat(s.getLong("Retries")).isZero();
    assertThat(s.getLong("RecordsToOnFailure")).isZero();
    assertThat(s.getLong("BatchesInFlight")).isZero();
    assertThat(s.getBoolean("Stuck")).isFalse();
    assertThat(s.getMap("Shards")).containsOnlyKeys(SHARD);
    assertThat(s.getMap("Shards." + SHARD))
        .containsEntry("IteratorAgeMillis", 0)
        .containsEntry("Batches", 1)
        .containsEntry("Records", 5)
        .containsEntry("Invocations", 1)
        .containsEntry("FunctionErrors", 0)
        .containsEntry("Retries", 0)
        .containsEntry("RecordsToOnFailure", 0)
        .containsEntry("BatchesInFlight", 0)
        .containsEntry("Offset", 5)
        .containsEntry("Finished", false)
        .containsEntry("Stuck", false)
        .doesNotContainKey("StuckReason");
    assertThat(s.getMap("Checkpoints." + SHARD)).containsEntry("Offset", 5);
  }

  @Test
  void metrics_mappingMetersTagged_goneAfterDelete() throws Exception {
    String stream = stream();
    String fn = function();
    String uuid = mapAfter(fn, stream, 3);
    awaitProcessed(uuid, 3);
    String tags =
        "{function=\""
            + fn
            + "\",mapping=\""
            + uuid
            + "\",shard=\""
            + SHARD
            + "\",stream=\""
            + stream
            + "\"}";

    assertThat(metrics())
        .contains("sluice_mapping_records_total" + tags + " 3.0")
        .contains("sluice_mapping_batches_total" + tags + " 1.0")
        .contains("sluice_mapping_invocations_total" + tags + " 1.0")
        .contains("sluice_mapping_function_errors_total" + tags + " 0.0")
        .contains("sluice_mapping_retries_total" + tags + " 0.0")
        .contains("sluice_mapping_records_to_on_failure_total" + tags + " 0.0")
        .contains("sluice_mapping_batches_in_flight" + tags + " 0.0")
        .contains("sluice_mapping_iterator_age_milliseconds" + tags + " 0.0");

    lambda.deleteEventSourceMapping(b -> b.uuid(uuid));
    mappings.remove(uuid);

    assertThat(metrics()).doesNotContain("mapping=\"" + uuid + "\"");
  }

  @Test
  void health_noStuckShard_wellnessCheckUpAndNotInReadiness() throws Exception {
    String stream = stream();
    String uuid = mapAfter(function(), stream, 1);
    awaitProcessed(uuid, 1);

    given()
        .get("/q/health")
        .then()
        .statusCode(200)
        .body("status", equalTo("UP"))
        .body("checks.find { it.name == 'sluice-mappings' }.status", equalTo("UP"))
        .body("checks.find { it.name == 'sluice-mappings' }.data.stuckShards", equalTo(0));
    given()
        .get("/q/health/well")
        .then()
        .statusCode(200)
        .body("checks.name", hasItem("sluice-mappings"));
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("checks.name", not(hasItem("sluice-mappings")));
    given()
        .get("/q/health/live")
        .then()
        .statusCode(200)
        .body("checks.name", not(hasItem("sluice-mappings")));
  }
}
