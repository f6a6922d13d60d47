package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Commands against a scripted server, for answers a real one gives only in a race: a record refused
 * and then the server gone, a mapping deleted between the list and its status.
 */
class StubServerCommandsTest {

  HttpServer server;

  String start(Handler handler) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    AtomicInteger calls = new AtomicInteger();
    server.createContext(
        "/",
        ex -> {
          try {
            handler.answer(ex, calls.getAndIncrement());
          } finally {
            ex.close();
          }
        });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  interface Handler {
    void answer(HttpExchange ex, int call) throws IOException;
  }

  static void json(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
  }

  @Test
  void put_recordRefusedThenTheServerFails_saysWhichLaterLinesWereStored() throws Exception {
    String url =
        start(
            (ex, call) -> {
              ex.getRequestBody().readAllBytes();
              if (call == 0) { // line 1 refused, lines 2 and 3 stored
                json(
                    ex,
                    200,
                    """
                    {"FailedRecordCount":1,"Records":[
                      {"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"slow"},
                      {"SequenceNumber":"1","ShardId":"shardId-000000000000"},
                      {"SequenceNumber":"2","ShardId":"shardId-000000000000"}]}
                    """);
              } else {
                json(ex, 400, "{\"__type\":\"ResourceNotFoundException\",\"message\":\"gone\"}");
              }
            });

    Cli.Result r = Cli.run("a\nb\nc\n", "put", "s", "-", "--endpoint", url);

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .contains("line 1:")
        .contains("0 records were put before it, and 2 from later lines of its batch");
  }

  @Test
  void mappings_oneDeletedBetweenTheListAndItsStatus_listsTheOthers() throws Exception {
    String url =
        mappingsServer(
            Map.of(
                "kept-2",
                """
                {"UUID":"kept-2","FunctionArn":"arn:aws:lambda:us-east-1:0:function:f",
                 "EventSourceArn":"arn:aws:kinesis:us-east-1:0:stream/s","State":"Enabled",
                 "LastProcessingResult":"OK","Shards":{}}
                """),
            "gone-1",
            "kept-2");

    Cli.Result r = Cli.run("", "mappings", "--endpoint", url);

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("kept-2").doesNotContain("gone-1");
  }

  @Test
  void mappings_kafkaMappingWithOffsetLag_showsItsLagAndAStreamsMappingNone() throws Exception {
    String url =
        mappingsServer(
            Map.of(
                "kafka-1",
                """
                {"UUID":"kafka-1","FunctionArn":"arn:aws:lambda:us-east-1:0:function:f",
                 "Topics":["orders"],"State":"Enabled","LastProcessingResult":"OK",
                 "RecordsProcessed":10,"OffsetLag":1234567,"Shards":{}}
                """,
                "stream-2",
                """
                {"UUID":"stream-2","FunctionArn":"arn:aws:lambda:us-east-1:0:function:g",
                 "EventSourceArn":"arn:aws:kinesis:us-east-1:0:stream/s","State":"Enabled",
                 "LastProcessingResult":"OK","Shards":{}}
                """),
            "kafka-1",
            "stream-2");

    Cli.Result r = Cli.run("", "mappings", "--endpoint", url);

    assertThat(r.exit()).as(r.err()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines.get(0)).contains("LAG");
    int lag = lines.get(0).indexOf("LAG");
    assertThat(lines.get(1)).startsWith("kafka-1").contains("kafka:orders");
    assertThat(lines.get(1).substring(lag)).startsWith(String.format("%,d ", 1_234_567));
    assertThat(lines.get(2)).startsWith("stream-2");
    assertThat(lines.get(2).substring(lag)).startsWith("- ");
  }

  /**
   * A server listing the mappings {@code listed} and answering each one's status from {@code
   * statuses}; a listed mapping without one is gone (deleted after the list was read).
   */
  String mappingsServer(Map<String, String> statuses, String... listed) throws IOException {
    StringBuilder list = new StringBuilder("{\"EventSourceMappings\":[");
    for (int i = 0; i < listed.length; i++) {
      list.append(i == 0 ? "" : ",").append("{\"UUID\":\"").append(listed[i]).append("\"}");
    }
    String listing = list.append("]}").toString();
    return start(
        (ex, call) -> {
          String path = ex.getRequestURI().getPath();
          String uuid = path.substring(path.lastIndexOf('/') + 1);
          if (path.startsWith("/2015-03-31/event-source-mappings")) {
            json(ex, 200, listing);
          } else if (statuses.containsKey(uuid)) {
            json(ex, 200, statuses.get(uuid));
          } else {
            ex.getResponseHeaders().add("x-amzn-ErrorType", "ResourceNotFoundException");
            json(ex, 404, "{\"Type\":\"User\",\"Message\":\"no such mapping\"}");
          }
        });
  }

  @Test
  void tail_streamStillCreating_waitsUntilItListsShardsThenPrints() throws Exception {
    String url =
        start(
            (ex, call) -> {
              String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
              ex.getRequestBody().readAllBytes();
              if (target.endsWith("ListShards") && call < 3) {
                json(
                    ex,
                    400,
                    "{\"__type\":\"ResourceInUseException\","
                        + "\"message\":\"Stream s is CREATING, not ACTIVE.\"}");
              } else if (target.endsWith("ListShards")) {
                json(
                    ex,
                    200,
                    """
                    {"Shards":[{"ShardId":"shardId-000000000000",
                     "SequenceNumberRange":{"StartingSequenceNumber":"0"}}]}
                    """);
              } else if (target.endsWith("GetShardIterator")) {
                json(ex, 200, "{\"ShardIterator\":\"it-1\"}");
              } else {
                json(
                    ex,
                    200,
                    """
                    {"Records":[{"SequenceNumber":"7","PartitionKey":"k","Data":"aGk="}],
                     "NextShardIterator":"it-2","MillisBehindLatest":0}
                    """);
              }
            });

    Cli.Result r =
        Cli.run("", "tail", "s", "--from", "trim-horizon", "--limit", "1", "--endpoint", url);

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("shardId-000000000000\t7\tk\thi\n");
  }
}
