package dev.sluice.bench.kafka;

import dev.sluice.bench.kinesis.ServerProcess;
import dev.sluice.bench.mapper.CpuTimes;
import dev.sluice.bench.mapper.LambdaApi;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * Kafka-source delivery against a plain consumer: one topic, pre-loaded once, is read from the
 * start by a raw kafka-clients consumer loop and then by a Sluice SelfManagedKafka mapping to a
 * no-op handler, on the same broker in the same run. Target: the mapping reaches at least 80 % of
 * the raw consumer's records/s.
 */
public final class KafkaBench {

  private KafkaBench() {}

  /** Entry point: {@code kafka [options]}. */
  public static void main(String[] args) {
    KafkaOptions o;
    try {
      o = KafkaOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.print(KafkaOptions.USAGE);
      System.exit(2);
      return;
    }
    if (o == null) {
      System.out.print(KafkaOptions.USAGE);
      return;
    }
    int status = 0;
    try {
      run(o);
    } catch (Exception e) {
      e.printStackTrace();
      status = 1;
    }
    System.exit(status);
  }

  private static void run(KafkaOptions o) throws Exception {
    EmbeddedBroker broker = null;
    try {
      String bootstrap = o.string("bootstrap");
      if (bootstrap == null) {
        broker = EmbeddedBroker.start(o.brokerProps);
        bootstrap = broker.bootstrap();
        System.out.println(
            "started a KRaft broker in this process on " + bootstrap + " " + o.brokerProps);
      }
      String topic = "sluice-bench-" + suffix();
      TopicLoad.create(bootstrap, topic, o.int_("partitions", 8));
      try {
        compare(o, bootstrap, topic);
      } finally {
        if (broker == null) {
          deleteTopic(bootstrap, topic);
        }
      }
    } finally {
      if (broker != null) {
        broker.close();
      }
    }
  }

  private static void compare(KafkaOptions o, String bootstrap, String topic) throws Exception {
    long records = o.long_("records", 2_000_000);
    int bytes = o.int_("record-bytes", 100);
    int batchSize = o.int_("batch-size", 1000);
    int timeout = o.int_("timeout", 300);
    System.out.printf(
        "%n== kafka: %,d keyed records of %d B on %d partitions; raw consumer vs a TRIM_HORIZON"
            + " mapping with BatchSize %d to a no-op handler%n",
        records, bytes, o.int_("partitions", 8), batchSize);
    long t0 = System.nanoTime();
    long loaded = TopicLoad.preload(bootstrap, topic, records, bytes);
    System.out.printf("pre-loaded %,d records in %.1f s%n", loaded, (System.nanoTime() - t0) / 1e9);
    double raw = raw(o, bootstrap, topic, loaded, batchSize, timeout);
    double sluice = sluice(o, bootstrap, topic, loaded, batchSize, timeout);
    double ratio = sluice / raw;
    System.out.printf(
        "%nraw consumer %,.0f records/s, sluice mapping %,.0f records/s: %.1f %% of raw%n",
        raw, sluice, ratio * 100);
    System.out.printf("target >= 80 %% of raw: %s%n", ratio >= 0.8 ? "met" : "NOT met");
  }

  /** The raw consumer's records/s (after a warm-up read with another group). */
  private static double raw(
      KafkaOptions o, String bootstrap, String topic, long records, int batchSize, int timeout) {
    int maxPoll = mappingMaxPoll(batchSize);
    if (o.warmup) {
      System.out.println("raw consumer warm-up (same records, another group):");
      RawConsumer.read(bootstrap, topic, "raw-warm-" + suffix(), maxPoll, records, timeout);
    }
    System.out.printf(
        "raw consumer (max.poll.records %d, fetch.max.wait.ms %d, commitSync per poll):%n",
        maxPoll, MAPPING_FETCH_MAX_WAIT_MILLIS);
    CpuTimes cpu = CpuTimes.start(ProcessHandle.current().pid());
    double secs = RawConsumer.read(bootstrap, topic, "raw-" + suffix(), maxPoll, records, timeout);
    String report = cpu.stop("benchmark process (broker + consumer)");
    double rate = records / secs;
    System.out.printf("  %,.0f records/s (%.2f s); %s%n", rate, secs, report);
    return rate;
  }

  /** The mapping's records/s (after a warm-up mapping to another function). */
  private static double sluice(
      KafkaOptions o, String bootstrap, String topic, long records, int batchSize, int timeout)
      throws Exception {
    URI endpoint = o.endpoint();
    long pid = o.long_("server-pid", -1);
    ServerProcess server = null;
    try {
      if (endpoint == null) {
        System.out.println("starting server from " + o.jar() + " " + o.serverOpts);
        server = ServerProcess.start(o.jar(), o.serverOpts, o.keepData);
        endpoint = server.endpoint();
        pid = server.pid();
      }
      try (SluiceDelivery d = new SluiceDelivery(new LambdaApi(endpoint), pid, bootstrap, topic)) {
        return mappings(o, d, records, batchSize, timeout);
      }
    } catch (RuntimeException e) {
      if (server != null) {
        System.err.println("server log tail:\n" + server.logTail());
      }
      throw e;
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  private static double mappings(
      KafkaOptions o, SluiceDelivery d, long records, int batchSize, int timeout)
      throws InterruptedException {
    // one function for both: the measured mapping finds it deployed and its code warm, as a
    // mapping to a long-deployed function does; the raw loop's warm-up is the same idea
    String function = "kafka-" + suffix();
    if (o.warmup) {
      System.out.println("warm-up mapping (same records and function, another group):");
      SluiceDelivery.Run w = d.deliver(function, "g-warm-" + function, batchSize, records, timeout);
      System.out.printf("  %,.0f records/s (%.2f s)%n", records / w.seconds(), w.seconds());
    }
    System.out.println("measured mapping:");
    SluiceDelivery.Run run = d.deliver(function, "g-" + function, batchSize, records, timeout);
    double rate = records / run.seconds();
    System.out.printf(
        "  %,.0f records/s (%.2f s); %s; %s%n",
        rate, run.seconds(), run.serverCpu(), run.benchCpu());
    return rate;
  }

  /**
   * The {@code fetch.max.wait.ms} a mapping's consumer uses (KafkaRunner): the raw consumer uses it
   * too, or the broker would hold its last fetches for the default 500 ms.
   */
  static final int MAPPING_FETCH_MAX_WAIT_MILLIS = 50;

  /** The {@code max.poll.records} a mapping's consumer uses for {@code batchSize} (KafkaRunner). */
  static int mappingMaxPoll(int batchSize) {
    return Math.max(500, Math.min(batchSize, 10_000));
  }

  private static void deleteTopic(String bootstrap, String topic) {
    try (var admin =
        org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.deleteTopics(List.of(topic)).all().get();
    } catch (Exception e) {
      System.err.println("clean-up: cannot delete topic " + topic + ": " + e);
    }
  }

  private static String suffix() {
    return Long.toHexString(System.nanoTime() & 0xffffffL);
  }
}
