package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.HandlerJars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/**
 * Two Sluice nodes on one Kafka cluster: Event invocations accepted by one node that is killed with
 * SIGKILL before running them are all run by the other, as a 202 from Lambda promises.
 */
class ClusterAsyncEventsIT {

  /** Runs for 5 s, then writes "id pid" to a file named after the function. */
  private static final Map<String, String> SLOW_RECORDER =
      Map.of(
          "fixture.SlowRecorder",
          """
          package fixture;
          import com.amazonaws.services.lambda.runtime.Context;
          import com.amazonaws.services.lambda.runtime.RequestHandler;
          import java.nio.file.*;
          import java.util.Map;
          public class SlowRecorder implements RequestHandler<Map<String, Object>, Void> {
            public Void handleRequest(Map<String, Object> event, Context ctx) {
              try {
                Thread.sleep(5000);
                Path log = Paths.get(System.getProperty("java.io.tmpdir"), "sluice-async-" + ctx.getFunctionName() + ".log");
                String line = event.get("id") + " " + ProcessHandle.current().pid() + "\\n";
                Files.writeString(log, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.SYNC);
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
              return null;
            }
          }
          """);

  private static final int EVENTS = 40;

  @Test
  void sigkillTheNodeThatAcceptedEvents_beforeTheyRan_theOtherNodeRunsEveryOne(@TempDir Path dir)
      throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 8);
    String function = "async-" + id;
    Path ran = Path.of(System.getProperty("java.io.tmpdir"), "sluice-async-" + function + ".log");
    List<String> serve = ItClients.kafkaStorage("ait-" + id + ".");
    try (SluiceProcess a =
            new SluiceProcess(dir.resolve("a"), dir.resolve("a.log"), List.of(), serve);
        SluiceProcess b =
            new SluiceProcess(dir.resolve("b"), dir.resolve("b.log"), List.of(), serve)) {
      a.start();
      b.start();
      try (LambdaClient lambdaA = ItClients.lambda(a.endpoint());
          LambdaClient lambdaB = ItClients.lambda(b.endpoint())) {
        deploy(lambdaB, function);
        Set<String> accepted = new HashSet<>();
        for (int i = 0; i < EVENTS; i++) {
          String event = "e" + i;
          assertThat(invokeEvent(lambdaA, function, event))
              .as("status of %s", event)
              .isEqualTo(202);
          accepted.add(event);
        }
        a.kill(); // before any event's 5 s are up

        Set<String> missing = awaitRun(ran, accepted);
        assertThat(missing).as("accepted events never run").isEmpty();
        assertThat(pidsOf(ran)).as("nodes that finished an event").containsOnly(b.pid());
      }
    } finally {
      Files.deleteIfExists(ran);
    }
  }

  private static void deploy(LambdaClient lambda, String function) {
    lambda.createFunction(
        b ->
            b.functionName(function)
                .runtime("java17")
                .role("arn:aws:iam::000000000000:role/r")
                .handler("fixture.SlowRecorder")
                .timeout(30)
                .code(
                    c -> c.zipFile(SdkBytes.fromByteArray(HandlerJars.lambdaZip(SLOW_RECORDER)))));
  }

  /** The status of an Event invocation, once the node knows the function deployed elsewhere. */
  private static int invokeEvent(LambdaClient lambda, String function, String event) {
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        return lambda
            .invoke(
                b ->
                    b.functionName(function)
                        .invocationType(InvocationType.EVENT)
                        .payload(SdkBytes.fromUtf8String("{\"id\":\"" + event + "\"}")))
            .statusCode();
      } catch (ResourceNotFoundException e) {
        if (System.nanoTime() > until) {
          throw e;
        }
        ItClients.sleep(50);
      }
    }
  }

  private static Set<String> awaitRun(Path ran, Set<String> accepted) throws Exception {
    Set<String> missing = new HashSet<>(accepted);
    long until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (!missing.isEmpty() && System.nanoTime() < until) {
      for (String[] line : lines(ran)) {
        missing.remove(line[0]);
      }
      ItClients.sleep(200);
    }
    return missing;
  }

  private static Set<Long> pidsOf(Path ran) throws Exception {
    Set<Long> out = new HashSet<>();
    for (String[] line : lines(ran)) {
      out.add(Long.parseLong(line[1]));
    }
    return out;
  }

  private static List<String[]> lines(Path ran) throws Exception {
    List<String[]> out = new ArrayList<>();
    if (Files.exists(ran)) {
      for (String line : Files.readAllLines(ran)) {
        String[] parts = line.split(" ");
        if (parts.length == 2) {
          out.add(parts);
        }
      }
    }
    return out;
  }
}
