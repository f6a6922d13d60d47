package dev.sluice.mapper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.function.FunctionService;
import dev.sluice.function.InvocationResult;
import dev.sluice.function.KinesisBatch;
import dev.sluice.testing.HandlerJars;
import dev.sluice.testing.LocalFunctions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka batch handed to KafkaEvent handlers as objects: what the handler receives must be
 * exactly what aws-lambda-java-serialization makes of the JSON event, with the events library
 * loaded by the function's own class loader as in production.
 */
class KafkaBatchesTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String SERVERS = "b1:9092,b-2.example:9094";
  static final String[] TOPICS = {"orders", "a.b_c-d", "T", "orders-1"};
  static final String[] NAME_PIECES = {
    "a", "Z", "-", "\"", "\\", "\n", "\u0000", "é", "€", "\uD83D\uDE00", " "
  };

  @TempDir Path dir;
  LocalFunctions functions;
  FunctionService service;

  @BeforeEach
  void open() {
    functions = new LocalFunctions(dir);
    service = functions.service();
  }

  @AfterEach
  void close() {
    functions.close();
  }

  @Test
  void of_randomBatches_handlerGetsExactlyWhatTheJsonGives() throws Exception {
    deploy(
        "describe", "fixture.KafkaDescribe", HandlerJars.lambdaZip(KafkaDescribeHandler.SOURCES));
    Random random = new Random(20261125);
    for (int b = 0; b < 6; b++) {
      List<ConsumerRecord<byte[], byte[]>> records = batch(random, b, 400);
      KinesisBatch objects = KafkaBatches.of(SERVERS, records);
      KinesisBatch noJson =
          new KinesisBatch(
              KinesisBatch.KAFKA_EVENT, objects.records(), KafkaBatchesTest::noJson, 0);
      byte[] json = KafkaEventBytes.of(SERVERS, records);

      String fromJson = answer(service.invoke("describe", json, null));
      String direct = answer(service.invoke("describe", noJson));

      assertThat(direct).isEqualTo(fromJson);
      assertThat(fromJson).contains("getRecords=java.util.LinkedHashMap{");
      assertThat(fromJson.split("getTopic=", -1)).hasSize(401);
      assertThat(objects.maxJsonBytes()).isGreaterThanOrEqualTo(json.length);
      assertThat(objects.json()).isEqualTo(json);
    }
  }

  @Test
  void jsonBound_fetchedRecordWithSerializedSizes_boundsItsJsonAsTheArraysDo() {
    byte[] key = "order-17".getBytes(StandardCharsets.UTF_8);
    byte[] value = new byte[1001];
    RecordHeaders headers = new RecordHeaders();
    headers.add("trace", new byte[] {1, 2, 3});
    ConsumerRecord<byte[], byte[]> fetched =
        new ConsumerRecord<>(
            "orders",
            2,
            5,
            1L,
            TimestampType.CREATE_TIME,
            key.length,
            value.length,
            key,
            value,
            headers,
            Optional.empty());
    ConsumerRecord<byte[], byte[]> nullValue =
        new ConsumerRecord<>(
            "orders",
            2,
            6,
            1L,
            TimestampType.CREATE_TIME,
            key.length,
            -1,
            key,
            null,
            headers,
            Optional.empty());
    ConsumerRecord<byte[], byte[]> made = new ConsumerRecord<>("orders", 2, 5, key, value);
    made.headers().add("trace", new byte[] {1, 2, 3});

    assertThat(KafkaBatches.jsonBound(fetched)).isEqualTo(KafkaBatches.jsonBound(made));
    assertThat(KafkaBatches.jsonBound(fetched) - KafkaBatches.jsonBound(nullValue))
        .isEqualTo((value.length + 2) / 3 * 4);
    assertThat(KafkaBatches.of(SERVERS, List.of(fetched, nullValue)).maxJsonBytes())
        .isGreaterThanOrEqualTo(KafkaEventBytes.of(SERVERS, List.of(fetched, nullValue)).length);
  }

  @Test
  void invoke_streamHandlerGivenKafkaBatch_readsTheJson() throws Exception {
    deploy("echo", "fixture.Echo", HandlerJars.jar(ECHO));
    List<ConsumerRecord<byte[], byte[]>> records = batch(new Random(7), 0, 20);

    FunctionService.Invoked inv = service.invoke("echo", KafkaBatches.of(SERVERS, records)).join();

    assertThat(((InvocationResult.Success) inv.report().result()).payload())
        .isEqualTo(KafkaEventBytes.of(SERVERS, records));
  }

  @Test
  void invoke_kafkaHandlerGivenKinesisLaidOutBatch_readsTheJson() throws Exception {
    deploy(
        "describe", "fixture.KafkaDescribe", HandlerJars.lambdaZip(KafkaDescribeHandler.SOURCES));
    List<ConsumerRecord<byte[], byte[]>> records = batch(new Random(8), 0, 20);
    byte[] json = KafkaEventBytes.of(SERVERS, records);
    KinesisBatch kinesis = new KinesisBatch(new Object[0], () -> json, json.length);

    assertThat(answer(service.invoke("describe", kinesis)))
        .isEqualTo(answer(service.invoke("describe", json, null)));
  }

  static final Map<String, String> ECHO =
      Map.of(
          "fixture.Echo",
          """
          package fixture;
          import com.amazonaws.services.lambda.runtime.*;
          import java.io.*;
          public class Echo implements RequestStreamHandler {
            public void handleRequest(InputStream in, OutputStream out, Context ctx) throws IOException {
              in.transferTo(out);
            }
          }
          """);

  void deploy(String name, String handler, byte[] zip) {
    functions.deploy(name, handler, zip);
  }

  static String answer(java.util.concurrent.CompletableFuture<FunctionService.Invoked> call)
      throws Exception {
    return LocalFunctions.answer(call);
  }

  static byte[] noJson() {
    throw new AssertionError("the JSON was built although the handler takes a KafkaEvent");
  }

  /** Records of a few topic-partitions, interleaved so that groups recur out of order. */
  static List<ConsumerRecord<byte[], byte[]>> batch(Random random, int b, int n) {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    long offset = b == 5 ? Long.MAX_VALUE - n - 1 : random.nextLong(1L << 40);
    for (int i = 0; i < n; i++) {
      String topic = TOPICS[random.nextInt(random.nextInt(5) == 0 ? TOPICS.length : 1)];
      int partition =
          random.nextInt(3) == 0 ? Integer.MAX_VALUE - random.nextInt(2) : random.nextInt(3);
      records.add(record(random, topic, partition, offset++));
    }
    return records;
  }

  static ConsumerRecord<byte[], byte[]> record(
      Random random, String topic, int partition, long offset) {
    TimestampType type = TimestampType.values()[random.nextInt(TimestampType.values().length)];
    long timestamp = type == TimestampType.NO_TIMESTAMP_TYPE ? -1 : random.nextLong(1L << 45);
    byte[] key = random.nextInt(4) == 0 ? null : bytes(random, 40);
    byte[] value = random.nextInt(6) == 0 ? null : bytes(random, 300);
    RecordHeaders headers = new RecordHeaders();
    for (int h = random.nextInt(4); h > 0; h--) {
      headers.add(name(random), random.nextInt(4) == 0 ? null : bytes(random, 20));
    }
    return new ConsumerRecord<>(
        topic,
        partition,
        offset,
        timestamp,
        type,
        key == null ? -1 : key.length,
        value == null ? -1 : value.length,
        key,
        value,
        headers,
        Optional.empty());
  }

  static String name(Random random) {
    StringBuilder k = new StringBuilder();
    for (int i = random.nextInt(6); i >= 0; i--) {
      k.append(NAME_PIECES[random.nextInt(NAME_PIECES.length)]);
    }
    return new String(k.toString().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
  }

  static byte[] bytes(Random random, int max) {
    byte[] d = new byte[random.nextInt(4) == 0 ? 0 : random.nextInt(max)];
    random.nextBytes(d);
    return d;
  }
}
