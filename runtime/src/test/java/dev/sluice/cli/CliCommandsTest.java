package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.cli.client.SluiceClient;
import dev.sluice.testing.FreshDataDir;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(FreshDataDir.class)
class CliCommandsTest {

  static final Path HELLO =
      Path.of("..", "examples", "hello-kinesis", "target", "hello-kinesis.jar").toAbsolutePath();

  @TestHTTPResource("/")
  String root;

  private Cli.Result cli(String stdin, String... args) {
    return Cli.against(root, stdin, args);
  }

  private void createStream(String name, int shards) throws Exception {
    Cli.createStream(root, name, shards);
  }

  @Test
  void put_stdinLines_tailReadsThemBackInKeyOrder() throws Exception {
    createStream("cli-put", 3);
    String lines =
        IntStream.range(0, 1200)
            .mapToObj(i -> "{\"id\":\"k" + (i % 17) + "\",\"n\":" + i + "}")
            .collect(Collectors.joining("\n"));

    Cli.Result put = cli(lines, "put", "cli-put", "--key-field", "id", "-");
    Cli.Result tail =
        cli("", "tail", "cli-put", "--from", "trim-horizon", "--no-follow", "--format", "data");

    assertThat(put.exit()).as(put.err()).isZero();
    assertThat(put.out()).contains("put 1200 records into cli-put");
    List<String> read = tail.out().lines().toList();
    assertThat(read).hasSize(1200).containsExactlyInAnyOrderElementsOf(lines.lines().toList());
    Map<String, List<Integer>> perKey = new HashMap<>();
    for (String l : read) {
      String key = l.replaceAll(".*\"id\":\"(k\\d+)\".*", "$1");
      int n = Integer.parseInt(l.replaceAll(".*\"n\":(\\d+).*", "$1"));
      perKey.computeIfAbsent(key, k -> new ArrayList<>()).add(n);
    }
    perKey.values().forEach(ns -> assertThat(ns).isSorted());
  }

  @Test
  void put_stdinBinaryAndCarriageReturns_storedByteForByteSplitAtLineFeeds() throws Exception {
    createStream("cli-bytes", 1);
    byte[] in = {(byte) 0xff, (byte) 0xfe, 'a', '\r', 'b', '\n', 'c', '\r', '\n', 'd'};

    Cli.Result put =
        Cli.against(
            root,
            in,
            new java.io.ByteArrayOutputStream(),
            "put",
            "cli-bytes",
            "--partition-key",
            "k");

    assertThat(put.exit()).as(put.err()).isZero();
    SluiceClient client = new SluiceClient(URI.create(root));
    String it =
        client
            .kinesis(
                "GetShardIterator",
                SluiceClient.object()
                    .put("StreamName", "cli-bytes")
                    .put("ShardId", "shardId-000000000000")
                    .put("ShardIteratorType", "TRIM_HORIZON"))
            .path("ShardIterator")
            .asText();
    List<String> data = new ArrayList<>();
    client
        .kinesis("GetRecords", SluiceClient.object().put("ShardIterator", it))
        .path("Records")
        .forEach(r -> data.add(r.path("Data").asText()));
    java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
    assertThat(data)
        .as("a lone CR stays; a CRLF ends a line; the last line needs no LF")
        .containsExactly(
            b64.encodeToString(new byte[] {(byte) 0xff, (byte) 0xfe, 'a', '\r', 'b'}),
            b64.encodeToString(new byte[] {'c'}),
            b64.encodeToString(new byte[] {'d'}));
  }

  @Test
  void tail_noFollowAcrossAMergeWithAnEmptyParent_readsTheChildToo() throws Exception {
    createStream("cli-merge", 2);
    SluiceClient client = new SluiceClient(URI.create(root));
    client.kinesis( // into shard 0 only: shard 1 stays empty
        "PutRecord",
        SluiceClient.object()
            .put("StreamName", "cli-merge")
            .put("PartitionKey", "k")
            .put("ExplicitHashKey", "0")
            .put("Data", java.util.Base64.getEncoder().encodeToString("before".getBytes())));
    client.kinesis(
        "UpdateShardCount",
        SluiceClient.object()
            .put("StreamName", "cli-merge")
            .put("TargetShardCount", 1)
            .put("ScalingType", "UNIFORM_SCALING"));
    for (int i = 0; i < 500 && !active(client, "cli-merge"); i++) {
      Thread.sleep(10);
    }
    cli("", "put", "cli-merge", "--partition-key", "k", "after");

    Cli.Result tail =
        cli("", "tail", "cli-merge", "--from", "trim-horizon", "--no-follow", "--format", "data");

    assertThat(tail.exit()).as(tail.err()).isZero();
    assertThat(tail.out().lines()).containsExactly("before", "after");
  }

