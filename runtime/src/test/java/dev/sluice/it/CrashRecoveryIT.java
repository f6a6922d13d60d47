package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * Kills the server with SIGKILL at random moments while producers write, restarts it on the same
 * data directory, and checks that every acknowledged record survived, in per-key order.
 */
class CrashRecoveryIT {

  private static final String STREAM = "crash-orders";
  private static final int PRODUCERS = 4;
  private static final int KEYS_PER_PRODUCER = 8;

  /** What the producers were told: key → (counter → sequence number). */
  private final Map<String, Map<Integer, String>> acked = new ConcurrentHashMap<>();

  private final Map<String, Integer> nextCounter = new ConcurrentHashMap<>();

  @Test
  void sigkill_whileProducing_everyAcknowledgedRecordSurvivesInKeyOrder(@TempDir Path dir)
      throws Exception {
    Path data = dir.resolve("data");
    Path log = dir.resolve("server.log");
    Random random = new Random(42);
    int kills = 6;
    for (int round = 0; round <= kills; round++) {
      try (SluiceProcess server = new SluiceProcess(data, log)) {
        server.start();
        try (KinesisClient kinesis = ItClients.kinesis(server.endpoint())) {
          if (round == 0) {
            kinesis.createStream(b -> b.streamName(STREAM).shardCount(4));
          }
          ItClients.awaitActive(kinesis, STREAM);
          if (round == kills) {
            verify(kinesis);
            assertThat(server.stop()).as("exit code after SIGTERM").isIn(0, 130, 143);
            return;
          }
          produceUntilKilled(kinesis, server, 400 + random.nextInt(1200));
        }
      }
    }
  }

  private void produceUntilKilled(KinesisClient kinesis, SluiceProcess server, long killAfterMillis)
      throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(PRODUCERS);
    for (int p = 0; p < PRODUCERS; p++) {
      int producer = p;
      pool.submit(() -> produce(kinesis, producer, stop));
    }
    Thread.sleep(killAfterMillis);
    server.kill();
    stop.set(true);
    pool.shutdown();
    assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
  }

  private void produce(KinesisClient kinesis, int producer, AtomicBoolean stop) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!stop.get() && System.nanoTime() < deadline) {
      List<String> keys = new ArrayList<>();
      List<Integer> counters = new ArrayList<>();
      List<PutRecordsRequestEntry> entries = new ArrayList<>();
      for (int k = 0; k < KEYS_PER_PRODUCER; k++) {
        String key = "order-" + producer + "-" + k;
        int counter = nextCounter.merge(key, 1, Integer::sum);
        keys.add(key);
        counters.add(counter);
        entries.add(
            PutRecordsRequestEntry.builder()
                .partitionKey(key)
                .data(SdkBytes.fromString(key + "#" + counter, StandardCharsets.UTF_8))
                .build());
      }
      PutRecordsResponse resp;
      try {
        resp = kinesis.putRecords(b -> b.streamName(STREAM).records(entries));
      } catch (RuntimeException e) {
        return; // server gone: these records are not acknowledged, and may or may not exist
      }
      for (int i = 0; i < entries.size(); i++) {
        PutRecordsResultEntry r = resp.records().get(i);
        if (r.errorCode() == null) {
          acked
              .computeIfAbsent(keys.get(i), x -> new ConcurrentHashMap<>())
              .put(counters.get(i), r.sequenceNumber());
        }
      }
    }
  }

  private void verify(KinesisClient kinesis) {
    Map<String, Map<Integer, String>> found = new HashMap<>();
    for (Shard shard : kinesis.listShards(b -> b.streamName(STREAM)).shards()) {
      Map<String, Integer> lastCounter = new HashMap<>();
      String it =
          kinesis
              .getShardIterator(
                  b ->
                      b.streamName(STREAM)
                          .shardId(shard.shardId())
                          .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
              .shardIterator();
      while (true) {
        String current = it;
        GetRecordsResponse r = kinesis.getRecords(b -> b.shardIterator(current));
        for (var rec : r.records()) {
          String[] parts = rec.data().asString(StandardCharsets.UTF_8).split("#");
          int counter = Integer.parseInt(parts[1]);
          Integer prev = lastCounter.put(parts[0], counter);
          assertThat(prev == null || prev < counter).as("per-key order of " + parts[0]).isTrue();
          found.computeIfAbsent(parts[0], x -> new HashMap<>()).put(counter, rec.sequenceNumber());
        }
        if (r.records().isEmpty()) {
          break;
        }
        it = r.nextShardIterator();
      }
    }
    int total = 0;
    for (Map.Entry<String, Map<Integer, String>> key : acked.entrySet()) {
      for (Map.Entry<Integer, String> rec : key.getValue().entrySet()) {
        assertThat(found.getOrDefault(key.getKey(), Map.of()).get(rec.getKey()))
            .as("acknowledged record %s#%d", key.getKey(), rec.getKey())
            .isEqualTo(rec.getValue());
        total++;
      }
    }
    assertThat(total).as("acknowledged records checked").isGreaterThan(500);
  }
}
