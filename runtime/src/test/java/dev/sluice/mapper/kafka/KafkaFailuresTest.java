package dev.sluice.mapper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.mapper.KafkaSource;
import dev.sluice.mapper.MappingConfig;
import dev.sluice.mapper.StartingPosition;
import dev.sluice.stream.Arns;
import dev.sluice.testing.LocalFunctions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaFailuresTest {

  @TempDir Path dir;
  final ExecutorService shared = Executors.newSingleThreadExecutor();
  LocalFunctions functions;

  @AfterEach
  void close() {
    shared.shutdownNow();
    if (functions != null) {
      functions.close();
    }
  }

  @Test
  void skipped_topicOfABrokerThatNeverAnswers_failsTheBatchAfterOneWaitAndLeavesTheSharedPoolFree()
      throws Exception {
    // nothing listens there: the producer never gets the topic's metadata
    String nowhere = "127.0.0.1:" + dev.sluice.testing.TcpForwarder.freePort();
    functions = new LocalFunctions(dir);
    KafkaDeps deps =
        new KafkaDeps(
            functions.service(),
            null,
            new Arns("us-east-1", "000000000000"),
            shared,
            Clock.systemUTC(),
            Duration.ofMillis(100),
            Duration.ofSeconds(1),
            Duration.ofSeconds(5));
    MappingConfig config = config(nowhere);
    KafkaBatch batch = new KafkaBatch(List.of(record(0), record(1), record(2)), 0);

    try (KafkaFailures failures =
        new KafkaFailures(config, deps, new KafkaEvents(List.of(nowhere)))) {
      long start = System.nanoTime();
      CompletableFuture<Void> sent =
          failures.skipped(
              batch, new KafkaFailures.Skip("RetryAttemptsExhausted", null, 1, "req-1"));

      // other mappings' checkpoint saves and failure records use the shared pool meanwhile
      assertThat(CompletableFuture.supplyAsync(() -> "free", shared).get(2, TimeUnit.SECONDS))
          .isEqualTo("free");
      Throwable e = sent.handle((v, x) -> x).get(40, TimeUnit.SECONDS);
      assertThat(e).hasRootCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
      assertThat(e.getCause() != null ? e.getCause() : e)
          .isInstanceOfSatisfying(
              KafkaFailures.PartlySent.class, p -> assertThat(p.unsent.records()).hasSize(3));
      // one metadata wait (10 s), not one for each of the three records
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(25));
    }
  }

  private static ConsumerRecord<byte[], byte[]> record(long offset) {
    return new ConsumerRecord<>("orders", 0, offset, ("k" + offset).getBytes(), new byte[] {1});
  }

  private static MappingConfig config(String servers) {
    return new MappingConfig(
        "u-failures",
        "f",
        null,
        true,
        100,
        0,
        StartingPosition.TRIM_HORIZON,
        null,
        1,
        false,
        0,
        -1,
        "kafka://failures",
        false,
        List.of(),
        0,
        false,
        0,
        new KafkaSource(List.of(servers), "orders", "g", List.of()));
  }
}