  private static boolean active(SluiceClient client, String stream) {
    return client
        .kinesis("DescribeStreamSummary", SluiceClient.object().put("StreamName", stream))
        .at("/StreamDescriptionSummary/StreamStatus")
        .asText()
        .equals("ACTIVE");
  }

  @Test
  void put_singleRecord_printsShardAndSequence() throws Exception {
    createStream("cli-one", 1);

    Cli.Result r = cli("", "put", "cli-one", "--partition-key", "a", "hello");
    Cli.Result tail = cli("", "tail", "cli-one", "--from", "trim-horizon", "--no-follow");

    assertThat(r.exit()).isZero();
    assertThat(r.out()).matches("shardId-000000000000 49\\d{54}\\s*");
    assertThat(tail.out()).contains("\ta\thello");
  }

  @Test
  void put_lineWithoutKeyField_failsNamingTheLine() throws Exception {
    createStream("cli-bad", 1);

    Cli.Result r = cli("{\"x\":1}\n", "put", "cli-bad", "--key-field", "id");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("no field 'id' in line: {\"x\":1}");
  }

  @Test
  void put_badLineAfterTwoBatches_failsNamingTheLineAndWhatWasPut() throws Exception {
    createStream("cli-partial", 1);
    List<String> lines = new ArrayList<>();
    IntStream.range(0, 1100).forEach(i -> lines.add("{\"id\":\"k\",\"n\":" + i + "}"));
    lines.add("{\"x\":1}");
    IntStream.range(0, 50).forEach(i -> lines.add("{\"id\":\"k\",\"after\":" + i + "}"));

    Cli.Result r = cli(String.join("\n", lines), "put", "cli-partial", "--key-field", "id");
    Cli.Result tail = cli("", "tail", "cli-partial", "--from", "trim-horizon", "--no-follow");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .contains("line 1101: no field 'id' in line: {\"x\":1}; 1000 records were put before it");
    assertThat(tail.out().lines()).hasSize(1000);
  }

  @Test
  void put_lineOverOneMiB_failsNamingTheLineBeforeSendingItsBatch() throws Exception {
    createStream("cli-big", 1);
    String big = "x".repeat(1024 * 1024);

    Cli.Result r = cli("a\n\n" + big + "\nc\n", "put", "cli-big", "--partition-key", "k");
    Cli.Result tail = cli("", "tail", "cli-big", "--from", "trim-horizon", "--no-follow");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .contains(
            "line 3: the record (data and partition key) is 1048577 bytes, over Kinesis's limit"
                + " of 1048576; 0 records were put before it");
    assertThat(tail.out()).isEmpty();
  }

  @Test
  void put_unknownStream_failsWithKinesisError() {
    Cli.Result r = cli("", "put", "cli-missing", "x");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("ResourceNotFoundException");
  }

  @Test
  void anyCommand_noServer_saysSoWithoutStartingOne() {
    Cli.Result r = Cli.run("", "mappings", "--endpoint", "http://127.0.0.1:9");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("no Sluice server answers at http://127.0.0.1:9");
  }

  @Test
  void invokeAndLogs_deployedFunction_printResponseAndLogLines() throws Exception {
    Path t = Cli.echoTemplate("cli-echo", HELLO);
    Path event = Files.createTempFile("event-", ".json");
    Files.writeString(event, "{\"greeting\":\"hi\"}");
    assertThat(cli("", "deploy", t.toString()).exit()).isZero();

    Cli.Result invoked = cli("", "invoke", "cli-echo", "--event", event.toString());
    Cli.Result logs = cli("", "logs", "cli-echo", "--lines", "20");

    assertThat(invoked.exit()).as(invoked.err()).isZero();
    assertThat(invoked.out()).contains("hi");
    assertThat(invoked.err()).contains("REPORT RequestId:");
    assertThat(logs.out()).contains("START RequestId:").contains("END RequestId:");
  }

