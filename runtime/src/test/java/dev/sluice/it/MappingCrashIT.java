package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.HandlerJars;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.EventSourcePosition;

/**
 * Kills the server with SIGKILL while a mapping delivers a stream to a function, several times, and
 * checks afterwards that every acknowledged record reached the handler at least once and that each
 * key's records were first delivered in order.
 */
class MappingCrashIT {

  private static final String STREAM = "crash-mapped";
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
              for (KinesisEvent.KinesisEventRecord r : event.getRecords()) {
                lines.append(StandardCharsets.UTF_8.decode(r.getKinesis().getData())).append('\\n');
              }
              try {
                Path log = Paths.get(System.getProperty("java.io.tmpdir"), "sluice-crash-" + ctx.getFunctionName() + ".log");
                Files.writeString(log, lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
              return null;
            }
          }
          """);

  @Test
  void sigkill_whileMappingDelivers_everyAcknowledgedRecordReachesTheHandlerInKeyOrder(
      @TempDir Path dir) throws Exception {
    String function = "crash-" + UUID.randomUUID().toString().substring(0, 8);
    Path delivered =
        Path.of(System.getProperty("java.io.tmpdir"), "sluice-crash-" + function + ".log");
    Map<String, Integer> next = new HashMap<>();
    Set<String> acked = new HashSet<>();
    Random random = new Random(7);
    int kills = 3;
    try {
      for (int round = 0; round <= kills; round++) {
        try (SluiceProcess server =
            new SluiceProcess(dir.resolve("data"), dir.resolve("server.log"))) {
          server.start();
          try (KinesisClient kinesis = kinesis(server.endpoint());
              LambdaClient lambda = lambda(server.endpoint())) {
            if (round == 0) {
              setUp(kinesis, lambda, function);
            }
            if (round == kills) {
              awaitDelivery(delivered, acked);
              assertOrder(delivered);
              return;
            }
            long killAt =
                System.nanoTime() + Duration.ofMillis(300 + random.nextInt(700)).toNanos();
            while (System.nanoTime() < killAt) {
              produce(kinesis, next, acked);
            }
            server.kill();
          }
        }
      }
    } finally {
      Files.deleteIfExists(delivered);
    }
  }

  private static void setUp(KinesisClient kinesis, LambdaClient lambda, String function)
      throws Exception {
    kinesis.createStream(b -> b.streamName(STREAM).shardCount(2));
    for (int i = 0;
        i < 200
            && !kinesis
                .describeStreamSummary(b -> b.streamName(STREAM))
                .streamDescriptionSummary()
                .streamStatusAsString()
                .equals("ACTIVE");
        i++) {
      Thread.sleep(10);
    }
    lambda.createFunction(
        b ->
            b.functionName(function)
                .runtime("java17")
                .role("arn:aws:iam::000000000000:role/r")
                .handler("fixture.Recorder")
                .timeout(10)
                .code(c -> c.zipFile(SdkBytes.fromByteArray(HandlerJars.lambdaZip(RECORDER)))));
    lambda.createEventSourceMapping(
        b ->
            b.functionName(function)
                .eventSourceArn("arn:aws:kinesis:us-east-1:000000000000:stream/" + STREAM)
                .startingPosition(EventSourcePosition.TRIM_HORIZON)
                .batchSize(20)
                .parallelizationFactor(2));
  }

  private static void produce(KinesisClient kinesis, Map<String, Integer> next, Set<String> acked) {
    List<PutRecordsRequestEntry> entries = new ArrayList<>();
    List<String> values = new ArrayList<>();
    for (int k = 0; k < 10; k++) {
      String key = "order-" + k;
      int n = next.merge(key, 1, Integer::sum);
      values.add(key + "#" + n);
      entries.add(
          PutRecordsRequestEntry.builder()
              .partitionKey(key)
              .data(SdkBytes.fromUtf8String(key + "#" + n))
              .build());
    }
    PutRecordsResponse r;
    try {
      r = kinesis.putRecords(b -> b.streamName(STREAM).records(entries));
    } catch (RuntimeException serverGone) {
      return;
    }
    for (int i = 0; i < values.size(); i++) {
      if (r.records().get(i).errorCode() == null) {
        acked.add(values.get(i));
      }
    }
  }

  private static void awaitDelivery(Path delivered, Set<String> acked) throws Exception {
    Set<String> missing = new HashSet<>(acked);
    for (int i = 0; i < 3000 && !missing.isEmpty(); i++) {
      if (Files.exists(delivered)) {
        missing.removeAll(Files.readAllLines(delivered));
      }
      Thread.sleep(10);
    }
    assertThat(acked).as("acknowledged records").hasSizeGreaterThan(100);
    assertThat(missing).as("acknowledged records never delivered").isEmpty();
  }

  /** On first delivery, each key's counters only grow: a redelivery may repeat, never reorder. */
  private static void assertOrder(Path delivered) throws Exception {
    Map<String, Integer> firstSeenMax = new HashMap<>();
    Set<String> seen = new HashSet<>();
    for (String line : Files.readAllLines(delivered)) {
      String[] p = line.split("#");
      if (p.length != 2 || !p[1].matches("\\d+") || !seen.add(line)) {
        continue;
      }
      int n = Integer.parseInt(p[1]);
      Integer prev = firstSeenMax.put(p[0], n);
      assertThat(prev == null || prev < n).as("first delivery order of %s at %d", p[0], n).isTrue();
    }
    assertThat(seen).as("distinct records delivered").hasSizeGreaterThan(100);
  }

  private static KinesisClient kinesis(URI endpoint) {
    return KinesisClient.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
        .httpClient(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(10)).build())
        .overrideConfiguration(c -> c.retryPolicy(RetryPolicy.none()))
        .build();
  }

  private static LambdaClient lambda(URI endpoint) {
    return LambdaClient.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
        .httpClient(UrlConnectionHttpClient.create())
        .build();
  }
}
