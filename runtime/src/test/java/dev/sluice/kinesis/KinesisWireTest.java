package dev.sluice.kinesis;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import dev.sluice.testing.FreshDataDir;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.parsing.Parser;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The Kinesis wire format checked byte for byte: error shapes, content types, bad bodies. */
@QuarkusTest
@QuarkusTestResource(FreshDataDir.class)
class KinesisWireTest {

  static final String JSON = "application/x-amz-json-1.1";
  static final String CBOR = "application/x-amz-cbor-1.1";

  @TestHTTPResource("/")
  String root;

  Response call(String op, String contentType, byte[] body) {
    return given()
        .header("X-Amz-Target", "Kinesis_20131202." + op)
        .contentType(contentType)
        .body(body)
        .post("/");
  }

  Response json(String op, String body) {
    return call(op, JSON, body.getBytes(StandardCharsets.UTF_8));
  }

  String createStream() throws InterruptedException {
    String name = "wire-" + UUID.randomUUID().toString().substring(0, 8);
    json("CreateStream", "{\"StreamName\":\"" + name + "\",\"ShardCount\":1}")
        .then()
        .parser(JSON, Parser.JSON)
        .statusCode(200);
    for (int i = 0; i < 100; i++) {
      String status =
          json("DescribeStreamSummary", "{\"StreamName\":\"" + name + "\"}")
              .then()
              .parser(JSON, Parser.JSON)
              .extract()
              .path("StreamDescriptionSummary.StreamStatus");
      if ("ACTIVE".equals(status)) {
        return name;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("stream never became ACTIVE");
  }

  /** Checks a JSON error answer (HTTP 400, {@code type} as its __type); returns it for more. */
  static ValidatableResponse rejected(Response r, String type) {
    return r.then().parser(JSON, Parser.JSON).statusCode(400).body("__type", equalTo(type));
  }

  @Inject dev.sluice.node.SluiceNode node;

  @Test
  void getShardIterator_shardLogGoneWhileTheStreamIsDeleted_resourceNotFoundNot500()
      throws Exception {
    String name = createStream();
    // what a reader meets while a deletion removes the stream's logs before the catalog forgets it
    node.engine().deleteShard(new dev.sluice.log.ShardRef(name, "shardId-000000000000")).join();

    rejected(
        json(
            "GetShardIterator",
            "{\"StreamName\":\""
                + name
                + "\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":\"TRIM_HORIZON\"}"),
        "ResourceNotFoundException");
  }

  @Test
  void unknownStream_json_400WithTypeAndMessage() {
    json("DescribeStream", "{\"StreamName\":\"missing\"}")
        .then()
        .parser(JSON, Parser.JSON)
        .statusCode(400)
        .contentType(JSON)
        .header("x-amzn-RequestId", notNullValue())
        .body("__type", equalTo("ResourceNotFoundException"))
        .body("message", containsString("missing"));
  }

  @Test
  void unknownStream_cbor_errorInCbor() throws Exception {
    byte[] body = new CBORMapper().writeValueAsBytes(Map.of("StreamName", "missing"));
    Response r = call("DescribeStream", CBOR, body);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.contentType()).isEqualTo(CBOR);
    JsonNode error = new CBORMapper().readTree(r.asByteArray());
    assertThat(error.get("__type").asText()).isEqualTo("ResourceNotFoundException");
  }

  @Test
  void malformedJson_serializationException() {
    rejected(json("ListStreams", "{\"Limit\": 1,"), "SerializationException");
  }

  @Test
  void malformedCbor_serializationException() {
    call("ListStreams", CBOR, new byte[] {(byte) 0xbf, 0x61})
        .then()
        .parser(JSON, Parser.JSON)
        .statusCode(400)
        .contentType(CBOR);
  }

  @Test
  void bodyNotAnObject_serializationException() {
    rejected(json("ListStreams", "[1,2]"), "SerializationException");
  }

  @Test
  void trailingBytesAfterTheBody_serializationException() {
    rejected(json("ListStreams", "{\"Limit\": 1} {\"Limit\": 2}"), "SerializationException");
  }

  @Test
  void enhancedFanOutOperation_unknownOperationNamingPolling() {
    rejected(
            json("RegisterStreamConsumer", "{\"StreamARN\":\"arn\",\"ConsumerName\":\"c\"}"),
            "UnknownOperationException")
        .body("message", containsString("PollingConfig"));
  }

  @Test
  void wrongMemberType_serializationException() {
    rejected(json("ListStreams", "{\"Limit\":\"ten\"}"), "SerializationException");
  }

  @Test
  void unknownOperation_unknownOperationException() {
    rejected(json("FlyToTheMoon", "{}"), "UnknownOperationException");
    given()
        .contentType(JSON)
        .body("{}".getBytes(StandardCharsets.UTF_8))
        .post("/")
        .then()
        .parser(JSON, Parser.JSON)
        .statusCode(400)
        .body("__type", equalTo("UnknownOperationException"));
  }

  @Test
  void invalidStreamName_validationException() {
    rejected(
            json("CreateStream", "{\"StreamName\":\"a/b\",\"ShardCount\":1}"),
            "ValidationException")
        .body("message", containsString("[a-zA-Z0-9_.-]+"));
    rejected(
        json("CreateStream", "{\"StreamName\":\"" + "a".repeat(129) + "\",\"ShardCount\":1}"),
        "ValidationException");
  }

  @Test
  void getShardIterator_unknownTypeOnAMissingStream_validationExceptionBeforeTheLookup() {
    rejected(
            json(
                "GetShardIterator",
                "{\"StreamName\":\"no-such-stream\",\"ShardId\":\"shardId-000000000000\","
                    + "\"ShardIteratorType\":\"OLDEST\"}"),
            "ValidationException")
        .body("message", containsString("shardIteratorType"));
  }

  @Test
  void membersOfBadShapeForAMissingStream_validationExceptionBeforeTheLookup() {
    rejected(
            json(
                "GetShardIterator",
                "{\"StreamName\":\"no-such-stream\",\"ShardId\":\"shardId-000000000000\","
                    + "\"ShardIteratorType\":\"AT_SEQUENCE_NUMBER\","
                    + "\"StartingSequenceNumber\":\"12x\"}"),
            "ValidationException")
        .body("message", containsString("startingSequenceNumber"));
    rejected(
            json("DescribeStream", "{\"StreamName\":\"no-such-stream\",\"Limit\":0}"),
            "ValidationException")
        .body("message", containsString("limit"));
    rejected(
            json("ListTagsForStream", "{\"StreamName\":\"no-such-stream\",\"Limit\":51}"),
            "ValidationException")
        .body("message", containsString("limit"));
  }

  @Test
  void streamArnThatIsAName_validationExceptionNamingThePattern() {
    rejected(json("DescribeStreamSummary", "{\"StreamARN\":\"orders\"}"), "ValidationException")
        .body("message", containsString("at 'streamARN'"))
        .body("message", containsString("stream/"));
    rejected(
            json(
                "UpdateStreamMode",
                "{\"StreamARN\":\"orders\",\"StreamModeDetails\":{\"StreamMode\":\"ON_DEMAND\"}}"),
            "ValidationException")
        .body("message", containsString("at 'streamARN'"));
    // well formed, but of another account: Sluice serves one
    rejected(
        json(
            "DescribeStreamSummary",
            "{\"StreamARN\":\"arn:aws:kinesis:us-east-1:123456789012:stream/orders\"}"),
        "InvalidArgumentException");
  }

  @Test
  void listStreams_exclusiveStartNameOfBadShape_validationException() {
    rejected(
            json("ListStreams", "{\"ExclusiveStartStreamName\":\"bad name!\"}"),
            "ValidationException")
        .body("message", containsString("exclusiveStartStreamName"));
  }

  @Test
  void listShardsAndListStreams_emptyNextToken_validationException() {
    rejected(json("ListShards", "{\"NextToken\":\"\"}"), "ValidationException")
        .body("message", containsString("nextToken"));
    rejected(json("ListStreams", "{\"NextToken\":\"\"}"), "ValidationException");
  }

  @Test
  void createStream_noStreamName_validationExceptionNamingIt() {
    rejected(json("CreateStream", "{\"ShardCount\":1}"), "ValidationException")
        .body("message", containsString("at 'streamName' failed to satisfy constraint"));
  }

  @Test
  void putRecord_partitionKeyNotAString_serializationException() throws Exception {
    String name = createStream();

    rejected(
        json(
            "PutRecord",
            "{\"StreamName\":\"" + name + "\",\"PartitionKey\":123,\"Data\":\"AA==\"}"),
        "SerializationException");
    rejected(
            json(
                "PutRecord",
                "{\"StreamName\":\""
                    + name
                    + "\",\"PartitionKey\":\"k\",\"Data\":\"AA==\",\"SequenceNumberForOrdering\":\"x1\"}"),
            "ValidationException")
        .body("message", containsString("sequenceNumberForOrdering"));
  }

  @Test
  void putRecordAndTags_loneSurrogateEscape_serializationExceptionAndNothingStored()
      throws Exception {
    String name = createStream();
    String lone = "\\" + "ud800"; // a JSON escape no UTF-8 or CBOR answer could carry

    rejected(
            json(
                "PutRecord",
                "{\"StreamName\":\""
                    + name
                    + "\",\"PartitionKey\":\""
                    + lone
                    + "\",\"Data\":\"AA==\"}"),
            "SerializationException")
        .body("message", containsString("PartitionKey is not valid Unicode"));
    rejected(
        json(
            "AddTagsToStream",
            "{\"StreamName\":\"" + name + "\",\"Tags\":{\"k" + lone + "\":\"v\"}}"),
        "SerializationException");
    rejected(
        json("AddTagsToStream", "{\"StreamName\":\"" + name + "\",\"Tags\":{\"k\":{\"x\":1}}}"),
        "SerializationException");
    rejected(
        json("AddTagsToStream", "{\"StreamName\":\"" + name + "\",\"Tags\":{}}"),
        "ValidationException");
    rejected(
        json("RemoveTagsFromStream", "{\"StreamName\":\"" + name + "\",\"TagKeys\":[{}]}"),
        "SerializationException");

    json("ListTagsForStream", "{\"StreamName\":\"" + name + "\"}")
        .then()
        .parser(JSON, Parser.JSON)
        .statusCode(200)
        .body("Tags", org.hamcrest.Matchers.empty());
  }

  @Test
  void tags_characterKinesisRefuses_invalidArgumentAndNothingStored() throws Exception {
    String name = createStream();
    String refused = "Some tags contain invalid characters";

    rejected(
            json("AddTagsToStream", "{\"StreamName\":\"" + name + "\",\"Tags\":{\"a;b\":\"1\"}}"),
            "InvalidArgumentException")
        .body("message", containsString(refused));
    rejected(
            json(
                "AddTagsToStream",
                "{\"StreamName\":\"" + name + "\",\"Tags\":{\"ok\":\"tab\\there\"}}"),
            "InvalidArgumentException")
        .body("message", containsString(refused));
    rejected(
            json("RemoveTagsFromStream", "{\"StreamName\":\"" + name + "\",\"TagKeys\":[\"a<b\"]}"),
            "InvalidArgumentException")
        .body("message", containsString(refused));
    json(
            "AddTagsToStream",
            "{\"StreamName\":\""
                + name
                + "\",\"Tags\":{\"team:owner\":\"Zoë @orders/eu-1 = a+b-c_d.e %\"}}")
        .then()
        .statusCode(200);

    json("ListTagsForStream", "{\"StreamName\":\"" + name + "\"}")
        .then()
        .parser(JSON, Parser.JSON)
        .statusCode(200)
        .body("Tags.Key", org.hamcrest.Matchers.contains("team:owner"));
  }

  @Test
  void splitShard_hashKeyPast2To128_invalidArgumentNotAPatternError() throws Exception {
    String name = createStream();

    rejected(
            json(
                "SplitShard",
                "{\"StreamName\":\""
                    + name
                    + "\",\"ShardToSplit\":\"shardId-000000000000\",\"NewStartingHashKey\":\""
                    + "9".repeat(39)
                    + "\"}"),
            "InvalidArgumentException")
        .body("message", containsString("[0, 2^128-1]"));
  }

  @Test
  void getShardIterator_sequenceNumberWithTrimHorizon_invalidArgument() throws Exception {
    String name = createStream();
    String seq =
        json(
                "PutRecord",
                "{\"StreamName\":\"" + name + "\",\"PartitionKey\":\"k\",\"Data\":\"AA==\"}")
            .then()
            .parser(JSON, Parser.JSON)
            .extract()
            .path("SequenceNumber");

    rejected(
            json(
                "GetShardIterator",
                "{\"StreamName\":\""
                    + name
                    + "\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":\"TRIM_HORIZON\","
                    + "\"StartingSequenceNumber\":\""
                    + seq
                    + "\"}"),
            "InvalidArgumentException")
        .body("message", containsString("TRIM_HORIZON and also a StartingSequenceNumber"));
  }

  @Test
  void listShards_filterShardIdThatIsNoShardId_validationExceptionNot500() throws Exception {
    String name = createStream();

    rejected(
            json(
                "ListShards",
                "{\"StreamName\":\""
                    + name
                    + "\",\"MaxResults\":1,\"ShardFilter\":{\"Type\":\"AFTER_SHARD_ID\","
                    + "\"ShardId\":\"a\\u0000b\"}}"),
            "ValidationException")
        .body("message", containsString("shardFilter.shardId"));
    // any type: the NextToken of a page carries the filter's ShardId along
    for (String type : List.of("AT_LATEST", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON")) {
      rejected(
              json(
                  "ListShards",
                  "{\"StreamName\":\""
                      + name
                      + "\",\"MaxResults\":1,\"ShardFilter\":{\"Type\":\""
                      + type
                      + "\",\"ShardId\":\"a\\u0000b\"}}"),
              "ValidationException")
          .body("message", containsString("shardFilter.shardId"));
    }
  }

  @Test
  void putRecord_invalidBase64_serializationException() throws Exception {
    String name = createStream();
    rejected(
        json(
            "PutRecord",
            "{\"StreamName\":\"" + name + "\",\"PartitionKey\":\"k\",\"Data\":\"!!!\"}"),
        "SerializationException");
  }

  @Test
  void putRecord_json_dataIsBase64AndTimestampsAreSeconds() throws Exception {
    String name = createStream();
    json(
            "PutRecord",
            "{\"StreamName\":\"" + name + "\",\"PartitionKey\":\"k\",\"Data\":\"aGVsbG8=\"}")
        .then()
        .parser(JSON, Parser.JSON)
        .statusCode(200)
        .contentType(JSON)
        .body("ShardId", equalTo("shardId-000000000000"))
        .body("SequenceNumber", notNullValue());
    String it =
        json(
                "GetShardIterator",
                "{\"StreamName\":\""
                    + name
                    + "\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":\"TRIM_HORIZON\"}")
            .then()
            .parser(JSON, Parser.JSON)
            .statusCode(200)
            .extract()
            .path("ShardIterator");
    Response r = json("GetRecords", "{\"ShardIterator\":\"" + it + "\"}");
    r.then()
        .parser(JSON, Parser.JSON)
        .statusCode(200)
        .body("Records[0].Data", equalTo("aGVsbG8="))
        .body("MillisBehindLatest", equalTo(0));
    double ts =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(r.asByteArray())
            .at("/Records/0/ApproximateArrivalTimestamp")
            .asDouble();
    assertThat(ts)
        .isBetween(
            System.currentTimeMillis() / 1000.0 - 60, System.currentTimeMillis() / 1000.0 + 1);
  }

  @Test
  void putRecord_curlsDefaultFormContentTypeAnd10KbBody_readAsJson() throws Exception {
    String name = createStream();
    byte[] data = new byte[7500];
    new java.util.Random(7).nextBytes(data);
    String base64 = java.util.Base64.getEncoder().encodeToString(data);
    assertThat(base64).contains("+").contains("/");

    given()
        .header("X-Amz-Target", "Kinesis_20131202.PutRecord")
        .contentType("application/x-www-form-urlencoded")
        .body(
            "{\"StreamName\":\"" + name + "\",\"PartitionKey\":\"k\",\"Data\":\"" + base64 + "\"}")
        .post("/")
        .then()
        .parser(JSON, Parser.JSON)
        .statusCode(200)
        .contentType(JSON)
        .body("SequenceNumber", notNullValue());
  }

  @Test
  void putRecords_overFiveMiB_invalidArgument() throws Exception {
    String name = createStream();
    String data = java.util.Base64.getEncoder().encodeToString(new byte[1024 * 1024]);
    StringBuilder body = new StringBuilder("{\"StreamName\":\"" + name + "\",\"Records\":[");
    for (int i = 0; i < 6; i++) {
      body.append(i == 0 ? "" : ",")
          .append("{\"PartitionKey\":\"k\",\"Data\":\"")
          .append(data)
          .append("\"}");
    }
    body.append("]}");
    rejected(json("PutRecords", body.toString()), "InvalidArgumentException");
  }

  @Test
  void oversizeBody_refusedWith413BeforeBuffering() throws Exception {
    URI uri = URI.create(root);
    try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      String head =
          "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: Kinesis_20131202.PutRecord\r\n"
              + "Content-Type: "
              + JSON
              + "\r\nContent-Length: 1073741824\r\n\r\n";
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[1024]);
      out.flush();
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(response).startsWith("HTTP/1.1 413").contains("ValidationException");
    }
  }

