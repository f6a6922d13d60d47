package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.log.kafka.KafkaConnection;
import dev.sluice.testing.KafkaBroker;
import dev.sluice.testing.ScramUsers;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared node state on a real broker; each test has a state topic of its own. */
class KafkaStateStoreTest {

  String topic;
  final List<KafkaStateStore> open = new ArrayList<>();

  @BeforeEach
  void topic() {
    topic = "__kss-" + UUID.randomUUID().toString().substring(0, 8) + ".state";
  }

  @AfterEach
  void close() {
    open.forEach(KafkaStateStore::close);
  }

  KafkaStateStore node() {
    KafkaStateStore s = KafkaStateStore.open(KafkaBroker.bootstrapServers(), topic, 1);
    open.add(s);
    return s;
  }

  record Change(String key, String value) {}

  static List<Change> following(KafkaStateStore store, String prefix) {
    List<Change> seen = new CopyOnWriteArrayList<>();
    store.listen(prefix, (k, v) -> seen.add(new Change(k, v == null ? null : text(v))));
    store.follow();
    return seen;
  }

  @Test
  void put_readBackBeforeItIsReportedFailed_deliveredToTheWritersListeners() throws Exception {
    CountDownLatch readBack = new CountDownLatch(1);
    // the broker has the record, but its answer comes after the record was read back, failed
    // (too few in-sync replicas after the append, say)
    KafkaStateStore s =
        KafkaStateStore.open(
            KafkaConnection.of(KafkaBroker.bootstrapServers()),
            topic,
            1,
            real -> answeringFailedOnceReadBack(real, readBack));
    open.add(s);
    List<String> judged = new CopyOnWriteArrayList<>(); // judges every record: once each
    s.listenAll(
        "k/",
        (k, v) -> {
          judged.add(k);
          readBack.countDown();
        });
    List<Change> seen = following(s, "k/");

    assertThatThrownBy(() -> s.put("k/1", bytes("landed"))).isInstanceOf(StateException.class);

    // its writer did not apply it, and every other node did: this node must too
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(seen).containsExactly(new Change("k/1", "landed")));
    assertThat(judged).containsExactly("k/1");
  }

  /** {@code real}, whose sends fail once the store has read their record back. */
  @SuppressWarnings("unchecked")
  static Producer<byte[], byte[]> answeringFailedOnceReadBack(
      Producer<byte[], byte[]> real, CountDownLatch readBack) {
    return (Producer<byte[], byte[]>)
        Proxy.newProxyInstance(
            Producer.class.getClassLoader(),
            new Class<?>[] {Producer.class},
            (proxy, method, args) -> {
              if (!method.getName().equals("send")) {
                return method.invoke(real, args);
              }
              ProducerRecord<byte[], byte[]> r = (ProducerRecord<byte[], byte[]>) args[0];
              return CompletableFuture.supplyAsync(
                  () -> {
                    try {
                      real.send(r).get();
                      readBack.await(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                      throw new CompletionException(e);
                    }
                    throw new CompletionException(
                        new NotEnoughReplicasAfterAppendException("answer lost"));
                  });
            });
  }

  @Test
  void put_onOneNode_reachesTheOtherNodesListenerInOrder() {
    KafkaStateStore a = node();
    KafkaStateStore b = node();
    List<Change> seen = following(b, "stream/");
    a.put("stream/orders", bytes("v1"));
    a.put("function/f", bytes("ignored: another prefix"));
    a.put("stream/orders", bytes("v2"));
    a.remove("stream/orders");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(seen)
                    .containsExactly(
                        new Change("stream/orders", "v1"),
                        new Change("stream/orders", "v2"),
                        new Change("stream/orders", null)));
  }

  @Test
  void stopFollowing_thenPut_writesStillReachOtherNodesButNoChangeIsDelivered() {
    KafkaStateStore a = node();
    KafkaStateStore b = node();
    KafkaStateStore c = node();
    List<Change> seenByA = following(a, "checkpoint/");
    List<Change> seenByC = following(c, "checkpoint/");

    a.stopFollowing();
    b.put("checkpoint/g/shard-1", bytes("from b"));
    a.put("checkpoint/g/shard-0", bytes("final, from a"));

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(seenByC)
                    .containsExactly(
                        new Change("checkpoint/g/shard-1", "from b"),
                        new Change("checkpoint/g/shard-0", "final, from a")));
    assertThat(seenByA).isEmpty();
  }

  @Test
  void put_aListenerThrowsAnError_laterChangesStillReachTheNode() {
    KafkaStateStore a = node();
    KafkaStateStore b = node();
    List<Change> seen = new CopyOnWriteArrayList<>();
    b.listen(
        "code/",
        (k, v) -> {
          if (k.equals("code/a")) {
            throw new NoClassDefFoundError("fixture/Gone"); // an Error, as a listener may meet
          }
          seen.add(new Change(k, text(v)));
        });
    b.follow();

    a.put("code/a", bytes("v1"));
    a.put("code/b", bytes("v1"));

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(seen).containsExactly(new Change("code/b", "v1")));
  }

  @Test
  void history_atOpen_holdsEveryRecordInOrderWithRemovalsButNotLargeValues() {
    KafkaStateStore a = node();
    a.put("function/f", bytes("v1"));
    a.put("function/g", bytes("g1"));
    a.put("function/f", bytes("v2"));
    a.remove("function/g");
    a.put("code/f/1", new byte[StateStore.HISTORY_VALUE_BYTES + 1]);
    a.put("stream/s", bytes("another prefix"));

    KafkaStateStore b = node();

    List<Change> history = new ArrayList<>();
    b.history("function/")
        .forEach(
            e ->
                history.add(
                    new Change(e.getKey(), e.getValue() == null ? null : text(e.getValue()))));
    assertThat(history)
        .containsExactly(
            new Change("function/f", "v1"),
            new Change("function/g", "g1"),
            new Change("function/f", "v2"),
            new Change("function/g", null));
    assertThat(b.history("code/")).as("too large to keep").isEmpty();
    assertThat(b.snapshot("code/")).containsKey("code/f/1");
    b.follow();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.history("function/"))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void awaitCurrent_afterAnotherNodesWrites_returnsOnceThisNodeAppliedThem() {
    KafkaStateStore a = node();
    KafkaStateStore b = node();
    List<Change> seen = new CopyOnWriteArrayList<>();
    b.listen(
        "function/",
        (k, v) -> {
          try {
            Thread.sleep(300); // a node slow to apply what it reads
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          seen.add(new Change(k, text(v)));
        });
    b.follow();
    a.put("function/f", bytes("code v2"));
    a.put("function/f", bytes("code v3"));
    a.put("function/g", bytes("new"));

    b.awaitCurrent();

    assertThat(seen)
        .containsExactly(
            new Change("function/f", "code v2"),
            new Change("function/f", "code v3"),
            new Change("function/g", "new"));
  }

  @Test
  void peek_whileAListenerTakesSeconds_seesLaterRecordsAtOnceAndTheViewStaysCurrent()
      throws Exception {
    KafkaStateStore a = node();
    KafkaStateStore b = node();
    CountDownLatch release = new CountDownLatch(1);
    List<Change> applied = new CopyOnWriteArrayList<>();
    List<Change> peeked = new CopyOnWriteArrayList<>();
    b.listen(
        "function/",
        (k, v) -> {
          awaitQuietly(release); // a package that takes long to unzip
          applied.add(new Change(k, text(v)));
        });
    b.listen("stream/", (k, v) -> applied.add(new Change(k, text(v))));
    b.peek("stream/", (k, v) -> peeked.add(new Change(k, text(v))));
    b.follow();

    a.put("function/f", bytes("code"));
    a.put("stream/orders", bytes("resharded"));

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> peeked.contains(new Change("stream/orders", "resharded")));
    Thread.sleep(1_500); // the listener is still busy; the reader goes on reading
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> b.viewAgeNanos() < TimeUnit.SECONDS.toNanos(1));
    assertThat(applied).isEmpty();
    release.countDown();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(applied)
                    .containsExactly(
                        new Change("function/f", "code"),
                        new Change("stream/orders", "resharded")));
  }

  @Test
  void viewAgeNanos_untilFollowing_growsAndOnceFollowingStaysSmall() throws Exception {
    KafkaStateStore b = node();
    Thread.sleep(1_000); // opened: read to the end once, then nothing more until it follows

    assertThat(b.viewAgeNanos()).isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(1));
    b.follow();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> b.viewAgeNanos() < TimeUnit.MILLISECONDS.toNanos(500));
  }

  @Test
  void viewAgeNanos_brokerHangsForTheNode_growsUntilItAnswersAgain() throws Exception {
    try (KafkaBroker.Relayed broker = KafkaBroker.startRelayed()) {
      KafkaStateStore b = KafkaStateStore.open(broker.bootstrapServers(), topic, 1);
      try {
        b.follow();
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> b.viewAgeNanos() < TimeUnit.MILLISECONDS.toNanos(500));

        // no reset, no refusal: the connection just stops answering, as in a network partition
        broker.relay().freeze();

        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> b.viewAgeNanos() > TimeUnit.SECONDS.toNanos(3));
        broker.relay().thaw();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> b.viewAgeNanos() < TimeUnit.SECONDS.toNanos(1));
      } finally {
        b.close();
      }
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void open_newTopic_segmentsCloseSoonEnoughForCompaction() throws Exception {
    node();
    try (org.apache.kafka.clients.admin.Admin admin =
        org.apache.kafka.clients.admin.Admin.create(
            Map.of("bootstrap.servers", KafkaBroker.bootstrapServers()))) {
      var resource =
          new org.apache.kafka.common.config.ConfigResource(
              org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
      var config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
      assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
      assertThat(config.get("segment.ms").value()).isEqualTo("3600000");
      assertThat(Long.parseLong(config.get("segment.bytes").value()))
          .isEqualTo(2L * StateStore.MAX_VALUE_BYTES);
    }
  }

  @Test
  void open_afterWrites_snapshotHoldsLastValuesInOrderOfLastWrite() {
    KafkaStateStore a = node();
    a.put("mapping/1", bytes("one"));
    a.put("mapping/2", bytes("two"));
    a.put("mapping/3", bytes("three"));
    a.put("mapping/1", bytes("one again"));
    a.remove("mapping/2");
    a.put("stream/x", bytes("other prefix"));

    Map<String, byte[]> snapshot = node().snapshot("mapping/");

    assertThat(snapshot.keySet()).containsExactly("mapping/3", "mapping/1");
    assertThat(text(snapshot.get("mapping/1"))).isEqualTo("one again");
  }

  @Test
  void put_ownWrite_isNotDeliveredBackToTheWriter() {
    KafkaStateStore a = node();
    KafkaStateStore b = node();
    List<Change> seenByA = following(a, "");
    List<Change> seenByB = following(b, "");
    a.put("stream/s", bytes("one"));
    a.put("stream/s", bytes("two"));
    a.put("stream/t", bytes("marker"));

    await().untilAsserted(() -> assertThat(seenByB).hasSize(3));
    b.put("stream/u", bytes("from b"));
    await().untilAsserted(() -> assertThat(seenByA).hasSize(1));
    assertThat(seenByA).containsExactly(new Change("stream/u", "from b"));
    assertThat(recordsOnTopic()).isEqualTo(4);
  }

  @Test
  void listenAll_ownWrites_areDeliveredTooInTheSharedOrder() {
    KafkaStateStore a = node();
    KafkaStateStore b = node();
    List<Change> all = new CopyOnWriteArrayList<>();
    a.listenAll("stream/", (k, v) -> all.add(new Change(k, v == null ? null : text(v))));
    a.follow();
    a.put("stream/s", bytes("own"));
    b.put("stream/s", bytes("other"));
    a.remove("stream/s");

    await()
        .untilAsserted(
            () ->
                assertThat(all)
                    .containsExactly(
                        new Change("stream/s", "own"),
                        new Change("stream/s", "other"),
                        new Change("stream/s", null)));
  }

  /** A component as the store expects one: applies and writes under one lock. */
  static final class Replica {
    final KafkaStateStore store;
    final Map<String, String> values = new java.util.HashMap<>();

    Replica(KafkaStateStore store) {
      this.store = store;
      store.listen(
          "",
          (k, v) -> {
            synchronized (this) {
              values.put(k, v == null ? null : text(v));
            }
          });
      store.follow();
    }

    synchronized void write(String key, String value) {
      values.put(key, value);
      store.put(key, bytes(value));
    }

    synchronized String value(String key) {
      return values.get(key);
    }
  }

  @Test
  void put_concurrentWritesFromTwoNodes_everyNodeEndsWithTheLastValueInTheTopic() throws Exception {
    Replica a = new Replica(node());
    Replica b = new Replica(node());
    Thread ta = new Thread(() -> writeMany(a, "a"));
    Thread tb = new Thread(() -> writeMany(b, "b"));
    ta.start();
    tb.start();
    ta.join();
    tb.join();
    a.write("marker", "a");
    b.write("marker", "b");
    await().until(() -> "b".equals(a.value("marker")));

    String last = text(node().snapshot("key").get("key"));
    await().atMost(Duration.ofSeconds(10)).until(() -> last.equals(a.value("key")));
    await().atMost(Duration.ofSeconds(10)).until(() -> last.equals(b.value("key")));
  }

  @Test
  void put_overtakenByAnotherNodesWrite_writerEndsWithItsOwnValueLastInTheTopic() throws Exception {
    KafkaStateStore a = node();
    KafkaStateStore b = node();
    java.util.concurrent.CountDownLatch arrived = new java.util.concurrent.CountDownLatch(1);
    Map<String, String> values = new java.util.HashMap<>();
    Object lock = new Object();
    a.listen(
        "",
        (k, v) -> {
          arrived.countDown();
          synchronized (lock) {
            values.put(k, v == null ? null : text(v));
          }
        });
    a.follow();

    synchronized (lock) {
      // b's write lands first and reaches a's listener, which waits for a's own change
      b.put("key", bytes("from b"));
      assertThat(arrived.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      a.put("key", bytes("from a"));
      values.put("key", "from a");
    }

    // b's older value is applied after a's own change; a's record, last in the topic, restores it
    await().atMost(Duration.ofSeconds(10)).until(() -> value(lock, values).equals("from a"));
    assertThat(text(node().snapshot("key").get("key"))).isEqualTo("from a");
  }

  private static String value(Object lock, Map<String, String> values) {
    synchronized (lock) {
      return String.valueOf(values.get("key"));
    }
  }

  private static void writeMany(Replica r, String who) {
    for (int i = 0; i < 40; i++) {
      r.write("key", who + i);
    }
  }

  @Test
  void put_packageOfTenMegabytes_roundTrips() {
    KafkaStateStore a = node();
    byte[] big = new byte[10 << 20];
    new Random(7).nextBytes(big);
    a.put("code/f/abcd", big);

    assertThat(node().snapshot("code/").get("code/f/abcd")).isEqualTo(big);
  }

  @Test
  void open_largeValues_holdsOnlyTheirOffsetsAndReadsEachWhenAsked() {
    KafkaStateStore a = node();
    List<byte[]> packages = new ArrayList<>();
    Random random = new Random(11);
    for (int i = 0; i < 4; i++) {
      byte[] p = new byte[3 << 20];
      random.nextBytes(p);
      packages.add(p);
      a.put("code/f" + i + "/abcd", p);
      a.put("function/f" + i, bytes("config " + i));
    }
    a.remove("code/f1/abcd");

    KafkaStateStore b = node();

    assertThat(b.heldBytes()).isLessThan(1 << 10);
    Map<String, byte[]> code = b.snapshot("code/");
    assertThat(code.keySet()).containsExactly("code/f0/abcd", "code/f2/abcd", "code/f3/abcd");
    assertThat(code.get("code/f2/abcd")).isEqualTo(packages.get(2));
    List<byte[]> read = new ArrayList<>();
    code.forEach((k, v) -> read.add(v));
    assertThat(read).containsExactly(packages.get(0), packages.get(2), packages.get(3));
    assertThat(text(b.snapshot("function/").get("function/f3"))).isEqualTo("config 3");
  }

  @Test
  void snapshot_afterFollow_isRefused() {
    KafkaStateStore a = node();
    a.follow();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.snapshot(""))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void open_noBrokerAnswers_failsWithStateException() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> KafkaStateStore.open("127.0.0.1:1", topic, 1))
        .isInstanceOf(StateException.class)
        .hasMessageContaining("127.0.0.1:1");
  }

  @Test
  void open_overSaslScramWithClientConfig_writesAndReadsTheStateTopic(@TempDir Path dir) {
    String user = ScramUsers.create("pw-2");
    KafkaConnection c =
        KafkaConnection.withClientConfig(
            KafkaBroker.saslBootstrapServers(), ScramUsers.clientConfig(dir, user, "pw-2"));
    try (KafkaStateStore writer = KafkaStateStore.open(c, topic, 1)) {
      writer.put("function/notify", bytes("v1"));
    }

    try (KafkaStateStore reader = KafkaStateStore.open(c, topic, 1)) {
      Map<String, byte[]> functions = reader.snapshot("function/");
      assertThat(functions).containsOnlyKeys("function/notify");
      assertThat(new String(functions.get("function/notify"), StandardCharsets.UTF_8))
          .isEqualTo("v1");
    }
  }

  private long recordsOnTopic() {
    try (KafkaConsumer<byte[], byte[]> c =
        StateClients.consumer(KafkaConnection.of(KafkaBroker.bootstrapServers()), "state-test")) {
      TopicPartition tp = new TopicPartition(topic, 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long end = c.endOffsets(List.of(tp)).get(tp);
      long n = 0;
      while (c.position(tp) < end) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          n++;
        }
      }
      return n;
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
