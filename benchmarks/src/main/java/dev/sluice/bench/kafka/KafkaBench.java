package dev.sluice.bench.kafka;

import dev.sluice.bench.kinesis.ServerProcess;
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
        int idle = o.int_("idle-mappings", 0);
        if (idle > 0) {
          KafkaIdle.measure(o, bootstrap, topic, idle);
        } else {
          compare(o, bootstrap, topic);
        }
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
    long records = o.long_("records", 6_000_000);
    int bytes = o.int_("record-bytes", 100);
    int batchSize = o.int_("batch-size", 1000);
    System.out.printf(
        "%n== kafka: %,d keyed records of %d B on %d partitions; raw consumer vs a TRIM_HORIZON"
            + " mapping with BatchSize %d to a no-op handler%n",
        records, bytes, o.int_("partitions", 8), batchSize);
    long t0 = System.nanoTime();
    long loaded = TopicLoad.preload(bootstrap, topic, records, bytes);
    System.out.printf("pre-loaded %,d records in %.1f s%n", loaded, (System.nanoTime() - t0) / 1e9);
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
        KafkaRounds rounds = new KafkaRounds(o, bootstrap, topic, loaded, batchSize, d);
        rounds.warmUp();
        KafkaRounds.report(rounds.run());
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

  private static void deleteTopic(String bootstrap, String topic) {
    try (var admin =
        org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.deleteTopics(List.of(topic)).all().get();
    } catch (Exception e) {
      System.err.println("clean-up: cannot delete topic " + topic + ": " + e);
    }
  }

  static String suffix() {
    return Long.toHexString(System.nanoTime() & 0xffffffL);
  }
}
