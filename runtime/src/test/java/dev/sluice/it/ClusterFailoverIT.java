package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.HandlerJars;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.EventSourcePosition;

/**
 * Two Sluice nodes on one Kafka cluster (the tests' in-process broker): a stream created through
 * one, a function deployed through the other and a mapping created through the first all reach
 * both; both nodes deliver the mapping's shards; one node is killed with SIGKILL mid-stream, and
 * the survivor takes its shards over within 30 s. Afterwards every acknowledged record was
 * delivered at least once, and each key's records were first delivered in order. A node stopped
 * with SIGTERM leaves its final checkpoints' copies in the node state.
 */
class ClusterFailoverIT {

  private static final String STREAM = "cluster-orders";
  private static final int SHARDS = 4;

  /** Writes "data shard pid millis" per record to a file named after the function. */
  private static final Map<String, String> RECORDER =
      Map.of(
          "fixture.Recorder",
          """
          package fixture;
          import com.amazonaws.services.lambda.runtime.Context;
          import com.amazonaws.services.lambda.runtime.RequestHandler;
          import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
          import java.nio.charset.StandardCharsets;
          import java.nio.file.*;
          public class Recorder implements RequestHandler<KinesisEvent, Void> {
            public Void handleRequest(KinesisEvent event, Context ctx) {
              StringBuilder lines = new StringBuilder();
              long pid = ProcessHandle.current().pid();
              long now = System.currentTimeMillis();
              for (KinesisEvent.KinesisEventRecord r : event.getRecords()) {
                String shard = r.getEventID().substring(0, r.getEventID().indexOf(':'));
                lines.append(StandardCharsets.UTF_8.decode(r.getKinesis().getData()))
                    .append(' ').append(shard).append(' ').append(pid).append(' ').append(now)
                    .append('\\n');
              }
              System.out.println("ran on pid " + pid); // in the function's log, which is in Kafka
              try {
                Path log = Paths.get(System.getProperty("java.io.tmpdir"), "sluice-cluster-" + ctx.getFunctionName() + ".log");
                Files.writeString(log, lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.SYNC);
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
              return null;
            }
          }
          """);

  /** One delivery as the recorder wrote it. */
  record Delivery(String data, String shard, long pid, long millis) {
    static Delivery parse(String line) {
      String[] p = line.split(" ");
      return new Delivery(p[0], p[1], Long.parseLong(p[2]), Long.parseLong(p[3]));
    }
  }

