package dev.sluice.bench.kafka;

import dev.sluice.bench.mapper.CpuTimes;
import dev.sluice.bench.mapper.LambdaApi;
import dev.sluice.bench.mapper.handlers.KafkaNoopHandler;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Sluice side: no-op functions deployed from this jar and SelfManagedKafka mappings on the
 * benchmark topic, each in a fresh consumer group; it counts through the status route.
 */
final class SluiceDelivery implements AutoCloseable {

  private final LambdaApi lambda;
  private final Path code;
  private final long serverPid;
  private final String bootstrap;
  private final String topic;
  private final List<String> functions = new ArrayList<>();
  private final List<String> mappings = new ArrayList<>();

  SluiceDelivery(LambdaApi lambda, long serverPid, String bootstrap, String topic) {
    this.lambda = lambda;
    this.code = LambdaApi.handlerCode();
    this.serverPid = serverPid;
    this.bootstrap = bootstrap;
    this.topic = topic;
  }

  /**
   * Result of one mapping: seconds from its creation to the last record, the CPU used, and its poll
   * thread's scheduler account over its life (which is the mapping's).
   */
  record Run(double seconds, String serverCpu, String benchCpu, Schedstat pollThread) {}

  /**
   * Creates function {@code name} unless this benchmark created it already, and a TRIM_HORIZON
   * mapping to it with consumer group {@code group}, then polls RecordsProcessed every 20 ms until
   * {@code expected} records are processed.
   */
  Run deliver(String name, String group, int batchSize, long expected, int timeout)
      throws InterruptedException {
    ensureFunction(name);
    CpuTimes server = CpuTimes.start(serverPid);
    CpuTimes bench = CpuTimes.start(ProcessHandle.current().pid());
    long t0 = System.nanoTime();
    String uuid = lambda.createKafkaMapping(name, bootstrap, topic, group, batchSize);
    mappings.add(uuid);
    long processed = await(uuid, expected, t0, timeout);
    double secs = (System.nanoTime() - t0) / 1e9;
    Run run =
        new Run(
            secs,
            server.stop(),
            bench.stop("benchmark process (broker)"),
            pollThread(serverPid, uuid));
    if (processed < expected) {
      throw new IllegalStateException(
          "mapping processed " + processed + " of " + expected + " records in " + timeout + " s");
    }
    delete(uuid);
    return run;
  }

  /**
   * The scheduler account of mapping {@code uuid}'s poll thread ({@code kafka-esm-UUID}, which
   * Linux shortens to 15 characters, five of the UUID's; the storage engine's threads are named
   * {@code sluice-kafka-…}) from /proc; unknown when it cannot be told.
   */
  static Schedstat pollThread(long pid, String uuid) {
    String comm = ("kafka-esm-" + uuid).substring(0, 15);
    Schedstat found = Schedstat.UNKNOWN;
    try (DirectoryStream<Path> tasks =
        Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
      for (Path t : tasks) {
        if (!Files.readString(t.resolve("comm")).strip().equals(comm)) {
          continue;
        }
        if (found.known()) {
          return Schedstat.UNKNOWN; // two mappings' threads with the same prefix: ambiguous
        }
        found = Schedstat.read(t.resolve("schedstat"));
      }
    } catch (IOException | RuntimeException e) {
      return Schedstat.UNKNOWN;
    }
    return found;
  }

  /** Deletes mapping {@code uuid} and waits until it is gone: an idle mapping still polls. */
  private void delete(String uuid) throws InterruptedException {
    lambda.deleteMapping(uuid);
    mappings.remove(uuid);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (lambda.mappingExists(uuid)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("mapping " + uuid + " still exists 30 s after its delete");
      }
      Thread.sleep(20);
    }
  }

  private long await(String uuid, long expected, long t0, int timeout) throws InterruptedException {
    long deadline = t0 + TimeUnit.SECONDS.toNanos(timeout);
    long processed = 0;
    long lastPrint = t0;
    long first = -1;
    long p95 = -1;
    while (processed < expected && System.nanoTime() < deadline) {
      Thread.sleep(20);
      processed = lambda.status(uuid).path("RecordsProcessed").asLong();
      long now = System.nanoTime();
      if (first < 0 && processed > 0) {
        first = now;
        System.out.printf("  the first records processed after %.2f s%n", (now - t0) / 1e9);
      }
      if (p95 < 0 && processed >= expected * 95 / 100) {
        p95 = now;
        System.out.printf("  95 %% processed after %.2f s%n", (now - t0) / 1e9);
      }
      if (now - lastPrint > 5_000_000_000L) {
        System.out.printf("  %,d processed after %.1f s%n", processed, (now - t0) / 1e9);
        lastPrint = now;
      }
    }
    return processed;
  }

  /** Creates function {@code name} unless this benchmark created it already. */
  void ensureFunction(String name) {
    if (!functions.contains(name)) {
      lambda.createFunction(name, KafkaNoopHandler.class.getName(), code);
      functions.add(name);
    }
  }

  /** A mapping to {@code name} in consumer group {@code group}, left running; its uuid. */
  String mapping(String name, String group, int batchSize) {
    ensureFunction(name);
    String uuid = lambda.createKafkaMapping(name, bootstrap, topic, group, batchSize);
    mappings.add(uuid);
    return uuid;
  }

  /** Deletes the mappings first (they stop consuming), then the functions. */
  @Override
  public void close() {
    for (String u : mappings) {
      lambda.quietly(() -> lambda.deleteMapping(u));
    }
    for (String f : functions) {
      lambda.quietly(() -> lambda.deleteFunction(f));
    }
  }
}
