package dev.sluice.mapper;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.mapper.kafka.KafkaRecordingHandler;
import dev.sluice.testing.KafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Kafka mapping across a restart of the mapping service: stored config, committed offsets. */
class KafkaMappingRestartTest {

  static final Path OUT = Path.of(System.getProperty("java.io.tmpdir"), "sluice-kafka-test");

  @TempDir Path dir;
  MapperHarness h;
  KafkaProducer<String, String> producer;

  @BeforeEach
  void start() {
    h = new MapperHarness(dir).startMappings(Duration.ofMillis(10), Duration.ofMillis(50));
    producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", KafkaBroker.bootstrapServers()),
            new StringSerializer(),
            new StringSerializer());
  }

  @AfterEach
  void stop() {
    producer.close();
    h.close();
  }

  List<String> values(String fn, int n) throws Exception {
    Path log = OUT.resolve(fn + ".log");
    for (int i = 0; i < 1000; i++) {
      List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
      if (lines.size() >= n) {
        Thread.sleep(100); // a redelivery would show up meanwhile
        return Files.readAllLines(log).stream().map(l -> l.split("\\|")[1]).toList();
      }
      Thread.sleep(10);
    }
    throw new AssertionError("fewer than " + n + " records delivered");
  }

  static String topic() throws Exception {
    String topic = "r-" + UUID.randomUUID().toString().substring(0, 8);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", KafkaBroker.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }
    return topic;
  }

  /** A mapping of {@code topic} to {@code fn} from TRIM_HORIZON, batches of 1; its UUID. */
  String map(String fn, String topic, Integer parallelization) {
    KafkaSource source =
        new KafkaSource(List.of(KafkaBroker.bootstrapServers()), topic, null, null);
    MappingRequest r =
        new MappingRequest(
            fn,
            null,
            null,
            1,
            null,
            "TRIM_HORIZON",
            null,
            parallelization,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            source);
    return h.mappings.create(r).config().uuid();
  }

  @Test
  void restart_kafkaMapping_reloadsItsSourceAndResumesFromCommittedOffsets() throws Exception {
    String topic = topic();
    String fn = h.function("fixture.KafkaRecorder", KafkaRecordingHandler.SOURCES);
    String uuid = map(fn, topic, 2);
    for (int i = 0; i < 3; i++) {
      producer.send(new ProducerRecord<>(topic, "k", "before-" + i)).get();
    }
    assertThat(values(fn, 3)).containsExactly("before-0", "before-1", "before-2");

    h.mappings.close();
    h.startMappings(Duration.ofMillis(10), Duration.ofMillis(50));
    producer.send(new ProducerRecord<>(topic, "k", "after")).get();

    assertThat(values(fn, 4)).containsExactly("before-0", "before-1", "before-2", "after");
    MappingConfig c = h.mappings.get(uuid).config();
    assertThat(c.kafka().topic()).isEqualTo(topic);
    assertThat(c.kafka().consumerGroupId()).as("Lambda's default group").isEqualTo(uuid);
    assertThat(c.parallelizationFactor()).isEqualTo(2);
    assertThat(c.stream()).isNull();
  }

  @Test
  void invoke_startThrowsAnError_batchRetriedAndTheMappingGoesOn() throws Exception {
    String topic = topic();
    String fn = h.function("fixture.KafkaRecorder", KafkaRecordingHandler.SOURCES);
    h.failNextStart.set(true); // no thread left for the first invocation
    map(fn, topic, null);
    producer.send(new ProducerRecord<>(topic, "k", "first")).get();

    Path log = OUT.resolve(fn + ".log");
    for (int i = 0; i < 1000 && !Files.exists(log); i++) {
      h.clock.advance(100); // the retry waits on the mapper's clock
      Thread.sleep(10);
    }
    assertThat(h.failNextStart).as("the failing start happened").isFalse();
    producer.send(new ProducerRecord<>(topic, "k", "second")).get();
    assertThat(values(fn, 2)).containsExactly("first", "second");
  }
}
