package dev.sluice.mapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.function.FunctionException;
import dev.sluice.function.FunctionService;
import dev.sluice.function.InvocationResult;
import dev.sluice.function.KinesisBatch;
import dev.sluice.log.LogRecord;
import dev.sluice.stream.HashKeys;
import dev.sluice.stream.Shard;
import dev.sluice.testing.HandlerJars;
import dev.sluice.testing.LocalFunctions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kinesis batch handed to KinesisEvent handlers as objects: what the handler receives must be
 * exactly what aws-lambda-java-serialization makes of the JSON event, with the events library
 * loaded by the function's own class loader as in production.
 */
class KinesisBatchesTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String[] KEY_PIECES = {
    "a",
    "Z",
    "9",
    "-",
    "/",
    "\"",
    "\\",
    "\n",
    "\t",
    "\u0000",
    "\u001f",
    "\u007f",
    "é",
    "€",
    "ключ",
    "\uD83D\uDE00",
    "\uD800",
    "\uDFFF",
    "\u2028",
    " ",
    "{}",
    "\uFFFF"
  };

  @TempDir Path dir;
  LocalFunctions functions;
  FunctionService service;
  final EventBuilder events =
      new EventBuilder(
              "eu-west-3", "123456789012", "arn:aws:kinesis:eu-west-3:123456789012:stream/s")
          .forGeneration(1_795_000_000_123L);
  final Shard shard = Shard.open(7, null, null, HashKeys.split(1).get(0), 0);

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
    deploy("describe", "fixture.Describe", HandlerJars.lambdaZip(DescribeHandler.SOURCES));
    Random random = new Random(20261125);
    long offset = 0;
    for (int b = 0; b < 6; b++) {
      List<LogRecord> batch = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        int n = b * 500 + i;
        offset =
            n == 2999 ? Long.MAX_VALUE : offset + 1 + random.nextLong(1L << random.nextInt(50));
        batch.add(new LogRecord(offset, arrival(random, n), key(random), data(random)));
      }
      KinesisBatch objects = KinesisBatches.of(events, shard, batch);
      KinesisBatch noJson = new KinesisBatch(objects.records(), KinesisBatchesTest::noJson, 0);

      String fromJson = answer(service.invoke("describe", events.eventBytes(shard, batch), null));
      String direct = answer(service.invoke("describe", noJson));

      assertThat(direct).isEqualTo(fromJson);
      assertThat(fromJson).contains("getRecords=java.util.ArrayList[");
      assertThat(fromJson.split("getPartitionKey=", -1)).hasSize(501);
    }
  }

  @Test
  void of_zeroAndSmallArrivals_dateAsTheLibraryMakesIt() throws Exception {
    deploy("describe", "fixture.Describe", HandlerJars.lambdaZip(DescribeHandler.SOURCES));
    List<LogRecord> batch =
        List.of(
            new LogRecord(0, 0, "k", new byte[0]),
            new LogRecord(1, 1, "k", new byte[] {1}),
            new LogRecord(2, 999, "k", new byte[] {1, 2}),
            new LogRecord(3, (1L << 53) - 1, "k", new byte[] {1, 2, 3}));
    KinesisBatch objects = KinesisBatches.of(events, shard, batch);

    String fromJson = answer(service.invoke("describe", events.eventBytes(shard, batch), null));
    String direct = answer(service.invoke("describe", objects));

    assertThat(direct).isEqualTo(fromJson).contains("getApproximateArrivalTimestamp=null");
    assertThat(fromJson).contains("getApproximateArrivalTimestamp=Date(1);");
    assertThat(fromJson).contains("getEncryptionType=null;");
  }

  @Test
  void of_arrivalOutsideExactRange_returnsNull() {
    LogRecord late = new LogRecord(0, 1L << 53, "k", new byte[0]);
    LogRecord negative = new LogRecord(0, -1, "k", new byte[0]);

    assertThat(KinesisBatches.of(events, shard, List.of(late))).isNull();
    assertThat(KinesisBatches.of(events, shard, List.of(negative))).isNull();
  }

  @Test
  void of_smallBatch_maxJsonBytesBoundsTheLengthWithinSixBytesAKeyCharacter() {
    List<LogRecord> batch = new ArrayList<>();
    long keyChars = 0;
    for (int i = 0; i < 50; i++) {
      batch.add(new LogRecord(i, 1_700_000_000_000L + i * 7L, "key-" + i, new byte[i]));
      keyChars += ("key-" + i).length();
    }
    batch.add(new LogRecord(99, 12, "", new byte[0]));

    KinesisBatch objects = KinesisBatches.of(events, shard, batch);

    int actual = events.eventBytes(shard, batch).length;
    assertThat(objects.maxJsonBytes()).isBetween((long) actual, actual + 5 * keyChars);
    assertThat(objects.json()).isEqualTo(events.eventBytes(shard, batch));
  }

  @Test
  void of_coarseBoundOverTheLimit_refinedToTheExactLength() {
    List<LogRecord> batch = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      batch.add(new LogRecord(i, 1_700_000_000_000L + i, "k".repeat(256), new byte[100]));
    }

    KinesisBatch objects = KinesisBatches.of(events, shard, batch);

    assertThat(objects.maxJsonBytes()).isEqualTo(events.eventBytes(shard, batch).length);
    assertThat(objects.maxJsonBytes()).isLessThan(6L * 1024 * 1024);
  }

  @Test
  void digits_powersOfTen_countDecimalDigits() {
    assertThat(KinesisBatches.digits(0)).isEqualTo(1);
    assertThat(KinesisBatches.digits(9)).isEqualTo(1);
    assertThat(KinesisBatches.digits(10)).isEqualTo(2);
    assertThat(KinesisBatches.digits(1_700_000_000L)).isEqualTo(10);
    assertThat(KinesisBatches.digits(Long.MAX_VALUE)).isEqualTo(19);
  }

  @Test
  void of_escapedAndUnicodeKeys_maxJsonBytesBoundsTheLength() {
    Random random = new Random(7);
    for (int round = 0; round < 200; round++) {
      List<LogRecord> batch = new ArrayList<>();
      for (int i = 0; i < 1 + random.nextInt(20); i++) {
        batch.add(new LogRecord(i, arrival(random, i), key(random), data(random)));
      }
      KinesisBatch objects = KinesisBatches.of(events, shard, batch);

      assertThat(objects.maxJsonBytes())
          .isGreaterThanOrEqualTo(events.eventBytes(shard, batch).length);
    }
  }

  @Test
  void invoke_streamHandlerGivenKinesisBatch_readsTheJson() throws Exception {
    deploy("echo", "fixture.Echo", HandlerJars.jar(ECHO));
    List<LogRecord> batch = List.of(new LogRecord(5, 1_700_000_000_123L, "k\"1", new byte[] {9}));

    FunctionService.Invoked inv =
        service.invoke("echo", KinesisBatches.of(events, shard, batch)).join();

    byte[] out = ((InvocationResult.Success) inv.report().result()).payload();
    assertThat(new String(out, StandardCharsets.UTF_8))
        .isEqualTo(new String(events.eventBytes(shard, batch), StandardCharsets.UTF_8));
  }

  @Test
  void invoke_kinesisBatchOverSixMegabytes_tooLarge() throws Exception {
    deploy("echo", "fixture.Echo", HandlerJars.jar(ECHO));
    byte[] huge = new byte[6 * 1024 * 1024 + 1];
    KinesisBatch big = new KinesisBatch(new Object[0], () -> huge, huge.length);

    assertThatThrownBy(() -> service.invoke("echo", big))
        .isInstanceOf(FunctionException.class)
        .extracting(e -> ((FunctionException) e).kind())
        .isEqualTo(FunctionException.Kind.TOO_LARGE);
  }

  @Test
  void invoke_boundOverLimitButJsonSmall_invokes() throws Exception {
    deploy("echo", "fixture.Echo", HandlerJars.jar(ECHO));
    byte[] small = "{\"Records\":[]}".getBytes(StandardCharsets.UTF_8);
    KinesisBatch bounded = new KinesisBatch(new Object[0], () -> small, 100L << 20);

    FunctionService.Invoked inv = service.invoke("echo", bounded).join();

    assertThat(((InvocationResult.Success) inv.report().result()).payload()).isEqualTo(small);
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
    throw new AssertionError("the JSON was built although the handler takes a KinesisEvent");
  }

  /** Every millisecond fraction in turn, over whole seconds of every magnitude up to 2^53 ms. */
  static long arrival(Random random, int n) {
    long whole = random.nextInt(4) == 0 ? random.nextInt(3) : random.nextLong(1L << 43);
    return whole * 1000 + n % 1000;
  }

  static String key(Random random) {
    StringBuilder k = new StringBuilder();
    int pieces = random.nextInt(12);
    for (int i = 0; i < pieces; i++) {
      k.append(KEY_PIECES[random.nextInt(KEY_PIECES.length)]);
    }
    return k.toString();
  }

  static byte[] data(Random random) {
    byte[] d = new byte[random.nextInt(4) == 0 ? 0 : random.nextInt(300)];
    random.nextBytes(d);
    return d;
  }
}
