package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.function.EventQueue;
import dev.sluice.function.QueuedEvent;
import dev.sluice.log.kafka.KafkaConnection;
import dev.sluice.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The queue of asynchronous events on a real broker; each test has a topic and group of its own.
 */
class KafkaEventQueueTest {

  String topic;
  String group;
  final List<KafkaEventQueue> open = new ArrayList<>();

  @BeforeEach
  void names() {
    String id = UUID.randomUUID().toString().substring(0, 8);
    topic = "__keq-" + id + ".async";
    group = "keq-" + id;
  }

  @AfterEach
  void close() {
    open.forEach(KafkaEventQueue::close);
  }

  KafkaEventQueue queue() {
    KafkaEventQueue q =
        KafkaEventQueue.open(
            KafkaConnection.of(KafkaBroker.bootstrapServers()),
            topic,
            group,
            1,
            false,
            Duration.ofSeconds(6));
    open.add(q);
    return q;
  }

  static QueuedEvent event(String id, byte[] payload) {
    return new QueuedEvent(id, "fn", payload, 1_700_000_000_000L);
  }

  static QueuedEvent event(String id) {
    return event(id, ("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void offer_thenStart_handsEachEventOverWithItsPayloadAndTime() {
    KafkaEventQueue q = queue();
    byte[] large = new byte[1 << 20]; // Lambda's largest Event payload
    Arrays.fill(large, (byte) 'x');
    q.offer(event("a"));
    q.offer(event("b", large));
    Map<String, QueuedEvent> seen = new ConcurrentHashMap<>();
    q.start(d -> seen.put(d.event().requestId(), d.event()));

    await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() == 2);
    assertThat(new String(seen.get("a").payload(), StandardCharsets.UTF_8))
        .isEqualTo("{\"id\":\"a\"}");
    assertThat(seen.get("a").function()).isEqualTo("fn");
    assertThat(seen.get("a").acceptedMillis()).isEqualTo(1_700_000_000_000L);
    assertThat(seen.get("b").payload()).isEqualTo(large);
  }

  @Test
  void close_someEventsNotDone_theGroupsNextQueueRunsThoseAndNoneDoneBeforeThem() {
    KafkaEventQueue first = queue();
    List<String> ids = List.of("e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9");
    ids.forEach(id -> first.offer(event(id)));
    List<EventQueue.Delivery> handed = new CopyOnWriteArrayList<>();
    first.start(handed::add);
    await().atMost(Duration.ofSeconds(30)).until(() -> handed.size() == ids.size());
    List<String> notDone = new ArrayList<>();
    for (EventQueue.Delivery d : handed) {
      if (d.event().requestId().equals("e3") || d.event().requestId().equals("e7")) {
        notDone.add(d.event().requestId());
      } else {
        d.done();
      }
    }
    first.close();
    assertThat(handed).allSatisfy(d -> assertThat(d.current()).isFalse());

    KafkaEventQueue next = queue();
    List<String> again = new CopyOnWriteArrayList<>();
    next.start(d -> again.add(d.event().requestId()));
    await().atMost(Duration.ofSeconds(30)).until(() -> again.containsAll(notDone));
    // a partition starts again at its first event not done: later ones in it may run again,
    // earlier ones never
    assertThat(again).doesNotHaveDuplicates();
    for (String id : again) {
      int partitionFirstOpen = firstOpenOfSamePartition(handed, id, notDone);
      assertThat(offsetOf(handed, id)).isGreaterThanOrEqualTo(partitionFirstOpen);
    }
  }

  @Test
  void offer_eventsInARow_eachGoesToTheNextPartition() {
    KafkaEventQueue q = queue();
    for (int i = 0; i < EventTopic.PARTITIONS; i++) {
      q.offer(event("e-" + i));
    }
    List<EventQueue.Delivery> handed = new CopyOnWriteArrayList<>();
    q.start(handed::add);

    await().atMost(Duration.ofSeconds(30)).until(() -> handed.size() == EventTopic.PARTITIONS);
    // a producer's sticky partitioning put them all in one: one node got a whole burst
    assertThat(handed)
        .extracting(d -> partitionOf(handed, d.event().requestId()))
        .doesNotHaveDuplicates();
  }

  @Test
  void start_twoQueuesOfOneGroup_eachEventHandedToOneOfThem() {
    KafkaEventQueue a = queue();
    KafkaEventQueue b = queue();
    List<String> seenA = new CopyOnWriteArrayList<>();
    List<String> seenB = new CopyOnWriteArrayList<>();
    a.start(
        d -> {
          seenA.add(d.event().requestId());
          d.done();
        });
    b.start(
        d -> {
          seenB.add(d.event().requestId());
          d.done();
        });
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              a.offer(event(UUID.randomUUID().toString()));
              return !seenA.isEmpty() && !seenB.isEmpty();
            });
    assertThat(seenA).doesNotContainAnyElementsOf(seenB);
  }

  @Test
  void offer_overTheTopicsRecordLimit_refusedWithAStateException() {
    KafkaEventQueue q = queue();
    byte[] tooLarge = new byte[EventTopic.MAX_RECORD_BYTES];

    assertThatThrownBy(() -> q.offer(event("big", tooLarge))).isInstanceOf(StateException.class);
  }

  @Test
  void start_aNewerNodesEventWithAFieldThisVersionDoesNotKnow_handedOverAllTheSame()
      throws Exception {
    KafkaEventQueue q = queue(); // makes the topic
    String newer =
        "{\"requestId\":\"n-1\",\"function\":\"fn\",\"payload\":\"e30=\","
            + "\"acceptedMillis\":1,\"attempt\":1,\"throttles\":0,\"priority\":\"high\"}";
    Map<String, Object> c =
        KafkaConnection.of(KafkaBroker.bootstrapServers()).clientConfig("keq-test-writer");
    try (var producer =
        new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(
            c,
            new org.apache.kafka.common.serialization.ByteArraySerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      producer
          .send(
              new org.apache.kafka.clients.producer.ProducerRecord<>(
                  topic, null, newer.getBytes(StandardCharsets.UTF_8)))
          .get();
    }
    List<QueuedEvent> seen = new CopyOnWriteArrayList<>();
    q.start(d -> seen.add(d.event()));

    await().atMost(Duration.ofSeconds(30)).until(() -> !seen.isEmpty());
    assertThat(seen.get(0).requestId()).isEqualTo("n-1");
    assertThat(seen.get(0).attempt()).isEqualTo(1);
    assertThat(new String(seen.get(0).payload(), StandardCharsets.UTF_8)).isEqualTo("{}");
  }

  @Test
  void open_topicMadeBeforehandWithKafkasDefaultRecordLimit_stateExceptionNamingTheLimit()
      throws Exception {
    KafkaConnection c = KafkaConnection.of(KafkaBroker.bootstrapServers());
    try (var admin = org.apache.kafka.clients.admin.Admin.create(c.clientConfig("keq-admin"))) {
      admin
          .createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 8, (short) 1)))
          .all()
          .get();
    }

    assertThatThrownBy(this::queue)
        .isInstanceOf(StateException.class)
        .hasMessageContaining("max.message.bytes=1048588")
        .hasMessageContaining("needs at least " + EventTopic.MAX_RECORD_BYTES);
  }

  /** The offset of the first not-done event in the partition of {@code id}, or MAX_VALUE. */
  private static int firstOpenOfSamePartition(
      List<EventQueue.Delivery> handed, String id, List<String> notDone) {
    int partition = partitionOf(handed, id);
    return handed.stream()
        .filter(d -> notDone.contains(d.event().requestId()))
        .filter(d -> partitionOf(handed, d.event().requestId()) == partition)
        .mapToInt(d -> (int) offsetOf(handed, d.event().requestId()))
        .min()
        .orElse(Integer.MAX_VALUE);
  }

  private static int partitionOf(List<EventQueue.Delivery> handed, String id) {
    return Integer.parseInt(describe(handed, id).split("@")[0]);
  }

  private static long offsetOf(List<EventQueue.Delivery> handed, String id) {
    return Long.parseLong(describe(handed, id).split("@")[1]);
  }

  private static String describe(List<EventQueue.Delivery> handed, String id) {
    return handed.stream()
        .filter(d -> d.event().requestId().equals(id))
        .findFirst()
        .map(KafkaEventQueue::position)
        .orElseThrow();
  }
}