  @Test
  void getRecords_forgedOrGarbledIterator_invalidArgument() {
    rejected(
        json("GetRecords", "{\"ShardIterator\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}"),
        "InvalidArgumentException");
    rejected(json("GetRecords", "{\"ShardIterator\":\"%%%\"}"), "InvalidArgumentException");
    rejected(
        json("GetRecords", "{\"ShardIterator\":\"" + "A".repeat(600) + "\"}"),
        "ValidationException");
  }

  @Test
  void metricsAndHealth_served() throws Exception {
    String name = createStream();
    json(
            "PutRecord",
            "{\"StreamName\":\"" + name + "\",\"PartitionKey\":\"k\",\"Data\":\"aGVsbG8=\"}")
        .then()
        .parser(JSON, Parser.JSON)
        .statusCode(200);
    given()
        .get("/q/health")
        .then()
        .parser(JSON, Parser.JSON)
        .statusCode(200)
        .body("status", equalTo("UP"));
    String metrics =
        given()
            .get("/q/metrics")
            .then()
            .parser(JSON, Parser.JSON)
            .statusCode(200)
            .extract()
            .asString();
    assertThat(metrics)
        .contains("sluice_stream_records_in_total{stream=\"" + name + "\"} 1.0")
        .contains("sluice_stream_bytes_in_total{stream=\"" + name + "\"} 5.0")
        .contains(
            "sluice_shard_latest_sequence{shard=\"shardId-000000000000\",stream=\""
                + name
                + "\"} 0.0")
        .contains("sluice_log_fsync_seconds_count");
  }
}
