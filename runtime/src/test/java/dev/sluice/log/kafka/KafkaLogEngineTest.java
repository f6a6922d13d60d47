package dev.sluice.log.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.log.AppendResult;
import dev.sluice.log.LogListener;
import dev.sluice.log.LogRecord;
import dev.sluice.log.NewRecord;
import dev.sluice.log.ReadResult;
import dev.sluice.log.ShardNotFoundException;
import dev.sluice.log.ShardOffsets;
import dev.sluice.log.ShardRef;
import dev.sluice.log.ShardSealedException;
import dev.sluice.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Kafka engine against a real broker: each test has topics of its own (a fresh prefix). */
class KafkaLogEngineTest {

  static final ShardRef S0 = new ShardRef("orders", "shardId-000000000000");
  static final ShardRef S1 = new ShardRef("orders", "shardId-000000000001");

  KafkaLogOptions options;
  KafkaLogEngine engine;

  @BeforeEach
  void start() {
    String prefix = "klt-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    options = KafkaLogOptions.defaults(KafkaBroker.bootstrapServers()).withTopicPrefix(prefix);
    engine = open();
  }

  @AfterEach
  void stop() {
    engine.close();
  }

  KafkaLogEngine open() {
    KafkaLogEngine e = new KafkaLogEngine(options, Clock.systemUTC(), LogListener.NONE);
    e.start();
    return e;
  }

  @Test
  void append_thenRead_roundTripsKeysDataOffsetsAndArrival() {
    await(engine.createShard(S0));
    long before = System.currentTimeMillis();
    AppendResult r =
        await(engine.append(S0, List.of(rec("k1", "a"), rec("k2", ""), rec("é", "c"))));
    assertThat(r.baseOffset()).isZero();
    assertThat(r.count()).isEqualTo(3);
    assertThat(r.arrivalMillis()).isBetween(before - 1000, System.currentTimeMillis() + 1000);

    ReadResult read = await(engine.read(S0, 0, 100, 1 << 20));
    assertThat(read.records()).extracting(LogRecord::offset).containsExactly(0L, 1L, 2L);
    assertThat(read.records()).extracting(LogRecord::partitionKey).containsExactly("k1", "k2", "é");
    assertThat(read.records()).extracting(KafkaLogEngineTest::text).containsExactly("a", "", "c");
    assertThat(read.records().get(0).arrivalMillis()).isEqualTo(r.arrivalMillis());
    assertThat(read.nextOffset()).isEqualTo(3);
    assertThat(read.atEnd()).isTrue();
    ShardOffsets o = engine.offsets(S0);
    assertThat(List.of(o.startOffset(), o.endOffset(), o.sealed())).containsExactly(0L, 3L, false);
    // the end refresher may see the records on the broker before their acknowledgement comes,
    // and then takes its own clock for their arrival: a moment later at most
    assertThat(o.lastArrivalMillis()).isBetween(r.arrivalMillis(), r.arrivalMillis() + 1000);
  }

  @Test
  void append_pastTheShardsUnacknowledgedBound_isRefusedAtOnceAsBusyAndTakenAgainOnceAcknowledged()
      throws Exception {
    try (KafkaBroker.Relayed broker = KafkaBroker.startRelayed()) {
      KafkaLogEngine e =
          new KafkaLogEngine(
              KafkaLogOptions.defaults(broker.bootstrapServers())
                  .withTopicPrefix(options.topicPrefix()),
              Clock.systemUTC(),
              LogListener.NONE);
      e.start();
      try {
        ShardRef other = new ShardRef("payments", S0.shard());
        await(e.createShard(S0));
        await(e.createShard(other));
        await(e.append(S0, List.of(rec("k", "warm"))));
        await(e.append(other, List.of(rec("k", "warm"))));
        broker.relay().freeze(); // the broker stops answering, as an unreachable leader does

        byte[] mb = new byte[1 << 20];
        List<CompletableFuture<AppendResult>> held = new ArrayList<>();
        for (int i = 0; i < 15; i++) { // 15 MB, under the shard's 16 MB
          held.add(e.append(S0, List.of(new NewRecord("k", mb))));
        }
        CompletableFuture<AppendResult> over = e.append(S0, List.of(new NewRecord("k", mb)));
        CompletableFuture<AppendResult> elsewhere = e.append(other, List.of(rec("k", "x")));

        assertThat(held).noneMatch(CompletableFuture::isDone);
        assertThatThrownBy(over::join)
            .as("refused at once, not queued")
            .hasCauseInstanceOf(dev.sluice.log.LogBusyException.class)
            .hasMessageContaining("not acknowledged");
        assertThat(elsewhere.isCompletedExceptionally()).as("another shard goes on").isFalse();

        broker.relay().thaw();
        held.forEach(KafkaLogEngineTest::await);
        await(elsewhere);
        assertThat(await(e.append(S0, List.of(new NewRecord("k", mb)))).count()).isOne();
      } finally {
        e.close();
      }
    }
  }