  @Test
  void invoke_eventFromANamedPipe_readAsAFileIs() throws Exception {
    Path t = Cli.echoTemplate("cli-echo-pipe", HELLO);
    assertThat(cli("", "deploy", t.toString()).exit()).isZero();
    Path fifo = Files.createTempDirectory("event-").resolve("event.json");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    Thread writer =
        new Thread(
            () -> {
              try {
                Files.writeString(fifo, "{\"greeting\":\"piped\"}"); // blocks until opened
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    writer.start();

    Cli.Result invoked = cli("", "invoke", "cli-echo-pipe", "--event", fifo.toString());

    writer.join(10_000);
    assertThat(invoked.exit()).as(invoked.err()).isZero();
    assertThat(invoked.out()).contains("piped");
  }

  @Test
  void logFollower_afterTheFirstPage_returnsOnlyNewLines() throws Exception {
    Path t = Cli.echoTemplate("cli-follow", HELLO);
    assertThat(cli("", "deploy", t.toString()).exit()).isZero();
    assertThat(cli("", "invoke", "cli-follow").exit()).isZero();
    LogsCommand.LogFollower follower =
        new LogsCommand.LogFollower(
            new dev.sluice.cli.client.SluiceClient(java.net.URI.create(root)), "cli-follow");

    List<String> first = follower.newLines(100);
    List<String> nothingYet = follower.newLines(100);
    assertThat(cli("", "invoke", "cli-follow").exit()).isZero();
    List<String> second = follower.newLines(100);

    assertThat(first).filteredOn(l -> l.startsWith("START RequestId:")).hasSize(1);
    assertThat(nothingYet).isEmpty();
    assertThat(second).filteredOn(l -> l.startsWith("START RequestId:")).hasSize(1);
    assertThat(second).noneMatch(first::contains);
  }

  @Test
  void logs_badAfterToken_invalidParameterValue() throws Exception {
    assertThat(cli("", "deploy", Cli.echoTemplate("cli-token", HELLO).toString()).exit()).isZero();

    io.restassured.RestAssured.given()
        .baseUri(root)
        .get("/sluice/v1/functions/cli-token/logs?after=abc")
        .then()
        .statusCode(400)
        .header("x-amzn-ErrorType", "InvalidParameterValueException")
        .body("message", org.hamcrest.Matchers.containsString("after must be a NextToken"));
  }

  @Test
  void tailFollow_stdoutClosed_returnsAfterTheFailedWrite() throws Exception {
    createStream("cli-pipe", 1);
    assertThat(cli("a\nb\nc\n", "put", "cli-pipe", "--partition-key", "k").exit()).isZero();

    // One text line is about 90 bytes: the second fails, as after 'tail cli-pipe | head -1'.
    Cli.Result r =
        within(
            Duration.ofSeconds(30),
            () ->
                Cli.against(
                    root, Cli.closingAfter(100), "", "tail", "cli-pipe", "--from", "trim-horizon"));

    assertThat(r.exit()).isZero();
    assertThat(r.out().lines()).hasSize(1);
  }

  @Test
  void logsFollow_stdoutClosed_returnsAfterTheFailedWrite() throws Exception {
    assertThat(cli("", "deploy", Cli.echoTemplate("cli-logpipe", HELLO).toString()).exit())
        .isZero();
    assertThat(cli("", "invoke", "cli-logpipe").exit()).isZero();

    Cli.Result r =
        within(
            Duration.ofSeconds(30),
            () -> Cli.against(root, Cli.closingAfter(10), "", "logs", "cli-logpipe", "--follow"));

    assertThat(r.exit()).isZero();
  }

  /** Runs {@code c}, failing (and interrupting it) if it has not returned within {@code d}. */
  private static <T> T within(Duration d, Callable<T> c) throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    Future<T> f = pool.submit(c);
    try {
      return f.get(d.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("still running after " + d);
    } finally {
      f.cancel(true); // interrupts a command that never returns, so it frees the Cli lock
      pool.shutdownNow();
    }
  }

  @Test
  void rewind_prefixShorterThanFourCharacters_usageErrorRewindingNothing() throws Exception {
    Path t = Files.createTempDirectory("tpl-").resolve("template.yaml");
    Files.writeString(
        t,
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          S:
            Type: AWS::Kinesis::Stream
            Properties:
              Name: cli-rewind-s
          Echo:
            Type: AWS::Serverless::Function
            Properties:
              FunctionName: cli-rewind
              CodeUri: %s
              Runtime: java17
              Handler: dev.sluice.examples.hello.EchoHandler::handleRequest
              Events:
                FromS:
                  Type: Kinesis
                  Properties:
                    Stream: !GetAtt S.Arn
                    StartingPosition: TRIM_HORIZON
        """
            .formatted(HELLO));
    Cli.Result deployed = cli("", "deploy", t.toString());
    assertThat(deployed.exit()).as(deployed.err()).isZero();

    for (String prefix : List.of("", "a", "abc")) {
      Cli.Result r = cli("", "rewind", prefix, "--to", "latest");

      assertThat(r.exit()).as(prefix).isEqualTo(2);
      assertThat(r.err())
          .as(prefix)
          .contains("a mapping id or prefix needs at least 4 characters, not '" + prefix + "'");
      assertThat(r.out()).as(prefix).isEmpty();
    }
  }

  @Test
  void help_everySubcommand_describesItself() {
    for (String sub :
        List.of("up", "serve", "deploy", "invoke", "put", "tail", "logs", "mappings", "rewind")) {
      Cli.Result r = Cli.run("", sub, "--help");
      assertThat(r.exit()).as(sub).isZero();
      assertThat(r.out()).as(sub).startsWith("Usage: sluice " + sub);
    }
  }
}
