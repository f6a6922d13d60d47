package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.HandlerJars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
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
    KeyedRecords records = new KeyedRecords();
    Random random = new Random(7);
    int kills = 3;
    try {
      for (int round = 0; round <= kills; round++) {
        try (SluiceProcess server =
            new SluiceProcess(dir.resolve("data"), dir.resolve("server.log"))) {
          server.start();
          try (KinesisClient kinesis = ItClients.kinesis(server.endpoint());
              LambdaClient lambda = ItClients.lambda(server.endpoint())) {
            if (round == 0) {
              setUp(kinesis, lambda, function);
            }
            if (round == kills) {
              awaitDelivery(delivered, records.acked());
              assertThat(
                      KeyedRecords.assertFirstDeliveriesInKeyOrder(Files.readAllLines(delivered)))
                  .as("distinct records delivered")
                  .isGreaterThan(100);
              return;
            }
            long killAt =
                System.nanoTime() + Duration.ofMillis(300 + random.nextInt(700)).toNanos();
            while (System.nanoTime() < killAt) {
              records.put(kinesis, STREAM, 10);
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
    ItClients.awaitActive(kinesis, STREAM);
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
}
