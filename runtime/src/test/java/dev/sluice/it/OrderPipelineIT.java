package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's path, end to end: {@code ./sluice up} on the top-level template.yaml in a child
 * process, orders loaded with {@code ./sluice put}, then every order must reach Delivered and every
 * event must produce exactly one notification. A second load is interrupted by a SIGKILL of the
 * server; after {@code ./sluice up} again, everything still arrives, duplicates allowed only for
 * the events that were in flight across the crash.
 */
class OrderPipelineIT {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path JAR = ROOT.resolve("examples/order-pipeline/target/order-pipeline.jar");

  @TempDir Path work;
  final int port = freePort();
  final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopAll() throws InterruptedException {
    for (Process p : started) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void orderPipeline_loadThenCrashMidStream_everyOrderDeliveredAndNotified() throws Exception {
    Process up = up("first.log");
    Path first = generate(150, 1, 1);
    assertThat(sluice("put", "orders", "--key-field", "orderId", "-", first)).isZero();
    Map<String, Integer> counts = awaitPipeline(List.of(first));
    assertThat(counts.values()).as("one notification per event, no crash yet").containsOnly(1);
    Set<String> firstEvents = eventIds(first);

    Path second = generate(400, 2, 1001);
    assertThat(sluice("put", "orders", "--key-field", "orderId", "-", second)).isZero();
    ProcessHandle.of(serverPid("first.log")).orElseThrow().destroyForcibly();
    assertThat(up.waitFor(60, TimeUnit.SECONDS)).as("up ends when its server dies").isTrue();
    Process again = up("second.log");
    counts = awaitPipeline(List.of(first, second));

    for (String id : firstEvents) {
      assertThat(counts.get(id)).as("settled before the crash: exactly once").isEqualTo(1);
    }
    assertThat(counts.keySet()).containsAll(eventIds(second));
    assertThat(Files.readString(work.resolve("second.log")))
        .contains("deployed template.yaml: no changes");
    again.destroy();
    assertThat(again.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readString(work.resolve("second.log"))).contains("stopped");
  }

  private Process up(String logName) throws Exception {
    Path log = work.resolve(logName);
    ProcessBuilder pb =
        new ProcessBuilder(
                "bash",
                ROOT.resolve("sluice").toString(),
                "up",
                "template.yaml",
                "--no-view",
                "--port",
                Integer.toString(port),
                "--data-dir",
                work.resolve("data").toString(),
                "--parameter-overrides",
                "StateDir=" + work.resolve("state"))
            .directory(ROOT.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().put("SLUICE_JAVA_OPTS", "-Xmx256m");
    Process p = pb.start();
    started.add(p);
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (!Files.readString(log).contains("deployed template.yaml")) {
      assertThat(p.isAlive()).as(Files.readString(log)).isTrue();
      assertThat(System.nanoTime()).as("deploy within 3 min").isLessThan(deadline);
      Thread.sleep(200);
    }
    return p;
  }

  private int sluice(String command, String stream, String flag, String value, String dash, Path in)
      throws Exception {
    Process p =
        new ProcessBuilder(
                "bash",
                ROOT.resolve("sluice").toString(),
                command,
                stream,
                flag,
                value,
                dash,
                "--endpoint",
                "http://127.0.0.1:" + port)
            .directory(ROOT.toFile())
            .redirectInput(in.toFile())
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("put.log").toFile())
            .start();
    started.add(p);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    return p.exitValue();
  }

  private Path generate(int orders, int seed, int firstOrder) throws Exception {
    Path out = work.resolve("orders-" + firstOrder + ".jsonl");
    String java = SluiceProcess.java();
    Process p =
        new ProcessBuilder(
                java,
                "-cp",
                JAR.toString(),
                "dev.sluice.examples.orders.LoadGenerator",
                "--orders",
                Integer.toString(orders),
                "--seed",
                Integer.toString(seed),
                "--first-order",
                Integer.toString(firstOrder),
                "--out",
                out.toString())
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("generator.log").toFile())
            .start();
    assertThat(p.waitFor(1, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(work.resolve("generator.log"))).isZero();
    return out;
  }

  /** Waits until every order is Delivered and every event has a notification; counts them. */
  private Map<String, Integer> awaitPipeline(List<Path> loads) throws Exception {
    Set<String> orders = new LinkedHashSet<>();
    Set<String> events = new LinkedHashSet<>();
    for (Path l : loads) {
      orders.addAll(orderIds(l));
      events.addAll(eventIds(l));
    }
    long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
    while (true) {
      Map<String, Integer> counts = notifications();
      boolean delivered = orders.stream().allMatch(this::delivered);
      if (delivered && counts.keySet().containsAll(events)) {
        return counts;
      }
      assertThat(System.nanoTime())
          .as(
              "pipeline settles within 4 min; delivered=%s, notified %d of %d",
              delivered, counts.size(), events.size())
          .isLessThan(deadline);
      Thread.sleep(1000);
    }
  }

  private boolean delivered(String orderId) {
    return readState(work.resolve("state").resolve(orderId + ".json")).equals("Delivered");
  }

  private static String readState(Path f) {
    try {
      return JSON.readTree(f.toFile()).path("state").asText();
    } catch (IOException e) {
      return "";
    }
  }

  private Map<String, Integer> notifications() throws Exception {
    Path out = work.resolve("notifications.txt");
    Process p =
        new ProcessBuilder(
                "bash",
                ROOT.resolve("sluice").toString(),
                "tail",
                "notifications",
                "--from",
                "trim-horizon",
                "--no-follow",
                "--format",
                "data",
                "--endpoint",
                "http://127.0.0.1:" + port)
            .directory(ROOT.toFile())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    Map<String, Integer> counts = new HashMap<>();
    if (p.exitValue() != 0) {
      return counts;
    }
    for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
      JsonNode n = JSON.readTree(line);
      counts.merge(n.path("eventId").asText(), 1, Integer::sum);
    }
    return counts;
  }

  private static Set<String> eventIds(Path load) throws IOException {
    return field(load, "eventId");
  }

  private static Set<String> orderIds(Path load) throws IOException {
    return field(load, "orderId");
  }

  private static Set<String> field(Path load, String name) throws IOException {
    Set<String> out = new LinkedHashSet<>();
    for (String line : Files.readAllLines(load)) {
      out.add(JSON.readTree(line).path(name).asText());
    }
    return out;
  }

  private long serverPid(String logName) throws IOException {
    Matcher m =
        Pattern.compile("server running \\(pid (\\d+)")
            .matcher(Files.readString(work.resolve(logName)));
    assertThat(m.find()).as("up printed the server's pid").isTrue();
    return Long.parseLong(m.group(1));
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
