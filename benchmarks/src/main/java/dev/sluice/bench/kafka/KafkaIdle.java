package dev.sluice.bench.kafka;

import dev.sluice.bench.kinesis.ServerProcess;
import dev.sluice.bench.mapper.CpuTimes;
import dev.sluice.bench.mapper.LambdaApi;
import java.net.URI;

/**
 * What SelfManagedKafka mappings cost while their topic is idle: N mappings, each in a consumer
 * group of its own, on one topic that receives nothing. After their groups have joined, the
 * server's CPU and the benchmark process's (the broker's) are measured over a quiet interval.
 */
final class KafkaIdle {

  private KafkaIdle() {}

  static void measure(KafkaOptions o, String bootstrap, String topic, int count) throws Exception {
    int seconds = o.int_("idle-seconds", 30);
    System.out.printf(
        "%n== kafka idle: %d mappings (one consumer group each) on an idle topic of %d"
            + " partitions, measured over %d s%n",
        count, o.int_("partitions", 8), seconds);
    URI endpoint = o.endpoint();
    long pid = o.long_("server-pid", -1);
    ServerProcess server = null;
    try {
      if (endpoint == null) {
        server = ServerProcess.start(o.jar(), o.serverOpts, o.keepData);
        endpoint = server.endpoint();
        pid = server.pid();
      }
      try (SluiceDelivery d = new SluiceDelivery(new LambdaApi(endpoint), pid, bootstrap, topic)) {
        String function = "idle-" + KafkaBench.suffix();
        CpuTimes before = CpuTimes.start(pid);
        for (int i = 0; i < count; i++) {
          d.mapping(function, "g-idle-" + i + "-" + KafkaBench.suffix(), 100);
        }
        Thread.sleep(15_000); // group joins and first fetches
        System.out.printf("  creating and joining: %s%n", before.stop());
        CpuTimes server0 = CpuTimes.start(pid);
        CpuTimes bench0 = CpuTimes.start(ProcessHandle.current().pid());
        Thread.sleep(seconds * 1000L);
        System.out.printf(
            "  idle: %s; %s%n", server0.stop(), bench0.stop("benchmark process (broker)"));
      }
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }
}