  @Test
  void finalEnd_brokerSilentForLongAfterTheGrace_waitsForItAndKeepsTheOtherEnginesLateAppend()
      throws Exception {
    try (KafkaBroker.Relayed broker = KafkaBroker.startRelayed()) {
      KafkaLogOptions relayed =
          KafkaLogOptions.defaults(broker.bootstrapServers())
              .withTopicPrefix(options.topicPrefix());
      KafkaLogEngine a =
          new KafkaLogEngine(
              relayed
                  .withSealGrace(java.time.Duration.ofMillis(200))
                  .withRefreshInterval(java.time.Duration.ofMillis(100)),
              Clock.systemUTC(),
              LogListener.NONE);
      KafkaLogEngine b = new KafkaLogEngine(relayed, Clock.systemUTC(), LogListener.NONE);
      a.start();
      b.start();
      try {
        await(a.createShard(S0));
        await(b.createShard(S0));
        await(a.append(S0, List.of(rec("k", "a"))));
        assertThat(await(a.seal(S0))).isEqualTo(1);
        long late = await(b.append(S0, List.of(rec("k", "late")))).baseOffset(); // in the grace
        broker.relay().freeze(); // most likely before a's next refresh learns of it

        CompletableFuture<Long> end = a.finalEnd(S0);
        Thread.sleep(27_000); // five unanswered asks of 5 s each: the end used to be fixed then

        assertThat(end).as("not fixed while the broker does not answer").isNotDone();
        broker.relay().thaw();
        assertThat(await(end)).as("b's late append inside the end").isEqualTo(late + 1);
      } finally {
        broker.relay().thaw();
        a.close();
        b.close();
      }
    }
  }

