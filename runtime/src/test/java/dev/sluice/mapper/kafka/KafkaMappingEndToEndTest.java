package dev.sluice.mapper.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.testing.FreshDataDir;
import dev.sluice.testing.HandlerJars;
import dev.sluice.testing.KafkaBroker;
import dev.sluice.testing.ScramUsers;
import dev.sluice.testing.TcpForwarder;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.CreateEventSourceMappingRequest;
import software.amazon.awssdk.services.lambda.model.EndPointType;
import software.amazon.awssdk.services.lambda.model.EventSourcePosition;
import software.amazon.awssdk.services.lambda.model.FunctionResponseType;
import software.amazon.awssdk.services.lambda.model.GetEventSourceMappingResponse;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;

/**
 * SelfManagedKafka mappings against a real in-process Kafka broker, driven through the real AWS SDK
 * v2 Lambda client, with a real handler jar that takes aws-lambda-java-events' KafkaEvent.
 */
@QuarkusTest
@QuarkusTestResource(FreshDataDir.class)
class KafkaMappingEndToEndTest {

  static final Path OUT = Path.of(System.getProperty("java.io.tmpdir"), "sluice-kafka-test");
  static final ObjectMapper JSON = new ObjectMapper();

  @TestHTTPResource("/")
  String root;

  String servers;
  LambdaClient lambda;
  Admin admin;
  KafkaProducer<String, String> producer;
  final List<String> mappings = new ArrayList<>();

