package dev.sluice.mapper.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.mapper.KafkaSource;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopicRetentionTest {

  @TempDir Path dir;

  @Test
  void lookUp_secretUnreadable_nothingEscapesTheThread() throws Exception {
    String missing = dir.resolve("gone.json").toUri().toString();
    KafkaSource source =
        new KafkaSource(
            List.of("127.0.0.1:1"),
            "orders",
            "group",
            List.of(new KafkaSource.Access("SASL_SCRAM_512_AUTH", missing)));
    List<Throwable> escaped = new CopyOnWriteArrayList<>();
    Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> escaped.add(e));
    try {
      TopicRetention.lookUp("m-unreadable", source, null);
      Thread t = thread("kafka-esm-retention-m-unreadable");
      if (t != null) { // else it ended already, after any handler call
        t.join(10_000);
      }
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(before);
    }
    assertEquals(List.of(), escaped);
  }

  private static Thread thread(String name) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(name))
        .findFirst()
        .orElse(null);
  }
}
