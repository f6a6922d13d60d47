package dev.sluice.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.cli.client.SluiceClient;
import dev.sluice.template.StreamResource;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A stream deploy against a scripted Kinesis endpoint, for states a real server holds only for a
 * moment: a stream still DELETING or still UPDATING when the deploy looks at it.
 */
class StreamDeployerTest {

  final List<String> calls = new CopyOnWriteArrayList<>();
  HttpServer server;

  /** Whether CreateStream answers that the stream exists, as when another deploy made it. */
  volatile boolean createdElsewhere;

  /** UpdateShardCount calls answered before the next ones are refused as over the shard limit. */
  volatile int reshardsAllowed = Integer.MAX_VALUE;

  final List<Change> partial = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    server.stop(0);
  }

  /** Answers DescribeStreamSummary with {@code statuses} in turn (null: not found), then ACTIVE. */
  StreamDeployer deployer(String... statuses) throws IOException {
    return deployer(Duration.ofSeconds(10), statuses);
  }

  /** As {@link #deployer(String...)}, waiting at most {@code wait} for ACTIVE. */
  StreamDeployer deployer(Duration wait, String... statuses) throws IOException {
    AtomicInteger described = new AtomicInteger();
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        ex -> {
          try {
            String op = ex.getRequestHeaders().getFirst("X-Amz-Target").split("\\.")[1];
            ex.getRequestBody().readAllBytes();
            calls.add(op);
            if (op.equals("DescribeStreamSummary")) {
              int i = described.getAndIncrement();
              summary(ex, i < statuses.length ? statuses[i] : "ACTIVE");
            } else if (op.equals("CreateStream") && createdElsewhere) {
              json(
                  ex,
                  400,
                  "{\"__type\":\"ResourceInUseException\","
                      + "\"message\":\"Stream orders already exists.\"}");
            } else if (op.equals("UpdateShardCount") && reshardsAllowed-- <= 0) {
              json(
                  ex,
                  400,
                  "{\"__type\":\"LimitExceededException\","
                      + "\"message\":\"This request would exceed the shard limit.\"}");
            } else if (op.equals("ListTagsForStream")) {
              json(ex, 200, "{\"Tags\":[],\"HasMoreTags\":false}");
            } else {
              json(ex, 200, "{}");
            }
          } finally {
            ex.close();
          }
        });
    server.start();
    URI endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    return new StreamDeployer(new SluiceClient(endpoint), new Waiter(wait));
  }

  static void summary(HttpExchange ex, String status) throws IOException {
    if (status == null) {
      json(ex, 400, "{\"__type\":\"ResourceNotFoundException\",\"message\":\"no stream\"}");
      return;
    }
    json(
        ex,
        200,
        "{\"StreamDescriptionSummary\":{\"StreamName\":\"orders\",\"StreamStatus\":\""
            + status
            + "\",\"StreamARN\":\"arn:aws:kinesis:us-east-1:000000000000:stream/orders\","
            + "\"StreamModeDetails\":{\"StreamMode\":\"PROVISIONED\"},"
            + "\"OpenShardCount\":2,\"RetentionPeriodHours\":24}}");
  }

  static void json(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
  }

  static StreamResource orders() {
    return new StreamResource("Orders", "orders", 2, 24, "PROVISIONED", Map.of());
  }

  @Test
  void apply_streamStillDeleting_waitsUntilItIsGoneAndCreatesItAgain() throws Exception {
    StreamDeployer d = deployer("DELETING", "DELETING", null);

    Change c = d.apply(orders(), null, partial::add);

    assertThat(c.action()).isEqualTo(Change.Action.CREATED);
    assertThat(calls).contains("CreateStream");
  }

  @Test
  void apply_streamCreatedByAnotherDeployAfterTheLook_broughtToTheTemplateAsAnExistingOne()
      throws Exception {
    StreamDeployer d = deployer((String) null, "CREATING"); // then ACTIVE, with 2 shards
    createdElsewhere = true;

    Change c =
        d.apply(
            new StreamResource("Orders", "orders", 4, 24, "PROVISIONED", Map.of()),
            null,
            partial::add);

    assertThat(c.action()).isEqualTo(Change.Action.UPDATED);
    assertThat(c.detail()).contains("shards 2 → 4");
    assertThat(calls).containsSubsequence("CreateStream", "UpdateShardCount");
  }

  @Test
  void apply_streamStillUpdating_waitsForActiveBeforeChangingIt() throws Exception {
    StreamDeployer d = deployer("UPDATING", "UPDATING");

    Change c =
        d.apply(
            new StreamResource("Orders", "orders", 4, 24, "PROVISIONED", Map.of()),
            null,
            partial::add);

    assertThat(c.action()).isEqualTo(Change.Action.UPDATED);
    assertThat(calls.subList(0, calls.indexOf("UpdateShardCount")))
        .as("described until ACTIVE before the reshard")
        .containsExactly(
            "DescribeStreamSummary",
            "DescribeStreamSummary",
            "DescribeStreamSummary",
            "DescribeStreamSummary");
  }

  @Test
  void apply_secondReshardStepRefused_reportsTheFirstStepAsAppliedThenFails() throws Exception {
    StreamDeployer d = deployer("ACTIVE"); // 2 shards
    reshardsAllowed = 1; // 2 → 4 goes through, 4 → 8 is over the shard limit

    assertThatThrownBy(
            () ->
                d.apply(
                    new StreamResource("Orders", "orders", 8, 24, "PROVISIONED", Map.of()),
                    null,
                    partial::add))
        .hasMessageContaining("shard limit");

    assertThat(partial)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.action()).isEqualTo(Change.Action.UPDATED);
              assertThat(c.detail()).isEqualTo("shards 2 → 4 (then refused)");
            });
  }

  @Test
  void apply_creationNeverActiveInTime_reportsTheCreationThenFails() throws Exception {
    String[] statuses = new String[40];
    statuses[0] = null; // not there: created, then CREATING for longer than the wait
    java.util.Arrays.fill(statuses, 1, statuses.length, "CREATING");
    StreamDeployer d = deployer(Duration.ofMillis(300), statuses);

    assertThatThrownBy(() -> d.apply(orders(), null, partial::add));

    assertThat(partial)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.action()).isEqualTo(Change.Action.CREATED);
              assertThat(c.detail()).isEqualTo("2 shards (then refused)");
            });
  }
}