  @Test
  void sigkillOneOfTwoNodes_midStream_survivorTakesOverAndEveryRecordIsDeliveredInKeyOrder(
      @TempDir Path dir) throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 8);
    String function = "cluster-" + id;
    Path delivered =
        Path.of(System.getProperty("java.io.tmpdir"), "sluice-cluster-" + function + ".log");
    List<String> jvm = List.of();
    List<String> serve = ItClients.kafkaStorage("cit-" + id + ".");
    KeyedRecords records = new KeyedRecords();
    try (SluiceProcess a = new SluiceProcess(dir.resolve("a"), dir.resolve("a.log"), jvm, serve);
        SluiceProcess b = new SluiceProcess(dir.resolve("b"), dir.resolve("b.log"), jvm, serve)) {
      a.start();
      b.start();
      try (KinesisClient kinesisA = ItClients.kinesis(a.endpoint());
          KinesisClient kinesisB = ItClients.kinesis(b.endpoint());
          LambdaClient lambdaA = ItClients.lambda(a.endpoint());
          LambdaClient lambdaB = ItClients.lambda(b.endpoint())) {
        createStream(kinesisA);
        ItClients.awaitActive(kinesisB, STREAM);
        deploy(lambdaB, function);
        String uuid = map(lambdaA, function, STREAM);

        // both nodes deliver: the mapping's shards are spread over them
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (pids(delivered).size() < 2 && System.nanoTime() < until) {
          produce(kinesisA, records);
          produce(kinesisB, records);
        }
        assertThat(pids(delivered)).as("nodes that delivered").containsOnly(a.pid(), b.pid());
        produceFor(Duration.ofSeconds(2), kinesisA, kinesisB, records);
        assertStatusCoversTheOtherNodesShards(a, uuid);

        a.kill();
        long killedAt = System.currentTimeMillis();
        produceFor(Duration.ofSeconds(5), kinesisB, kinesisB, records);

        awaitDelivery(delivered, records.acked());
        assertTakeover(deliveries(delivered), a.pid(), b.pid(), killedAt);
        List<String> data = deliveries(delivered).stream().map(Delivery::data).toList();
        assertThat(KeyedRecords.assertFirstDeliveriesInKeyOrder(data))
            .as("distinct records delivered")
            .isGreaterThan(500);
        assertThat(logLines(b, function))
            .as("the function's log read through the survivor")
            .contains("ran on pid " + a.pid(), "ran on pid " + b.pid());
      }
    } finally {
      Files.deleteIfExists(delivered);
    }
  }

  @Test
  void sigterm_afterDelivery_theFinalCheckpointsAreCopiedToTheNodeState(@TempDir Path dir)
      throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 8);
    String function = "stopping-" + id;
    String stream = "stopping-" + id;
    Path delivered =
        Path.of(System.getProperty("java.io.tmpdir"), "sluice-cluster-" + function + ".log");
    String prefix = "cstop-" + id + ".";
    try (SluiceProcess node =
        new SluiceProcess(
            dir.resolve("a"), dir.resolve("a.log"), List.of(), ItClients.kafkaStorage(prefix))) {
      node.start();
      try (KinesisClient kinesis = ItClients.kinesis(node.endpoint());
          LambdaClient lambda = ItClients.lambda(node.endpoint())) {
        kinesis.createStream(b -> b.streamName(stream).shardCount(1));
        ItClients.awaitActive(kinesis, stream);
        deploy(lambda, function);
        map(lambda, function, stream);
        // the first commit is copied at once; later ones at most once a minute, and at the stop
        putAndAwait(kinesis, stream, delivered, 0, 5);
        putAndAwait(kinesis, stream, delivered, 5, 10);
      }
      assertThat(node.stop()).as("exit code after SIGTERM").isIn(0, 130, 143);
    } finally {
      Files.deleteIfExists(delivered);
    }
    assertThat(checkpointCopies("__" + prefix + "state"))
        .as("checkpoint copies in the node state after the stop")
        .hasSize(1)
        .allSatisfy(
            (key, value) -> {
              assertThat(key).endsWith("/shardId-000000000000");
              assertThat(value).as("the checkpoint past the 10 records").contains("\"offset\":10");
            });
  }

  private static void putAndAwait(
      KinesisClient kinesis, String stream, Path delivered, int from, int to) throws Exception {
    Set<String> put = new HashSet<>();
    for (int i = from; i < to; i++) {
      String data = "r" + i;
      kinesis.putRecord(
          b -> b.streamName(stream).partitionKey("k").data(SdkBytes.fromUtf8String(data)));
      put.add(data);
    }
    long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    Set<String> seen = new HashSet<>();
    while (!seen.containsAll(put) && System.nanoTime() < until) {
      deliveries(delivered).forEach(d -> seen.add(d.data()));
      ItClients.sleep(100);
    }
    assertThat(seen).as("records delivered").containsAll(put);
  }

  /** The last value of each {@code checkpoint/} key in the state topic, read from its start. */
  private static Map<String, String> checkpointCopies(String stateTopic) {
    Map<String, Object> config =
        Map.of(
            "bootstrap.servers", dev.sluice.testing.KafkaBroker.bootstrapServers(),
            "key.deserializer", StringDeserializer.class.getName(),
            "value.deserializer", StringDeserializer.class.getName());
    Map<String, String> out = new TreeMap<>();
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(config)) {
      TopicPartition tp = new TopicPartition(stateTopic, 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long end = c.endOffsets(List.of(tp)).get(tp);
      long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (c.position(tp) < end && System.nanoTime() < until) {
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
          if (r.key() != null && r.key().startsWith("checkpoint/")) {
            out.put(r.key(), r.value());
          }
        }
      }
    }
    return out;
  }

  private static void createStream(KinesisClient kinesis) {
    kinesis.createStream(b -> b.streamName(STREAM).shardCount(SHARDS));
    ItClients.awaitActive(kinesis, STREAM);
  }

  private static void deploy(LambdaClient lambda, String function) {
    lambda.createFunction(
        b ->
            b.functionName(function)
                .runtime("java17")
                .role("arn:aws:iam::000000000000:role/r")
                .handler("fixture.Recorder")
                .timeout(10)
                .code(c -> c.zipFile(SdkBytes.fromByteArray(HandlerJars.lambdaZip(RECORDER)))));
  }

  /** Maps the stream to the function; returns the mapping's UUID. */
  private static String map(LambdaClient lambda, String function, String stream) {
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        return lambda
            .createEventSourceMapping(
                b ->
                    b.functionName(function)
                        .eventSourceArn("arn:aws:kinesis:us-east-1:000000000000:stream/" + stream)
                        .startingPosition(EventSourcePosition.TRIM_HORIZON)
                        .batchSize(20))
            .uuid();
      } catch (software.amazon.awssdk.services.lambda.model.ResourceNotFoundException e) {
        if (System.nanoTime() > until) {
          throw e; // the function deployed through the other node never arrived
        }
        ItClients.sleep(50);
      }
    }
  }

  private static void produceFor(
      Duration d, KinesisClient one, KinesisClient two, KeyedRecords records) {
    long until = System.nanoTime() + d.toNanos();
    while (System.nanoTime() < until) {
      produce(one, records);
      produce(two, records);
    }
  }

  private static void produce(KinesisClient kinesis, KeyedRecords records) {
    records.put(kinesis, STREAM, 16);
    ItClients.sleep(20);
  }

  private static void awaitDelivery(Path delivered, Set<String> acked) throws Exception {
    Set<String> missing = new HashSet<>(acked);
    long until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (!missing.isEmpty() && System.nanoTime() < until) {
      for (Delivery d : deliveries(delivered)) {
        missing.remove(d.data());
      }
      ItClients.sleep(200);
    }
    assertThat(acked).as("acknowledged records").hasSizeGreaterThan(500);
    assertThat(missing).as("acknowledged records never delivered").isEmpty();
  }

  /** The function's log as {@code sluice logs} reads it through {@code node}. */
  private static List<String> logLines(SluiceProcess node, String function) {
    return RestAssured.given()
        .baseUri(node.endpoint().toString())
        .queryParam("lines", 100_000)
        .get("/sluice/v1/functions/{name}/logs", function)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getList("Lines", String.class);
  }

  /**
   * The mapping's status view through {@code node} lists the shards the other node runs under
   * OtherShards, with their checkpoints' offsets, the records behind them and the other node's
   * host: with its own shards, every shard of the stream.
   */
  private static void assertStatusCoversTheOtherNodesShards(SluiceProcess node, String uuid) {
    long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      JsonPath status =
          RestAssured.given()
              .baseUri(node.endpoint().toString())
              .get("/sluice/v1/event-source-mappings/{uuid}", uuid)
              .then()
              .statusCode(200)
              .extract()
              .jsonPath();
      Map<String, Map<String, Object>> others = status.getMap("OtherShards");
      Map<String, Object> own = status.getMap("Checkpoints"); // the shards it runs now
      Set<String> all = new HashSet<>(own.keySet());
      boolean hosts = others != null && !others.isEmpty();
      if (others != null) {
        all.addAll(others.keySet());
        // during a rebalance a member may hold nothing for a moment: no host then
        hosts &= others.values().stream().allMatch(o -> o.get("MemberHost") != null);
      }
      if ((hosts && all.size() == SHARDS) || System.nanoTime() > until) {
        assertThat(others).as("OtherShards of %s", status.prettify()).isNotEmpty();
        assertThat(all).as("shards run here or elsewhere").hasSize(SHARDS);
        others
            .values()
            .forEach(o -> assertThat(o).containsKeys("Offset", "OffsetLag", "MemberHost"));
        return;
      }
      ItClients.sleep(200);
    }
  }

  /** Every shard the killed node delivered is delivered by the survivor within 30 s. */
  private static void assertTakeover(
      List<Delivery> all, long killed, long survivor, long killedAt) {
    Set<String> killedShards = new HashSet<>();
    Map<String, Long> survivorFirst = new TreeMap<>();
    for (Delivery d : all) {
      if (d.pid() == killed) {
        killedShards.add(d.shard());
      } else if (d.pid() == survivor && d.millis() >= killedAt) {
        survivorFirst.putIfAbsent(d.shard(), d.millis());
      }
    }
    assertThat(killedShards).as("shards the killed node ran").isNotEmpty();
    System.out.printf(
        "ClusterFailoverIT: %d deliveries; the killed node ran %s; survivor's first delivery per"
            + " shard after the kill (ms): %s%n",
        all.size(),
        new TreeMap<>(Map.of("shards", killedShards)),
        survivorFirst.entrySet().stream()
            .collect(
                java.util.stream.Collectors.toMap(
                    Map.Entry::getKey, e -> e.getValue() - killedAt)));
    for (String shard : killedShards) {
      assertThat(survivorFirst)
          .as("the survivor delivered %s after the kill", shard)
          .containsKey(shard);
      assertThat(survivorFirst.get(shard) - killedAt)
          .as("ms from the kill until the survivor delivered %s", shard)
          .isLessThanOrEqualTo(30_000);
    }
  }

  private static Set<Long> pids(Path delivered) throws Exception {
    Set<Long> out = new HashSet<>();
    deliveries(delivered).forEach(d -> out.add(d.pid()));
    return out;
  }

  private static List<Delivery> deliveries(Path delivered) throws Exception {
    if (!Files.exists(delivered)) {
      return List.of();
    }
    List<Delivery> out = new ArrayList<>();
    for (String line : Files.readAllLines(delivered)) {
      if (line.split(" ").length == 4) {
        out.add(Delivery.parse(line)); // a line torn by the kill is not a delivery
      }
    }
    return out;
  }
}