  @BeforeEach
  void clients() {
    servers = KafkaBroker.bootstrapServers();
    lambda =
        LambdaClient.builder()
            .endpointOverride(URI.create(root))
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
            .httpClient(UrlConnectionHttpClient.create())
            .build();
    admin = Admin.create(Map.of("bootstrap.servers", servers));
    producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", servers, "linger.ms", 0),
            new StringSerializer(),
            new StringSerializer());
  }

  @AfterEach
  void cleanUp() {
    mappings.forEach(uuid -> lambda.deleteEventSourceMapping(b -> b.uuid(uuid)));
    lambda.close();
    admin.close();
    producer.close();
  }

  String topic(int partitions) throws Exception {
    String name = "t-" + UUID.randomUUID().toString().substring(0, 8);
    admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
    return name;
  }

  /** A new topic of one partition with the topic settings {@code configs}. */
  String topic(Map<String, String> configs) throws Exception {
    String name = "t-" + UUID.randomUUID().toString().substring(0, 8);
    admin.createTopics(List.of(new NewTopic(name, 1, (short) 1).configs(configs))).all().get();
    return name;
  }

  String function() {
    String name = "kf-" + UUID.randomUUID().toString().substring(0, 8);
    lambda.createFunction(
        b ->
            b.functionName(name)
                .runtime("java17")
                .role("arn:aws:iam::000000000000:role/r")
                .handler("fixture.KafkaRecorder")
                .timeout(10)
                .code(
                    c ->
                        c.zipFile(
                            SdkBytes.fromByteArray(
                                HandlerJars.lambdaZip(KafkaRecordingHandler.SOURCES)))));
    return name;
  }

  String map(
      String function, String topic, Consumer<CreateEventSourceMappingRequest.Builder> more) {
    String uuid =
        lambda
            .createEventSourceMapping(
                b -> {
                  b.functionName(function)
                      .topics(topic)
                      .selfManagedEventSource(
                          s ->
                              s.endpoints(
                                  Map.of(EndPointType.KAFKA_BOOTSTRAP_SERVERS, List.of(servers))))
                      .startingPosition(EventSourcePosition.TRIM_HORIZON)
                      .batchSize(10);
                  more.accept(b);
                })
            .uuid();
    mappings.add(uuid);
    return uuid;
  }

  /**
   * Maps {@code topic} to {@code function} a record at a time, failures going to topic {@code dlq}.
   */
  String oneByOne(String function, String topic, int retries, String dlq) {
    return map(
        function,
        topic,
        b ->
            b.batchSize(1)
                .maximumRetryAttempts(retries)
                .destinationConfig(d -> d.onFailure(f -> f.destination("kafka://" + dlq))));
  }

  void send(String topic, String key, String value) throws Exception {
    ProducerRecord<String, String> r = new ProducerRecord<>(topic, key, value);
    r.headers().add("h", ("hv-" + value).getBytes(StandardCharsets.UTF_8));
    producer.send(r).get();
  }

  void sendTo(String topic, int partition, String key, String value) throws Exception {
    producer.send(new ProducerRecord<>(topic, partition, key, value)).get();
  }

  List<String> lines(String function, String suffix) throws Exception {
    Path log = OUT.resolve(function + suffix);
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }

  List<String> received(String function, int n) throws Exception {
    await().atMost(Duration.ofSeconds(20)).until(() -> lines(function, ".log").size() >= n);
    return lines(function, ".log");
  }

  /** Partition → committed offset of the group, as Kafka itself reports it. */
  Map<Integer, Long> committed(String group) throws Exception {
    Map<Integer, Long> out = new HashMap<>();
    admin
        .listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata()
        .get()
        .forEach((tp, o) -> out.put(tp.partition(), o == null ? -1 : o.offset()));
    return out;
  }

  Map<Integer, Long> ends(String topic, int partitions) throws Exception {
    Map<TopicPartition, OffsetSpec> want = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      want.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    Map<Integer, Long> out = new HashMap<>();
    admin.listOffsets(want).all().get().forEach((tp, o) -> out.put(tp.partition(), o.offset()));
    return out;
  }

  @Test
  void kafkaMapping_keyedRecordsWithParallelization_deliversKafkaEventsInPerKeyOrderAndCommitsEnds()
      throws Exception {
    String topic = topic(2);
    String fn = function();
    for (int i = 0; i < 40; i++) {
      send(topic, "key-" + (i % 8), "event-" + i);
    }
    String uuid =
        map(
            fn,
            topic,
            b ->
                b.parallelizationFactor(4)
                    .selfManagedKafkaEventSourceConfig(c -> c.consumerGroupId("g-" + topic)));
    for (int i = 40; i < 80; i++) {
      send(topic, "key-" + (i % 8), "event-" + i);
    }
    List<String> lines = received(fn, 80);
    assertThat(lines).hasSize(80);
    Map<String, Integer> last = new HashMap<>();
    for (String l : lines) {
      String[] p = l.split("\\|");
      int n = Integer.parseInt(p[1].substring("event-".length()));
      assertThat(p[2]).startsWith(topic + "-");
      assertThat(p[4]).isEqualTo("CREATE_TIME");
      assertThat(p[5]).isEqualTo("hv-" + p[1]);
      Integer prev = last.put(p[0], n);
      assertThat(prev == null || prev < n).as("order of %s", p[0]).isTrue();
    }
    assertThat(last).hasSize(8);
    Map<Integer, Long> ends = ends(topic, 2);
    await().atMost(Duration.ofSeconds(10)).until(() -> committed("g-" + topic).equals(ends));
    GetEventSourceMappingResponse m = lambda.getEventSourceMapping(b -> b.uuid(uuid));
    assertThat(m.topics()).containsExactly(topic);
    assertThat(m.selfManagedEventSource().endpoints().get(EndPointType.KAFKA_BOOTSTRAP_SERVERS))
        .containsExactly(servers);
    assertThat(m.selfManagedKafkaEventSourceConfig().consumerGroupId()).isEqualTo("g-" + topic);
    assertThat(m.eventSourceArn()).isNull();
    assertThat(m.parallelizationFactor()).isEqualTo(4);
    JsonNode status =
        JSON.readTree(
            RestAssured.get(root + "sluice/v1/event-source-mappings/" + uuid).asByteArray());
    assertThat(status.path("RecordsProcessed").asLong()).isEqualTo(80);
    assertThat(status.path("LastProcessingResult").asText()).isEqualTo("OK");
    assertThat(status.path("State").asText()).isEqualTo("Enabled");
  }

  @Test
  void kafkaMapping_batchesOnSeveralPartitions_statusCheckpointsReachTheGroupsCommittedEnds()
      throws Exception {
    String topic = topic(3);
    String fn = function();
    for (int i = 0; i < 90; i++) {
      send(topic, "key-" + i, "event-" + i);
    }
    String uuid = map(fn, topic, b -> {});
    received(fn, 90);
    Map<Integer, Long> ends = ends(topic, 3);
    // commits are sent without waiting; their answers must still reach the group and the view
    await().atMost(Duration.ofSeconds(10)).until(() -> committed(uuid).equals(ends));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              JsonNode cps =
                  JSON.readTree(
                          RestAssured.get(root + "sluice/v1/event-source-mappings/" + uuid)
                              .asByteArray())
                      .path("Checkpoints");
              Map<Integer, Long> seen = new HashMap<>();
              for (int p = 0; p < 3; p++) {
                seen.put(p, cps.path(topic + "-" + p).path("Offset").asLong(-1));
              }
              return seen.equals(ends);
            });
  }

  private long poisonAttempts(String fn) throws Exception {
    return lines(fn, ".attempts").stream().filter(l -> l.startsWith("poison")).count();
  }

  @Test
  void kafkaMapping_poisonRecord_holdsOffsetWhileRetryingThenSkipsToKafkaTopicAndCommitsPast()
      throws Exception {
    String topic = topic(1);
    String dlq = topic(1);
    String fn = function();
    send(topic, "k", "ok-0");
    send(topic, "k", "poison-1");
    send(topic, "k", "ok-2");
    String uuid = oneByOne(fn, topic, 4, dlq);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> lines(fn, ".attempts").stream().filter(l -> l.startsWith("poison")).count() >= 2);
    // while the poison record fails, the group's offset stays on it. Its retries last a few hundred
    // ms: a sample counts only if the last attempt had not run when it was taken
    boolean sawHeld = false;
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (poisonAttempts(fn) < 5 && System.nanoTime() < deadline) {
      Map<Integer, Long> now = committed(uuid);
      if (poisonAttempts(fn) < 5) {
        assertThat(now.getOrDefault(0, 0L)).as("committed while retrying").isLessThanOrEqualTo(1L);
        sawHeld |= Long.valueOf(1).equals(now.get(0));
      }
    }
    assertThat(sawHeld).as("the offset was seen held on the poison record").isTrue();
    List<String> lines = received(fn, 2);
    assertThat(lines).extracting(l -> l.split("\\|")[1]).containsExactly("ok-0", "ok-2");
    await().atMost(Duration.ofSeconds(10)).until(() -> committed(uuid).equals(Map.of(0, 3L)));
    assertThat(lines(fn, ".attempts").stream().filter(l -> l.startsWith("poison"))).hasSize(5);
    ConsumerRecord<byte[], byte[]> message = read(dlq, 1).get(0);
    assertThat(new String(message.key(), StandardCharsets.UTF_8)).isEqualTo("k");
    JsonNode failure = JSON.readTree(message.value());
    assertThat(failure.at("/requestContext/condition").asText())
        .isEqualTo("RetryAttemptsExhausted");
    assertThat(failure.at("/requestContext/approximateInvokeCount").asInt()).isEqualTo(5);
    assertThat(failure.at("/KafkaBatchInfo/batchSize").asInt()).isEqualTo(1);
    assertThat(failure.at("/KafkaBatchInfo/recordInfo/offset").asText()).isEqualTo("1");
    assertThat(failure.at("/error/errorMessage").asText())
        .contains("poison record")
        .endsWith(" in request " + failure.at("/requestContext/requestId").asText());
    JsonNode record = failure.at("/payload/records/" + topic + "-0/0");
    assertThat(new String(java.util.Base64.getDecoder().decode(record.path("value").asText())))
        .isEqualTo("poison-1");
    // the status view counts per partition, as per shard
    JsonNode status =
        JSON.readTree(
            RestAssured.get(root + "sluice/v1/event-source-mappings/" + uuid).asByteArray());
    assertThat(status.path("Invocations").asLong()).isEqualTo(7); // ok-0, poison-1 5 times, ok-2
    assertThat(status.path("FunctionErrors").asLong()).isEqualTo(5);
    assertThat(status.path("Retries").asLong()).isEqualTo(4);
    assertThat(status.path("RecordsToOnFailure").asLong()).isEqualTo(1);
    assertThat(status.path("RecordsProcessed").asLong()).isEqualTo(2);
    assertThat(status.path("Stuck").asBoolean()).isFalse();
    JsonNode partition = status.path("Shards").path(topic + "-0");
    assertThat(partition.path("Batches").asLong()).isEqualTo(3);
    assertThat(partition.path("FunctionErrors").asLong()).isEqualTo(5);
  }

  @Test
  void kafkaMapping_functionThrottledToZero_holdsItsOffsetCountingNoRetryThenDeliversAll()
      throws Exception {
    String topic = topic(1);
    String dlq = topic(1);
    String fn = function();
    lambda.putFunctionConcurrency(b -> b.functionName(fn).reservedConcurrentExecutions(0));
    for (int i = 0; i < 3; i++) {
      send(topic, "k", "event-" + i);
    }
    String uuid = oneByOne(fn, topic, 0, dlq);

    // a throttle is not the batch's failure: no retry counted, nothing skipped, nothing committed
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                lambda
                    .getEventSourceMapping(b -> b.uuid(uuid))
                    .lastProcessingResult()
                    .startsWith("PROBLEM: Function call failed"));
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> lines(fn, ".log").isEmpty() && committed(uuid).getOrDefault(0, 0L) == 0);
    lambda.deleteFunctionConcurrency(b -> b.functionName(fn));

    assertThat(received(fn, 3))
        .extracting(l -> l.split("\\|")[1])
        .containsExactly("event-0", "event-1", "event-2");
    await().atMost(Duration.ofSeconds(10)).until(() -> committed(uuid).equals(Map.of(0, 3L)));
    assertThat(ends(dlq, 1)).as("nothing sent to the failure destination").isEqualTo(Map.of(0, 0L));
  }

  @Test
  void kafkaMapping_recordsWaitingOnAThrottle_statusShowsOffsetLagAndAgeUntilDelivered()
      throws Exception {
    String topic = topic(1);
    String fn = function();
    lambda.putFunctionConcurrency(b -> b.functionName(fn).reservedConcurrentExecutions(0));
    for (int i = 0; i < 3; i++) {
      send(topic, "k", "event-" + i);
    }
    String uuid = map(fn, topic, b -> b.batchSize(1));
    String partition = topic + "-0";

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> status(uuid).path("Shards").path(partition).path("OffsetLag").asLong() == 3);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                status(uuid).path("Shards").path(partition).path("IteratorAgeMillis").asLong()
                    >= 1_000);
    // the partition is paused now (two batches wait), so nothing fetches it: its end is asked for
    for (int i = 3; i < 8; i++) {
      send(topic, "k", "event-" + i);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> status(uuid).path("Shards").path(partition).path("OffsetLag").asLong() == 8);
    JsonNode behind = status(uuid);
    assertThat(behind.path("OffsetLag").asLong()).isEqualTo(8);
    assertThat(behind.path("IteratorAgeMillis").asLong()).isGreaterThanOrEqualTo(1_000);

    lambda.deleteFunctionConcurrency(b -> b.functionName(fn));
    received(fn, 8);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              JsonNode done = status(uuid);
              assertThat(done.path("Shards").path(partition).path("OffsetLag").asLong()).isZero();
              assertThat(done.path("OffsetLag").asLong()).isZero();
              assertThat(done.path("IteratorAgeMillis").asLong()).isZero();
            });
  }

  @Test
  void kafkaMapping_oldestRecordPastHalfTheTopicsRetention_stuckUntilDelivered() throws Exception {
    String topic = topic(Map.of("retention.ms", "3600000"));
    String fn = function();
    lambda.putFunctionConcurrency(b -> b.functionName(fn).reservedConcurrentExecutions(0));
    long fortyMinutesAgo = System.currentTimeMillis() - 40 * 60_000;
    producer.send(new ProducerRecord<>(topic, 0, fortyMinutesAgo, "k", "old")).get();
    String uuid = map(fn, topic, b -> b.batchSize(1));

    await().atMost(Duration.ofSeconds(20)).until(() -> status(uuid).path("Stuck").asBoolean());
    assertThat(status(uuid).path("Shards").path(topic + "-0").path("StuckReason").asText())
        .contains("IteratorAge of")
        .contains("3600000 ms");

    lambda.deleteFunctionConcurrency(b -> b.functionName(fn));
    received(fn, 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> !status(uuid).path("Stuck").asBoolean());
  }

  /** The first {@code n} messages of {@code topic}, in partition 0's order. */
  List<ConsumerRecord<byte[], byte[]>> read(String topic, int n) {
    Properties p = new Properties();
    p.put("bootstrap.servers", servers);
    p.put("group.id", "reader-" + UUID.randomUUID());
    p.put("auto.offset.reset", "earliest");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(topic));
      long until = System.currentTimeMillis() + 15_000;
      while (out.size() < n && System.currentTimeMillis() < until) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    assertThat(out).as("messages on " + topic).hasSizeGreaterThanOrEqualTo(n);
    return out;
  }

  @Test
  void kafkaMapping_batchSkippedToKafkaTopic_oneMessagePerRecordKeyedAsTheRecord()
      throws Exception {
    String topic = topic(1);
    String dlq = topic(1);
    String fn = function();
    send(topic, "k1", "poison-0");
    send(topic, "k2", "poison-1");
    send(topic, "k1", "poison-2");
    String uuid =
        map(
            fn,
            topic,
            b ->
                b.batchSize(3)
                    .maximumBatchingWindowInSeconds(1)
                    .maximumRetryAttempts(0)
                    .destinationConfig(d -> d.onFailure(f -> f.destination("kafka://" + dlq))));
    await().atMost(Duration.ofSeconds(20)).until(() -> committed(uuid).equals(Map.of(0, 3L)));

    List<ConsumerRecord<byte[], byte[]>> messages = read(dlq, 3);
    assertThat(messages)
        .extracting(m -> new String(m.key(), StandardCharsets.UTF_8))
        .containsExactly("k1", "k2", "k1");
    for (int i = 0; i < 3; i++) {
      JsonNode failure = JSON.readTree(messages.get(i).value());
      assertThat(failure.at("/KafkaBatchInfo/batchSize").asInt()).isEqualTo(1);
      assertThat(failure.at("/KafkaBatchInfo/recordInfo/offset").asText())
          .isEqualTo(String.valueOf(i));
      assertThat(failure.at("/KafkaBatchInfo/payloadSize").asInt()).isPositive();
      JsonNode records = failure.at("/payload/records/" + topic + "-0");
      assertThat(records).hasSize(1);
      assertThat(records.get(0).path("offset").asLong()).isEqualTo(i);
    }
  }

  @Test
  void kafkaMapping_updatedThenDisabled_keepsRecordsProcessedAndLastResult() throws Exception {
    String topic = topic(1);
    String fn = function();
    send(topic, "k", "a-0");
    send(topic, "k", "b-1");
    String uuid = map(fn, topic, b -> b.batchSize(10).maximumBatchingWindowInSeconds(0));
    await().atMost(Duration.ofSeconds(20)).until(() -> committed(uuid).equals(Map.of(0, 2L)));

    lambda.updateEventSourceMapping(b -> b.uuid(uuid).batchSize(5)); // a new runner
    send(topic, "k", "c-2");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> status(uuid).path("RecordsProcessed").asLong() == 3);
    lambda.updateEventSourceMapping(b -> b.uuid(uuid).enabled(false));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> status(uuid).path("State").asText().equals("Disabled"));

    JsonNode status = status(uuid);
    assertThat(status.path("RecordsProcessed").asLong()).isEqualTo(3);
    assertThat(status.path("LastProcessingResult").asText()).isEqualTo("OK");
  }

  JsonNode status(String uuid) throws Exception {
    return JSON.readTree(
        RestAssured.get(root + "sluice/v1/event-source-mappings/" + uuid).asByteArray());
  }

  @Test
  void kafkaMapping_failureMessagesPartlySent_retriesSendOnlyTheUnsentOnes() throws Exception {
    String topic = topic(1);
    // above the producer's 16 KB batch size, which it splits a refused batch by
    String dlq = topic(Map.of("max.message.bytes", "20000"));
    ConfigResource dlqConfig = new ConfigResource(ConfigResource.Type.TOPIC, dlq);
    String fn = function();
    String bigKey = "b".repeat(30_000); // over the destination's limit even without the payload
    send(topic, "k0", "poison-0");
    send(topic, bigKey, "poison-1");
    send(topic, "k2", "poison-2");
    String uuid =
        map(
            fn,
            topic,
            b ->
                b.batchSize(3)
                    .maximumBatchingWindowInSeconds(1)
                    .maximumRetryAttempts(0)
                    .destinationConfig(d -> d.onFailure(f -> f.destination("kafka://" + dlq))));
    read(dlq, 2);
    Thread.sleep(2_000); // the third message is tried again every 160 ms meanwhile
    assertThat(committed(uuid)).doesNotContainEntry(0, 3L);

    admin
        .incrementalAlterConfigs(
            Map.of(
                dlqConfig,
                List.of(
                    new AlterConfigOp(
                        new ConfigEntry("max.message.bytes", "1000000"),
                        AlterConfigOp.OpType.SET))))
        .all()
        .get();
    await().atMost(Duration.ofSeconds(20)).until(() -> committed(uuid).equals(Map.of(0, 3L)));

    assertThat(read(dlq, 3))
        .extracting(m -> new String(m.key(), StandardCharsets.UTF_8))
        .containsExactly("k0", "k2", bigKey);
  }

  @Test
  void kafkaMapping_itemFailuresUntilRetriesRunOut_approximateInvokeCountIsTheInvocations()
      throws Exception {
    String topic = topic(1);
    String dlq = topic(1);
    String fn = function();
    send(topic, "k", "ok-0");
    send(topic, "k", "broken-1");
    String uuid =
        map(
            fn,
            topic,
            b ->
                b.batchSize(2)
                    .maximumBatchingWindowInSeconds(1)
                    .maximumRetryAttempts(1)
                    .functionResponseTypes(FunctionResponseType.REPORT_BATCH_ITEM_FAILURES)
                    .destinationConfig(d -> d.onFailure(f -> f.destination("kafka://" + dlq))));
    await().atMost(Duration.ofSeconds(20)).until(() -> committed(uuid).equals(Map.of(0, 2L)));

    assertThat(lines(fn, ".attempts")).containsExactly("ok-0", "broken-1", "broken-1");
    JsonNode failure = JSON.readTree(read(dlq, 1).get(0).value());
    assertThat(failure.at("/requestContext/condition").asText())
        .isEqualTo("RetryAttemptsExhausted");
    assertThat(failure.at("/requestContext/approximateInvokeCount").asInt()).isEqualTo(2);
    assertThat(failure.at("/KafkaBatchInfo/recordInfo/offset").asText()).isEqualTo("1");
  }

  @Test
  void kafkaMapping_bisectWithoutRetries_skipsOnlyThePoisonRecordToFileDestination()
      throws Exception {
    String topic = topic(1);
    String fn = function();
    Path failures = Files.createTempDirectory("sluice-kafka-failures");
    for (String v : List.of("a-0", "b-1", "poison-2", "c-3")) {
      send(topic, "k", v);
    }
    String uuid =
        map(
            fn,
            topic,
            b ->
                b.bisectBatchOnFunctionError(true)
                    .maximumRetryAttempts(0)
                    .destinationConfig(
                        d -> d.onFailure(f -> f.destination(failures.toUri().toString()))));
    await().atMost(Duration.ofSeconds(20)).until(() -> committed(uuid).equals(Map.of(0, 4L)));
    assertThat(lines(fn, ".log"))
        .extracting(l -> l.split("\\|")[1])
        .containsExactly("a-0", "b-1", "c-3");
    List<Path> files;
    try (var list = Files.list(failures)) {
      files = list.toList();
    }
    assertThat(files).hasSize(1);
    JsonNode failure = JSON.readTree(files.get(0).toFile());
    assertThat(failure.at("/KafkaBatchInfo/batchSize").asInt()).isEqualTo(1);
    JsonNode range = failure.at("/KafkaBatchInfo/recordsInfo/" + topic + "-0");
    assertThat(range.path("firstRecordOffset").asText()).isEqualTo("2");
    assertThat(range.path("lastRecordOffset").asText()).isEqualTo("2");
    assertThat(failure.at("/KafkaBatchInfo/payloadSize").asInt()).isPositive();
    assertThat(failure.at("/requestContext/condition").asText())
        .isEqualTo("RetryAttemptsExhausted");
  }

  @Test
  void kafkaMapping_recordWhoseEventExceeds6Mb_skippedAtOnceWithoutItsPayload() throws Exception {
    String topic = "t-" + UUID.randomUUID().toString().substring(0, 8);
    admin
        .createTopics(
            List.of(
                new NewTopic(topic, 1, (short) 1)
                    .configs(Map.of("max.message.bytes", String.valueOf(8 << 20)))))
        .all()
        .get();
    String fn = function();
    String dlq = topic(1);
    try (KafkaProducer<String, String> big =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", servers, "max.request.size", 8 << 20),
            new StringSerializer(),
            new StringSerializer())) {
      big.send(new ProducerRecord<>(topic, "k", "x".repeat(5 << 20))).get(); // base64: 6.7 MB
      big.send(new ProducerRecord<>(topic, "k", "after-1")).get();
    }
    String uuid =
        map(
            fn,
            topic,
            b ->
                b.batchSize(10)
                    .maximumBatchingWindowInSeconds(0)
                    .destinationConfig(d -> d.onFailure(f -> f.destination("kafka://" + dlq))));
    await().atMost(Duration.ofSeconds(30)).until(() -> committed(uuid).equals(Map.of(0, 2L)));

    assertThat(lines(fn, ".log")).extracting(l -> l.split("\\|")[1]).containsExactly("after-1");
    // over the destination's message size: the message comes without the payload
    JsonNode failure = JSON.readTree(read(dlq, 1).get(0).value());
    assertThat(failure.at("/requestContext/condition").asText())
        .isEqualTo("MaximumPayloadSizeExceeded");
    assertThat(failure.at("/requestContext/approximateInvokeCount").asInt()).isEqualTo(1);
    assertThat(failure.at("/KafkaBatchInfo/recordInfo/offset").asText()).isEqualTo("0");
    assertThat(failure.path("payloadOmitted").asBoolean()).isTrue();
    assertThat(failure.has("payload")).isFalse();
  }

  @Test
  void kafkaMapping_updatedWhileABatchIsInFlight_waitsForItInsteadOfDeliveringItAgainAtOnce()
      throws Exception {
    String topic = topic(1);
    String fn = function();
    send(topic, "k", "slow-0"); // the handler takes 4 s over it
    String uuid = map(fn, topic, b -> b.maximumBatchingWindowInSeconds(0));
    await().atMost(Duration.ofSeconds(20)).until(() -> !lines(fn, ".spans").isEmpty());

    lambda.updateEventSourceMapping(b -> b.uuid(uuid).batchSize(7)); // the runner starts again
    send(topic, "k", "after-1");
    await().atMost(Duration.ofSeconds(30)).until(() -> committed(uuid).equals(Map.of(0, 2L)));

    assertThat(lines(fn, ".spans")).as("one invocation over slow-0").hasSize(2);
    assertThat(lines(fn, ".log"))
        .extracting(l -> l.split("\\|")[1])
        .containsExactly("slow-0", "after-1");
  }

  /**
   * Another member of {@code group} on {@code topic}, as a second node would be, once the group
   * gave it one partition (it fetches, but commits nothing); the caller closes it.
   */
  KafkaConsumer<byte[], byte[]> otherMember(String group, String topic) {
    Properties p = new Properties();
    p.put("bootstrap.servers", servers);
    p.put("group.id", group);
    p.put("enable.auto.commit", "false");
    KafkaConsumer<byte[], byte[]> other =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    other.subscribe(List.of(topic));
    long until = System.currentTimeMillis() + 45_000; // a revocation may wait for a batch
    while (other.assignment().isEmpty() && System.currentTimeMillis() < until) {
      other.poll(Duration.ofMillis(200));
    }
    if (other.assignment().size() != 1) {
      other.close();
      throw new AssertionError("no partition moved to the new member: " + other.assignment());
    }
    return other;
  }

  @Test
  void kafkaMapping_rebalanceWhileBatchesAreInFlight_commitsThemBeforeHandingPartitionsOver()
      throws Exception {
    String topic = topic(2);
    String fn = function();
    // a batch of five slow records per partition: 20 s, so that what is left of it when the
    // group rebalances is longer than a stopping runner would wait (10 s)
    lambda.updateFunctionConfiguration(b -> b.functionName(fn).timeout(30));
    List<String> begins = new ArrayList<>();
    for (int p = 0; p < 2; p++) {
      for (char c = 'a'; c <= 'e'; c++) {
        producer.send(new ProducerRecord<>(topic, p, "k", "slow-" + c + p)).get();
        begins.add("slow-" + c + p + "|begin");
      }
    }
    String uuid = map(fn, topic, b -> b.maximumBatchingWindowInSeconds(0));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> lines(fn, ".spans").containsAll(List.of("slow-a0|begin", "slow-a1|begin")));

    // another member of the mapping's group, as a second node would be: the group rebalances
    try (KafkaConsumer<byte[], byte[]> other = otherMember(uuid, topic)) {
      TopicPartition moved = other.assignment().iterator().next();
      assertThat(other.position(moved))
          .as("the new member starts past the batch that was in flight")
          .isEqualTo(5L);
    }
    assertThat(lines(fn, ".spans").stream().filter(l -> l.endsWith("|begin")))
        .as("each slow record invoked once")
        .containsExactlyInAnyOrderElementsOf(begins);
  }

  @Test
  void kafkaMapping_partitionReadByAnotherMember_statusCountsItsLagInOffsetLag() throws Exception {
    String topic = topic(2);
    String fn = function();
    for (int p = 0; p < 2; p++) {
      producer.send(new ProducerRecord<>(topic, p, "k", "first-" + p)).get();
    }
    String uuid = map(fn, topic, b -> b.maximumBatchingWindowInSeconds(0));
    received(fn, 2);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> committed(uuid).equals(Map.of(0, 1L, 1, 1L)));

    // another member of the mapping's group, as a second node would be, that takes a partition
    // and processes nothing: this node no longer knows that partition's lag by itself
    try (KafkaConsumer<byte[], byte[]> other = otherMember(uuid, topic)) {
      TopicPartition moved = other.assignment().iterator().next();
      for (int i = 0; i < 5; i++) {
        producer.send(new ProducerRecord<>(topic, moved.partition(), "k", "waits-" + i)).get();
      }
      String name = topic + "-" + moved.partition();

      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  status(uuid).path("OtherPartitions").path(name).path("OffsetLag").asLong() == 5);
      JsonNode s = status(uuid);
      assertThat(s.path("OtherPartitions").path(name).path("Offset").asLong()).isEqualTo(1);
      assertThat(s.path("OtherPartitions").path(name).path("MemberHost").asText())
          .as("the host of the member that reads it")
          .isEqualTo("/127.0.0.1");
      assertThat(s.path("OtherPartitions").size()).as("the partition this node reads").isEqualTo(1);
      assertThat(s.path("OffsetLag").asLong())
          .as("the mapping's, over both partitions")
          .isEqualTo(5);
    }
  }

  @Test
  void kafkaMapping_inItsGroup_rebalancesIncrementally() throws Exception {
    String topic = topic(2);
    String fn = function();
    send(topic, "k", "ok-0");
    String uuid = map(fn, topic, b -> b.maximumBatchingWindowInSeconds(0));
    received(fn, 1);

    // eager rebalancing made every member give up all its partitions whenever a node came or went
    ConsumerGroupDescription group =
        admin.describeConsumerGroups(List.of(uuid)).all().get().get(uuid);
    assertThat(group.partitionAssignor()).isEqualTo("cooperative-sticky");
  }

  @Test
  void kafkaMapping_atTimestamp_startsAtTheFirstRecordAtOrAfterIt() throws Exception {
    String topic = topic(1);
    String fn = function();
    long t0 = System.currentTimeMillis() - 30_000;
    producer.send(new ProducerRecord<>(topic, 0, t0 - 60_000, "k", "before-0")).get();
    producer.send(new ProducerRecord<>(topic, 0, t0, "k", "at-1")).get();
    producer.send(new ProducerRecord<>(topic, 0, t0 + 1_000, "k", "after-2")).get();
    String uuid =
        map(
            fn,
            topic,
            b ->
                b.startingPosition(EventSourcePosition.AT_TIMESTAMP)
                    .startingPositionTimestamp(java.time.Instant.ofEpochMilli(t0)));
    await().atMost(Duration.ofSeconds(20)).until(() -> committed(uuid).equals(Map.of(0, 3L)));

    assertThat(lines(fn, ".log"))
        .extracting(l -> l.split("\\|")[1])
        .containsExactly("at-1", "after-2");
    var m = lambda.getEventSourceMapping(b -> b.uuid(uuid));
    assertThat(m.startingPosition()).isEqualTo(EventSourcePosition.AT_TIMESTAMP);
    assertThat(m.startingPositionTimestamp()).isEqualTo(java.time.Instant.ofEpochMilli(t0));
    assertThatThrownBy(
            () -> map(fn, topic, b -> b.startingPosition(EventSourcePosition.AT_TIMESTAMP)))
        .isInstanceOf(InvalidParameterValueException.class)
        .hasMessageContaining("StartingPositionTimestamp is required");
    assertThatThrownBy(
            () ->
                map(
                    fn,
                    topic,
                    b ->
                        b.startingPosition(EventSourcePosition.AT_TIMESTAMP)
                            .startingPositionTimestamp(java.time.Instant.ofEpochSecond(-5))))
        .isInstanceOf(InvalidParameterValueException.class)
        .hasMessageContaining("before 1970");
  }

  @Test
  void kafkaMapping_recordsOlderThanMaximumAge_onlyTheyAreSkippedAsRecordAgeExceeded()
      throws Exception {
    String topic = topic(1);
    String fn = function();
    Path failures = Files.createTempDirectory("sluice-kafka-age");
    long old = System.currentTimeMillis() - 120_000;
    producer.send(new ProducerRecord<>(topic, 0, old, "k", "stale-0")).get();
    producer.send(new ProducerRecord<>(topic, 0, old + 1, "k", "stale-1")).get();
    producer.send(new ProducerRecord<>(topic, 0, System.currentTimeMillis(), "k", "fresh-2")).get();
    String uuid =
        map(
            fn,
            topic,
            b ->
                b.maximumRecordAgeInSeconds(60)
                    .destinationConfig(
                        d -> d.onFailure(f -> f.destination(failures.toUri().toString()))));
    await().atMost(Duration.ofSeconds(20)).until(() -> committed(uuid).equals(Map.of(0, 3L)));
    // the three arrive in one batch: the fresh record behind the stale ones is still delivered
    assertThat(received(fn, 1)).extracting(l -> l.split("\\|")[1]).containsExactly("fresh-2");
    try (var list = Files.list(failures)) {
      JsonNode failure = JSON.readTree(list.findFirst().orElseThrow().toFile());
      assertThat(failure.at("/requestContext/condition").asText()).isEqualTo("RecordAgeExceeded");
      JsonNode range = failure.at("/KafkaBatchInfo/recordsInfo/" + topic + "-0");
      assertThat(range.path("firstRecordOffset").asText()).isEqualTo("0");
      assertThat(range.path("firstRecordTimestamp").asText())
          .isEqualTo(java.time.Instant.ofEpochMilli(old).toString());
      JsonNode records = failure.at("/payload/records/" + topic + "-0");
      assertThat(records).hasSize(2);
      assertThat(records.get(0).path("timestamp").asLong()).isEqualTo(old);
      assertThat(records.get(1).path("offset").asLong()).isEqualTo(1);
    }
  }

  @Test
  void kafkaMapping_itemReportedFailedUntilTooOld_failureRecordNamesTheBatchItemFailure()
      throws Exception {
    String topic = topic(1);
    String fn = function();
    Path failures = Files.createTempDirectory("sluice-kafka-age-partial");
    // reported failed every time, and too old a few seconds after the mapping starts
    producer
        .send(new ProducerRecord<>(topic, 0, System.currentTimeMillis() - 57_000, "k", "broken-0"))
        .get();
    String uuid =
        map(
            fn,
            topic,
            b ->
                b.maximumRecordAgeInSeconds(60)
                    .maximumRetryAttempts(10_000)
                    .functionResponseTypes(FunctionResponseType.REPORT_BATCH_ITEM_FAILURES)
                    .destinationConfig(
                        d -> d.onFailure(f -> f.destination(failures.toUri().toString()))));
    await().atMost(Duration.ofSeconds(40)).until(() -> committed(uuid).equals(Map.of(0, 1L)));

    JsonNode failure = onlyFailureRecord(failures);
    assertThat(failure.at("/requestContext/condition").asText()).isEqualTo("RecordAgeExceeded");
    assertThat(failure.at("/responseContext/functionError").asText()).isEqualTo("Unhandled");
    assertThat(failure.at("/error/errorType").asText()).isEqualTo("BatchItemFailure");
  }

  @Test
  void kafkaMapping_bisectedHalfTooOldWhenItsTurnComes_failureRecordNamesTheSplitFailure()
      throws Exception {
    String topic = topic(1);
    String fn = function();
    Path failures = Files.createTempDirectory("sluice-kafka-age-bisect");
    send(topic, "k", "ok-0"); // fresh: the whole batch is invoked, and fails on the next record
    producer
        .send(new ProducerRecord<>(topic, 0, System.currentTimeMillis() - 120_000, "k", "poison-1"))
        .get();
    String uuid =
        map(
            fn,
            topic,
            b ->
                b.maximumRecordAgeInSeconds(60)
                    .bisectBatchOnFunctionError(true)
                    .destinationConfig(
                        d -> d.onFailure(f -> f.destination(failures.toUri().toString()))));
    await().atMost(Duration.ofSeconds(30)).until(() -> committed(uuid).equals(Map.of(0, 2L)));

    assertThat(received(fn, 1)).extracting(l -> l.split("\\|")[1]).containsExactly("ok-0");
    JsonNode failure = onlyFailureRecord(failures);
    assertThat(failure.at("/requestContext/condition").asText()).isEqualTo("RecordAgeExceeded");
    assertThat(failure.at("/responseContext/functionError").asText()).isEqualTo("Unhandled");
    assertThat(failure.at("/error/errorMessage").asText()).contains("poison record");
  }

  @Test
  void kafkaMapping_sluiceFailureRecordFormatUpdated_readBackAsSet() throws Exception {
    String uuid = map(function(), topic(1), b -> {});
    String path = root + "2015-03-31/event-source-mappings/" + uuid;
    assertThat(
            JSON.readTree(RestAssured.get(path).asByteArray())
                .path("SluiceFailureRecordFormat")
                .asText())
        .as("the default: failure records with the batch")
        .isEqualTo("Sluice");

    RestAssured.given()
        .contentType("application/json")
        .body("{\"SluiceFailureRecordFormat\":\"Lambda\"}")
        .put(path)
        .then()
        .statusCode(202);

    assertThat(
            JSON.readTree(RestAssured.get(path).asByteArray())
                .path("SluiceFailureRecordFormat")
                .asText())
        .isEqualTo("Lambda");
  }

  private static JsonNode onlyFailureRecord(Path dir) throws Exception {
    try (var list = Files.list(dir)) {
      List<Path> files = list.filter(f -> f.toString().endsWith(".json")).toList();
      assertThat(files).as("failure records").hasSize(1);
      return JSON.readTree(files.get(0).toFile());
    }
  }

  @Test
  void kafkaMapping_reportBatchItemFailures_restartsAtReportedOffsetOnly() throws Exception {
    String topic = topic(1);
    String fn = function();
    for (String v : List.of("a-0", "b-1", "flaky-2", "c-3")) {
      send(topic, "k", v);
    }
    String uuid =
        map(
            fn,
            topic,
            b -> b.functionResponseTypes(FunctionResponseType.REPORT_BATCH_ITEM_FAILURES));
    await().atMost(Duration.ofSeconds(20)).until(() -> committed(uuid).equals(Map.of(0, 4L)));
    assertThat(lines(fn, ".log"))
        .extracting(l -> l.split("\\|")[1])
        .containsExactly("a-0", "b-1", "flaky-2", "c-3");
    // the retry started at the reported record: a-0 and b-1 were given once
    assertThat(lines(fn, ".attempts")).containsExactly("a-0", "b-1", "flaky-2", "flaky-2", "c-3");
  }

  @Test
  void kafkaMapping_filterCriteria_deliversMatchingValuesAndCommitsPastTheRest() throws Exception {
    String topic = topic(1);
    String fn = function();
    send(topic, "k", "{\"type\":\"order\",\"n\":1}");
    send(topic, "k", "{\"type\":\"refund\",\"n\":2}");
    send(topic, "k", "not json");
    send(topic, "k", "{\"type\":\"order\",\"n\":4}");
    send(topic, "k", "{\"type\":\"order\",\"n\":1e400}"); // beyond a double
    String uuid =
        map(
            fn,
            topic,
            b ->
                b.filterCriteria(
                    f ->
                        f.filters(
                            x ->
                                x.pattern(
                                    "{\"value\":{\"type\":[\"order\"],"
                                        + "\"n\":[{\"numeric\":[\">\",0]}]}}"))));
    await().atMost(Duration.ofSeconds(20)).until(() -> committed(uuid).equals(Map.of(0, 5L)));
    assertThat(lines(fn, ".log"))
        .extracting(l -> l.split("\\|")[1])
        .containsExactly("{\"type\":\"order\",\"n\":1}", "{\"type\":\"order\",\"n\":4}");
  }

  @Test
  void kafkaMapping_disabledThenEnabled_resumesFromCommittedOffsets() throws Exception {
    String topic = topic(1);
    String fn = function();
    for (int i = 0; i < 5; i++) {
      send(topic, "k", "first-" + i);
    }
    String uuid = map(fn, topic, b -> b.startingPosition(EventSourcePosition.LATEST));
    // LATEST: records from before the mapping are not delivered
    await().atMost(Duration.ofSeconds(20)).until(() -> committed(uuid).equals(Map.of(0, 5L)));
    send(topic, "k", "second-5");
    received(fn, 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> committed(uuid).equals(Map.of(0, 6L)));
    lambda.updateEventSourceMapping(b -> b.uuid(uuid).enabled(false));
    for (int i = 6; i < 9; i++) {
      send(topic, "k", "third-" + i);
    }
    lambda.updateEventSourceMapping(b -> b.uuid(uuid).enabled(true));
    List<String> lines = received(fn, 4);
    assertThat(lines)
        .extracting(l -> l.split("\\|")[1])
        .containsExactly("second-5", "third-6", "third-7", "third-8");
    await().atMost(Duration.ofSeconds(10)).until(() -> committed(uuid).equals(Map.of(0, 9L)));
  }

  /**
   * A LATEST mapping of {@code fn} on {@code topic} (one partition, one record before it), started,
   * its position committed past that record, then disabled; its uuid.
   */
  private String disabledLatestMapping(String fn, String topic) throws Exception {
    send(topic, "k", "before-0");
    String uuid = map(fn, topic, b -> b.startingPosition(EventSourcePosition.LATEST));
    await().atMost(Duration.ofSeconds(20)).until(() -> committed(uuid).equals(Map.of(0, 1L)));
    lambda.updateEventSourceMapping(b -> b.uuid(uuid).enabled(false));
    return uuid;
  }

  @Test
  void kafkaMapping_latestWhoseCommittedOffsetRetentionOvertook_resumesAtTheOldestRecordLeft()
      throws Exception {
    String topic = topic(1);
    String fn = function();
    String uuid = disabledLatestMapping(fn, topic);
    for (int i = 1; i < 6; i++) {
      send(topic, "k", "while-" + i);
    }
    TopicPartition tp = new TopicPartition(topic, 0);
    admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(3))).all().get();

    lambda.updateEventSourceMapping(b -> b.uuid(uuid).enabled(true));

    assertThat(received(fn, 3))
        .extracting(l -> l.split("\\|")[1])
        .containsExactly("while-3", "while-4", "while-5");
    await().atMost(Duration.ofSeconds(10)).until(() -> committed(uuid).equals(Map.of(0, 6L)));
  }

  @Test
  void kafkaMapping_latestOnATopicThatGainsAPartition_deliversTheNewPartitionFromItsStart()
      throws Exception {
    String topic = topic(1);
    String fn = function();
    String uuid = disabledLatestMapping(fn, topic);
    admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(2))).all().get();
    sendTo(topic, 1, "k", "new-partition");

    lambda.updateEventSourceMapping(b -> b.uuid(uuid).enabled(true));

    assertThat(received(fn, 1)).extracting(l -> l.split("\\|")[1]).containsExactly("new-partition");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> committed(uuid).equals(Map.of(0, 1L, 1, 1L)));
  }

  @Test
  void kafkaMapping_latestJoiningAnotherNodesFirstStart_startsItsPartitionsAtTheirEnd()
      throws Exception {
    String topic = topic(2);
    String fn = function();
    String group = "g-" + topic;
    sendTo(topic, 0, "k", "old-0");
    sendTo(topic, 1, "k", "old-1");
    // what another node in the same first rebalance commits for its partition, seen before this
    // node looks: partition 1 has no offset yet, but it was there at the first start
    admin
        .alterConsumerGroupOffsets(
            group,
            Map.of(
                new TopicPartition(topic, 0), new OffsetAndMetadata(1, LatestStart.PREFIX + "2")))
        .all()
        .get();

    map(
        fn,
        topic,
        b ->
            b.startingPosition(EventSourcePosition.LATEST)
                .selfManagedKafkaEventSourceConfig(c -> c.consumerGroupId(group)));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> committed(group).equals(Map.of(0, 1L, 1, 1L)));
    sendTo(topic, 1, "k", "new-1");

    assertThat(received(fn, 1)).extracting(l -> l.split("\\|")[1]).containsExactly("new-1");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> committed(group).equals(Map.of(0, 1L, 1, 2L)));
    assertThat(lines(fn, ".log")).hasSize(1);
  }

  @Test
  void kafkaMapping_onATopicThatIsNotThere_doesNotCreateIt() throws Exception {
    String missing = "t-missing-" + UUID.randomUUID();
    String fn = function();

    String uuid = map(fn, missing, b -> {});
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> status(uuid).path("State").asText().equals("Enabled"));

    // the test broker creates topics on demand, as brokers do by default
    await()
        .during(Duration.ofSeconds(4))
        .atMost(Duration.ofSeconds(6))
        .until(() -> !admin.listTopics().names().get().contains(missing));
  }

  @Test
  void kafkaMapping_saslScram512WithRootCaSecret_consumesThroughTheSaslSslListener()
      throws Exception {
    Path login = scramLogin();
    Path ca = secret(JSON.createObjectNode().put("certificate", KafkaBroker.certificatePem()));
    String topic = topic(1);
    String fn = function();
    send(topic, "k", "secured-0");
    String uuid =
        map(
            fn,
            topic,
            b ->
                saslSsl(b)
                    .sourceAccessConfigurations(
                        a -> a.type("SASL_SCRAM_512_AUTH").uri(login.toUri().toString()),
                        a -> a.type("SERVER_ROOT_CA_CERTIFICATE").uri(ca.toUri().toString())));
    assertThat(received(fn, 1)).extracting(l -> l.split("\\|")[1]).containsExactly("secured-0");
    await().atMost(Duration.ofSeconds(10)).until(() -> committed(uuid).equals(Map.of(0, 1L)));
    assertThat(
            lambda
                .getEventSourceMapping(b -> b.uuid(uuid))
                .sourceAccessConfigurations()
                .get(0)
                .uri())
        .isEqualTo(login.toUri().toString());
  }

  @Test
  void updateMapping_sourceAccessNullOrNotAList_keepsTheMappingsAuthentication() throws Exception {
    Path login = scramLogin();
    String uuid =
        map(
            function(),
            topic(1),
            b ->
                at(b, KafkaBroker.saslBootstrapServers())
                    .sourceAccessConfigurations(
                        a -> a.type("SASL_SCRAM_512_AUTH").uri(login.toUri().toString())));
    putMapping(uuid, "{\"BatchSize\":50,\"SourceAccessConfigurations\":null,\"Topics\":null}")
        .statusCode(202);
    putMapping(uuid, "{\"SourceAccessConfigurations\":\"SASL_SCRAM_512_AUTH\"}")
        .statusCode(400)
        .header("X-Amzn-ErrorType", org.hamcrest.Matchers.startsWith("InvalidParameterValue"));
    putMapping(uuid, "{\"SourceAccessConfigurations\":[\"SASL_SCRAM_512_AUTH\"]}")
        .statusCode(400)
        .header("X-Amzn-ErrorType", org.hamcrest.Matchers.startsWith("InvalidParameterValue"));

    var got = lambda.getEventSourceMapping(b -> b.uuid(uuid));
    assertThat(got.batchSize()).isEqualTo(50);
    assertThat(got.sourceAccessConfigurations())
        .singleElement()
        .satisfies(a -> assertThat(a.uri()).isEqualTo(login.toUri().toString()));
  }

  private static io.restassured.response.ValidatableResponse putMapping(String uuid, String body) {
    return RestAssured.given()
        .contentType("application/json")
        .body(body.getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .put("/2015-03-31/event-source-mappings/" + uuid)
        .then();
  }

  @Test
  void kafkaMapping_wrongPasswordThenFixed_consumerFailureGoesOnceItJoinsWithNoRecords()
      throws Exception {
    String user = ScramUsers.create("pw-1");
    Path login = secret("{\"username\":\"" + user + "\",\"password\":\"wrong\"}");
    Path ca = secret(JSON.createObjectNode().put("certificate", KafkaBroker.certificatePem()));
    String topic = topic(1);
    String uuid =
        map(
            function(),
            topic,
            b ->
                saslSsl(b)
                    .sourceAccessConfigurations(
                        a -> a.type("SASL_SCRAM_512_AUTH").uri(login.toUri().toString()),
                        a -> a.type("SERVER_ROOT_CA_CERTIFICATE").uri(ca.toUri().toString())));
    awaitResult(uuid, r -> r.startsWith("PROBLEM: Kafka consumer failed"));

    // the secret fixed: the consumer the runner starts next logs in; nothing is sent
    Files.writeString(login, "{\"username\":\"" + user + "\",\"password\":\"pw-1\"}");

    awaitResult(uuid, "No records processed"::equals);
  }

  @Test
  void kafkaMapping_saslWithoutRootCaForASelfSignedBroker_reportsTheTlsFailureAndDeliversNothing()
      throws Exception {
    Path login = scramLogin();
    String topic = topic(1);
    String fn = function();
    send(topic, "k", "untrusted-0");
    String uuid =
        map(
            fn,
            topic,
            b ->
                saslSsl(b)
                    .sourceAccessConfigurations(
                        a -> a.type("SASL_SCRAM_512_AUTH").uri(login.toUri().toString())));
    awaitResult(uuid, r -> r.startsWith("PROBLEM: Kafka consumer failed") && r.contains("SSL"));
    assertThat(lines(fn, ".log")).isEmpty();
  }

  @Test
  void kafkaMapping_saslAgainstASaslPlaintextListener_reportsAConnectionError() throws Exception {
    Path login = scramLogin();
    String topic = topic(1);
    String fn = function();
    String plaintext = KafkaBroker.saslBootstrapServers();
    String uuid =
        map(
            fn,
            topic,
            b ->
                at(b, plaintext)
                    .sourceAccessConfigurations(
                        a -> a.type("SASL_SCRAM_512_AUTH").uri(login.toUri().toString())));
    awaitResult(uuid, r -> r.startsWith("PROBLEM: Connection error") && r.contains(plaintext));
  }

  @Test
  void kafkaMapping_brokersReachableOnlyAfterTheJoinTimeout_connectionErrorGoesOnceItJoins()
      throws Exception {
    int port = TcpForwarder.freePort();
    String later = "127.0.0.1:" + port;
    String topic = topic(1);
    String fn = function();
    String uuid = map(fn, topic, b -> at(b, later));
    awaitResult(uuid, r -> r.startsWith("PROBLEM: Connection error") && r.contains(later));

    try (TcpForwarder reachable = TcpForwarder.start(port, servers)) {
      awaitResult(uuid, "No records processed"::equals);
      send(topic, "k", "late-0");
      assertThat(received(fn, 1)).extracting(l -> l.split("\\|")[1]).containsExactly("late-0");
    }
  }

  private static CreateEventSourceMappingRequest.Builder saslSsl(
      CreateEventSourceMappingRequest.Builder b) {
    return at(b, KafkaBroker.saslSslBootstrapServers());
  }

  /** The mapping's bootstrap servers: {@code servers} instead of the plain listener. */
  private static CreateEventSourceMappingRequest.Builder at(
      CreateEventSourceMappingRequest.Builder b, String servers) {
    return b.selfManagedEventSource(
        s -> s.endpoints(Map.of(EndPointType.KAFKA_BOOTSTRAP_SERVERS, List.of(servers))));
  }

  /** Waits until the mapping's LastProcessingResult is one {@code expected} accepts. */
  private void awaitResult(String uuid, java.util.function.Predicate<String> expected) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> lambda.getEventSourceMapping(b -> b.uuid(uuid)).lastProcessingResult(), expected);
  }

  /** A new SCRAM user of the test broker, as a file:// secret a mapping can name. */
  private static Path scramLogin() throws Exception {
    String user = ScramUsers.create("pw-1");
    return secret("{\"username\":\"" + user + "\",\"password\":\"pw-1\"}");
  }

  private static Path secret(Object json) throws IOException {
    Path file = Files.createTempFile("kafka-secret", ".json");
    Files.writeString(file, json.toString());
    return file;
  }

  @Test
  void kafkaMapping_groupTopicAndServers_fixedAtCreationAndGroupsUnique() throws Exception {
    String topic = topic(1);
    String fn = function();
    String group = "g-" + topic;
    String uuid =
        map(fn, topic, b -> b.selfManagedKafkaEventSourceConfig(c -> c.consumerGroupId(group)));

    assertThatThrownBy(
            () ->
                map(
                    fn,
                    topic,
                    b -> b.selfManagedKafkaEventSourceConfig(c -> c.consumerGroupId(group))))
        .isInstanceOf(ResourceConflictException.class)
        .hasMessageContaining(uuid);
    update(uuid, "{\"SelfManagedKafkaEventSourceConfig\": {\"ConsumerGroupId\": \"other\"}}")
        .statusCode(400)
        .body(org.hamcrest.Matchers.containsString("ConsumerGroupId cannot be changed"));
    update(uuid, "{\"Topics\": [\"another\"]}")
        .statusCode(400)
        .body(org.hamcrest.Matchers.containsString("Topics cannot be changed"));
    assertThat(lambda.getEventSourceMapping(b -> b.uuid(uuid)).topics()).containsExactly(topic);
  }

  io.restassured.response.ValidatableResponse update(String uuid, String body) {
    return RestAssured.given()
        .contentType("application/json")
        .body(body)
        .put(root + "2015-03-31/event-source-mappings/" + uuid)
        .then();
  }

  @Test
  void createKafkaMapping_invalidSettings_failWithTheFieldNamed() throws Exception {
    String fn = function();
    refused(fn, "xx", b -> b.startingPosition((String) null), "StartingPosition");
    refused(fn, "xx", b -> b.topics("a", "b"), "Topics");
    refused(
        fn,
        "xx",
        b ->
            b.sourceAccessConfigurations(
                s -> s.type("SASL_SCRAM_512_AUTH").uri("arn:aws:secretsmanager:x")),
        "SourceAccessConfigurations.URI");
    refused(fn, "xx", b -> onFailure(b, "sqs"), "kafka://topic");
    refused(fn, "xx", b -> onFailure(b, "kafka://xx"), "must not be the source topic xx");
    for (String badTopic :
        List.of("kafka://bad topic", "kafka://a/b", "kafka://" + "t".repeat(250))) {
      // the broker would refuse every send of it for good, and the partition stop there
      refused(fn, "xx", b -> onFailure(b, badTopic), "kafka://topic");
    }
    refused(
        fn,
        "xx",
        b ->
            b.selfManagedKafkaEventSourceConfig(
                c -> c.schemaRegistryConfig(r -> r.schemaRegistryURI("https://registry.example"))),
        "SchemaRegistryConfig is not supported");
    refused(fn, "xx", b -> b.tumblingWindowInSeconds(10), "TumblingWindowInSeconds");
    refused(fn, ".x", b -> {}, "not starting with '.'");
    List<String> eleven =
        java.util.stream.IntStream.range(0, 11).mapToObj(i -> "h" + i + ":9092").toList();
    refused(
        fn,
        "xx",
        b ->
            b.selfManagedEventSource(
                s -> s.endpoints(Map.of(EndPointType.KAFKA_BOOTSTRAP_SERVERS, eleven))),
        "at most 10");
  }

  /** Creating the mapping fails with InvalidParameterValueException saying {@code message}. */
  void refused(
      String fn,
      String topic,
      Consumer<CreateEventSourceMappingRequest.Builder> settings,
      String message) {
    assertThatThrownBy(() -> map(fn, topic, settings))
        .isInstanceOf(InvalidParameterValueException.class)
        .hasMessageContaining(message);
  }

  static void onFailure(CreateEventSourceMappingRequest.Builder b, String destination) {
    b.destinationConfig(d -> d.onFailure(f -> f.destination(destination)));
  }
}