  @Test
  void appends_keepCallOrderPerShard_andReadsHonourLimits() {
    await(engine.createShard(S0));
    List<CompletableFuture<AppendResult>> pending = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      pending.add(engine.append(S0, List.of(rec("k", "v" + (2 * i)), rec("k", "v" + (2 * i + 1)))));
    }
    for (int i = 0; i < 50; i++) {
      assertThat(await(pending.get(i)).baseOffset()).isEqualTo(2L * i);
    }
    List<String> all = new ArrayList<>();
    long next = 0;
    while (next < 100) {
      ReadResult r = await(engine.read(S0, next, 7, 1 << 20));
      assertThat(r.records()).hasSizeLessThanOrEqualTo(7).isNotEmpty();
      r.records().forEach(x -> all.add(text(x)));
      next = r.nextOffset();
    }
    assertThat(all).containsExactlyElementsOf(range(100));
    // past the first record, maxBytes caps the read ("k" + "v0" = 3 bytes each)
    assertThat(await(engine.read(S0, 0, 100, 7)).records()).hasSize(2);
    assertThat(await(engine.read(S0, 0, 100, 0)).records()).hasSize(1);
  }

  @Test
  void read_pastEndReadsNothing_belowStartReadsFromStart() throws Exception {
    await(engine.createShard(S0));
    await(engine.append(S0, List.of(rec("k", "old0"), rec("k", "old1"))));
    Thread.sleep(20);
    long cutoff = System.currentTimeMillis();
    Thread.sleep(20);
    await(engine.append(S0, List.of(rec("k", "new2"))));

    ReadResult past = await(engine.read(S0, 10, 10, 1 << 20));
    assertThat(past.records()).isEmpty();
    assertThat(past.endOffset()).isEqualTo(3);

    assertThat(await(engine.trim(S0, cutoff))).isEqualTo(2);
    assertThat(engine.offsets(S0).startOffset()).isEqualTo(2);
    ReadResult below = await(engine.read(S0, 0, 10, 1 << 20));
    assertThat(below.records()).extracting(KafkaLogEngineTest::text).containsExactly("new2");
    assertThat(below.nextOffset()).isEqualTo(3);
  }

  @Test
  void offsetForTimestamp_findsFirstArrivalAtOrAfter_elseEnd() throws Exception {
    await(engine.createShard(S0));
    AppendResult a = await(engine.append(S0, List.of(rec("k", "a"), rec("k", "b"))));
    Thread.sleep(20);
    AppendResult b = await(engine.append(S0, List.of(rec("k", "c"))));
    assertThat(await(engine.offsetForTimestamp(S0, 0))).isZero();
    assertThat(await(engine.offsetForTimestamp(S0, a.arrivalMillis()))).isZero();
    assertThat(await(engine.offsetForTimestamp(S0, a.arrivalMillis() + 1))).isEqualTo(2);
    assertThat(await(engine.offsetForTimestamp(S0, b.arrivalMillis() + 1))).isEqualTo(3);
  }

  @Test
  void seal_completesWithEndOffset_andRefusesLaterAppends() {
    await(engine.createShard(S0));
    CompletableFuture<AppendResult> queued = engine.append(S0, List.of(rec("k", "a")));
    assertThat(await(engine.seal(S0))).isEqualTo(1);
    assertThat(await(queued).baseOffset()).isZero();
    assertThat(engine.offsets(S0).sealed()).isTrue();
    assertThatThrownBy(() -> await(engine.append(S0, List.of(rec("k", "b")))))
        .hasCauseInstanceOf(ShardSealedException.class);
    assertThat(await(engine.read(S0, 0, 10, 1 << 20)).records()).hasSize(1);
  }

  @Test
  void twoStreams_andChildShards_haveIndependentOffsets() throws Exception {
    ShardRef other = new ShardRef("clicks", "shardId-000000000000");
    ShardRef child = new ShardRef("orders", "shardId-000000000003");
    for (ShardRef s : List.of(S0, S1, other, child)) {
      await(engine.createShard(s));
    }
    await(engine.createShard(S1)); // idempotent
    await(engine.append(S0, List.of(rec("k", "a"), rec("k", "b"))));
    await(engine.append(other, List.of(rec("k", "x"))));
    assertThat(await(engine.append(child, List.of(rec("k", "c")))).baseOffset()).isZero();
    assertThat(engine.offsets(S1).endOffset()).isZero();
    assertThat(engine.offsets(other).endOffset()).isEqualTo(1);
    assertThat(engine.shards()).containsExactlyInAnyOrder(S0, S1, other, child);
    assertThat(partitions(options.topicPrefix() + "orders")).isEqualTo(4);
    assertThat(text(await(engine.read(child, 0, 1, 100)).records().get(0))).isEqualTo("c");
  }

  @Test
  void restart_seesDataAndOffsets_andAppendsContinue() {
    await(engine.createShard(S0));
    await(engine.createShard(S1));
    AppendResult r = await(engine.append(S0, List.of(rec("k", "a"), rec("k", "b"))));
    engine.close();

    engine = open();
    assertThat(engine.shards()).containsExactlyInAnyOrder(S0, S1);
    // An append's records normally share one broker timestamp, but may straddle a millisecond;
    // the shard's last arrival is its last record's.
    long lastArrival = await(engine.read(S0, 1, 1, 1 << 20)).records().get(0).arrivalMillis();
    assertThat(lastArrival).isBetween(r.arrivalMillis(), r.arrivalMillis() + 1_000);
    assertThat(engine.offsets(S0)).isEqualTo(new ShardOffsets(0, 2, lastArrival, false));
    assertThat(engine.offsets(S1)).isEqualTo(new ShardOffsets(0, 0, -1, false));
    assertThat(await(engine.append(S0, List.of(rec("k", "c")))).baseOffset()).isEqualTo(2);
    assertThat(await(engine.read(S0, 0, 10, 1 << 20)).records())
        .extracting(KafkaLogEngineTest::text)
        .containsExactly("a", "b", "c");
  }

  @Test
  void deleteShard_dropsRecords_andTheLastOneDeletesTheTopic() throws Exception {
    await(engine.createShard(S0));
    await(engine.createShard(S1));
    await(engine.append(S1, List.of(rec("k", "a"))));
    await(engine.deleteShard(S1));
    assertThatThrownBy(() -> engine.offsets(S1)).isInstanceOf(ShardNotFoundException.class);
    engine.close();
    engine = open();
    assertThat(engine.shards()).containsExactly(S0); // the emptied partition is not a shard
    await(engine.deleteShard(S0));
    assertThat(partitions(options.topicPrefix() + "orders")).isNull();
    assertThatThrownBy(() -> await(engine.read(S0, 0, 1, 1)))
        .hasCauseInstanceOf(ShardNotFoundException.class);
  }

  @Test
  void largeAppend_spanningBatches_keepsContiguousOffsets_andReadsPageByBytes() {
    await(engine.createShard(S0));
    String big = "x".repeat(20_000);
    List<NewRecord> records = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      records.add(rec("k" + i, i + big));
    }
    AppendResult r = await(engine.append(S0, records));
    assertThat(r.baseOffset()).isZero();
    assertThat(r.count()).isEqualTo(200);
    assertThat(engine.offsets(S0).endOffset()).isEqualTo(200);
    long next = 0;
    int pages = 0;
    while (next < 200) {
      ReadResult page = await(engine.read(S0, next, 10_000, 1 << 20));
      assertThat(page.records()).isNotEmpty();
      for (LogRecord x : page.records()) {
        assertThat(x.offset()).isEqualTo(next);
        assertThat(text(x)).isEqualTo(next + big);
        next++;
      }
      assertThat(page.nextOffset()).isEqualTo(next);
      pages++;
    }
    assertThat(pages).isGreaterThanOrEqualTo(4);
  }

  @Test
  void nameClash_withAStreamOrATopicDifferingOnlyByDotAndUnderscore_namesIt() throws Exception {
    String clusterTopic = options.topicPrefix() + "other_app";
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.bootstrapServers()))) {
      admin
          .createTopics(
              List.of(new org.apache.kafka.clients.admin.NewTopic(clusterTopic, 1, (short) 1)))
          .all()
          .get();
    }

    assertThat(engine.nameClash("orders.v1", List.of("orders_v1", "payments")))
        .contains("stream orders_v1");
    assertThat(engine.nameClash("other.app", List.of())).contains("Kafka topic " + clusterTopic);
    assertThat(engine.nameClash("orders.v1", List.of("orders.v1", "orders-v1"))).isNull();
    assertThat(engine.nameClash("other_app", List.of())).as("its own topic, left over").isNull();
  }

  @Test
  void createShard_onATopicTheBrokerCreatedWithItsDefaults_givesItTheEnginesSettings()
      throws Exception {
    // what a producer's metadata request leaves behind after a stream's topic was deleted
    String topic = options.topicPrefix() + "orders";
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.bootstrapServers()))) {
      admin
          .createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 1, (short) 1)))
          .all()
          .get();

      await(engine.createShard(S0));
      await(engine.createShard(S1));

      var resource =
          new org.apache.kafka.common.config.ConfigResource(
              org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
      var config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
      assertThat(config.get("message.timestamp.type").value()).isEqualTo("LogAppendTime");
      assertThat(config.get("retention.ms").value()).isEqualTo("-1");
      assertThat(config.get("max.message.bytes").value()).isEqualTo(String.valueOf(8 << 20));
    }
    assertThat(await(engine.append(S1, List.of(rec("k", "x".repeat(2 << 20))))).count()).isOne();
  }

  @Test
  void closedEngine_failsTyped_withoutBlocking() {
    await(engine.createShard(S0));
    engine.close();
    assertThatThrownBy(() -> await(engine.append(S0, List.of(rec("k", "a")))))
        .hasCauseInstanceOf(dev.sluice.log.LogException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> await(engine.read(S0, 0, 1, 1))).hasMessageContaining("closed");
  }

  @Test
  void badShardIds_andUnknownShards_failTyped() {
    assertThatThrownBy(() -> await(engine.createShard(new ShardRef("orders", "weird"))))
        .hasMessageContaining("shardId-N");
    assertThatThrownBy(() -> engine.offsets(S0)).isInstanceOf(ShardNotFoundException.class);
  }

  private Integer partitions(String topic) throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrap()))) {
      return admin
          .describeTopics(List.of(topic))
          .topicNameValues()
          .get(topic)
          .get()
          .partitions()
          .size();
    } catch (ExecutionException e) {
      return null;
    }
  }

  static List<String> range(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add("v" + i);
    }
    return out;
  }

  static NewRecord rec(String key, String data) {
    return new NewRecord(key, data.getBytes(StandardCharsets.UTF_8));
  }

  static String text(LogRecord r) {
    return new String(r.data(), StandardCharsets.UTF_8);
  }

  static <T> T await(CompletableFuture<T> f) {
    try {
      return f.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new RuntimeException(e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
