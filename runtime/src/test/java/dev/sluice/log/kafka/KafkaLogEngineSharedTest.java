package dev.sluice.log.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.log.AppendResult;
import dev.sluice.log.LogBusyException;
import dev.sluice.log.LogListener;
import dev.sluice.log.LogRecord;
import dev.sluice.log.NewRecord;
import dev.sluice.log.ReadResult;
import dev.sluice.log.ShardNotFoundException;
import dev.sluice.log.ShardRef;
import dev.sluice.log.ShardSealedException;
import dev.sluice.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two engines on one broker and one topic prefix, as two nodes sharing a Kafka cluster. */
class KafkaLogEngineSharedTest {

  static final ShardRef S0 = new ShardRef("orders", "shardId-000000000000");
  static final ShardRef S1 = new ShardRef("orders", "shardId-000000000001");

  /** A remote append seen by a listener. */
  record Remote(ShardRef shard, int records, long lastOffset) {}

  KafkaLogOptions options;
  final List<KafkaLogEngine> engines = new ArrayList<>();
  final List<Remote> remoteOnB = new CopyOnWriteArrayList<>();

  @BeforeEach
  void options() {
    String prefix = "kls-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    options = KafkaLogOptions.defaults(KafkaBroker.bootstrapServers()).withTopicPrefix(prefix);
  }

  @AfterEach
  void stop() {
    engines.forEach(KafkaLogEngine::close);
  }

  KafkaLogEngine open(KafkaLogOptions o, LogListener listener) {
    KafkaLogEngine e = new KafkaLogEngine(o, Clock.systemUTC(), listener);
    e.start();
    engines.add(e);
    return e;
  }

  LogListener recording() {
    return new LogListener() {
      @Override
      public void onRemoteAppend(ShardRef shard, int records, long lastOffset) {
        remoteOnB.add(new Remote(shard, records, lastOffset));
      }
    };
  }

  @Test
  void append_throughOneEngine_becomesReadableAndReportedOnTheOther() {
    KafkaLogEngine a = open(options, LogListener.NONE);
    KafkaLogEngine b = open(options, recording());
    join(a.createShard(S0));
    join(b.createShard(S0));
    long before = System.currentTimeMillis();

    join(a.append(S0, List.of(rec("k", "x"), rec("k", "y"), rec("k", "z"))));

    await().atMost(5, TimeUnit.SECONDS).until(() -> b.offsets(S0).endOffset() == 3);
    assertThat(b.offsets(S0).lastArrivalMillis()).isGreaterThanOrEqualTo(before);
    assertThat(join(b.read(S0, 0, 10, 1 << 20)).records())
        .extracting(KafkaLogEngineSharedTest::text)
        .containsExactly("x", "y", "z");
    await().atMost(5, TimeUnit.SECONDS).until(() -> !remoteOnB.isEmpty());
    assertThat(remoteOnB.get(remoteOnB.size() - 1).lastOffset()).isEqualTo(2);
    assertThat(remoteOnB.stream().mapToInt(Remote::records).sum()).isEqualTo(3);
  }

  /** An engine refreshing every 5 min, after another engine appended two records it missed. */
  KafkaLogEngine behindTwoAppends() {
    KafkaLogEngine a = open(options, LogListener.NONE);
    KafkaLogEngine b = open(options.withRefreshInterval(Duration.ofMinutes(5)), LogListener.NONE);
    join(a.createShard(S0));
    join(b.createShard(S0));
    join(a.append(S0, List.of(rec("k", "x"), rec("k", "y"))));
    return b;
  }

  @Test
  void currentOffsets_beforeTheNextRefresh_countTheOtherEnginesAppends() {
    KafkaLogEngine b = behindTwoAppends();

    assertThat(b.offsets(S0).endOffset()).as("b's view, refreshed every 5 min").isZero();
    assertThat(join(b.currentOffsets(S0)).endOffset()).isEqualTo(2);
  }

  @Test
  void offsetForTimestamp_afterTheOtherEnginesAppendsBeforeTheNextRefresh_startsAfterThem() {
    KafkaLogEngine b = behindTwoAppends();
    long after = System.currentTimeMillis() + 1;

    assertThat(join(b.offsetForTimestamp(S0, after)))
        .as("not at b's view of the end, before records older than the time")
        .isEqualTo(2);
  }

  @Test
  void createShard_ofAPartitionAnotherEngineCreated_attachesWithItsOffsets() {
    KafkaLogEngine b = open(options, LogListener.NONE);
    KafkaLogEngine a = open(options, LogListener.NONE);
    join(a.createShard(S0));
    join(a.createShard(S1));
    join(a.append(S1, List.of(rec("k", "x"), rec("k", "y"))));

    join(b.createShard(S1));

    assertThat(b.offsets(S1).endOffset()).isEqualTo(2);
    assertThat(join(b.append(S1, List.of(rec("k", "z")))).baseOffset()).isEqualTo(2);
    await().atMost(5, TimeUnit.SECONDS).until(() -> a.offsets(S1).endOffset() == 3);
  }

  @Test
  void deleteShard_closedShardWithAnotherEnginesLateAppend_deletesPastTheKnownEnd() {
    KafkaLogEngine a = open(options.withSealGrace(Duration.ZERO), LogListener.NONE);
    KafkaLogEngine b = open(options, LogListener.NONE);
    for (KafkaLogEngine e : List.of(a, b)) {
      join(e.createShard(S0));
      join(e.createShard(S1)); // S0 is not the stream's last: its records go, not its topic
    }
    join(a.append(S0, List.of(rec("k", "x"))));
    assertThat(join(a.seal(S0))).isEqualTo(1);
    join(b.append(S0, List.of(rec("k", "late")))); // b has not learned of the seal

    join(a.deleteShard(S0));

    KafkaLogEngine c = open(options, LogListener.NONE);
    join(c.createShard(S0)); // attaches to the partition as it is
    assertThat(c.offsets(S0).startOffset())
        .as("the late record, past the end a knew, is gone too")
        .isEqualTo(2);
  }

  @Test
  void deleteExpiredShard_theOnlyShardOfItsStreamThisEngineHolds_leavesTheOtherShardsRecords() {
    KafkaLogEngine a = open(options.withSealGrace(Duration.ZERO), LogListener.NONE);
    KafkaLogEngine b = open(options, LogListener.NONE);
    join(a.createShard(S0));
    join(a.createShard(S1));
    join(a.append(S0, List.of(rec("k", "old"))));
    join(a.append(S1, List.of(rec("k", "kept"))));
    join(a.seal(S0));
    join(b.createShard(S0)); // attaching S1 failed on b: S0 looks like the stream's last there

    join(b.deleteExpiredShard(S0));

    assertThat(b.shards()).doesNotContain(S0);
    assertThat(join(a.read(S1, 0, 10, 1 << 20)).records())
        .extracting(KafkaLogEngineSharedTest::text)
        .containsExactly("kept");
    assertThat(join(a.append(S1, List.of(rec("k", "after")))).baseOffset()).isEqualTo(1);
    KafkaLogEngine c = open(options, LogListener.NONE);
    join(c.createShard(S0)); // attaches to the partition as it is
    assertThat(c.offsets(S0).startOffset()).as("the expired shard's records are gone").isEqualTo(1);
  }

  @Test
  void deleteShard_recordsCannotBeDeleted_shardStaysKnownForTheDeletionToRunAgain() {
    KafkaLogEngine a = open(options.withSealGrace(Duration.ZERO), LogListener.NONE);
    join(a.createShard(S0));
    join(a.createShard(S1));
    join(a.append(S0, List.of(rec("k", "x"))));
    join(a.seal(S0));
    a.settledAt(S0, 1_000); // an end the broker refuses to delete up to: the deletion fails

    assertThatThrownBy(() -> a.deleteShard(S0).orTimeout(60, TimeUnit.SECONDS).join())
        .isInstanceOf(java.util.concurrent.CompletionException.class);

    assertThat(a.shards()).contains(S0);
    assertThat(a.append(S0, List.of(rec("k", "after"))))
        .as("a shard being deleted takes no appends")
        .failsWithin(Duration.ofSeconds(20));
  }

  @Test
  void deleteShard_afterAnotherEngineDeletedIt_succeeds() {
    KafkaLogEngine a = open(options, LogListener.NONE);
    KafkaLogEngine b = open(options, LogListener.NONE);
    for (KafkaLogEngine e : List.of(a, b)) {
      join(e.createShard(S0));
      join(e.createShard(S1));
    }
    join(a.append(S1, List.of(rec("k", "x"))));
    join(a.deleteShard(S1));
    join(a.deleteShard(S0)); // the stream's last shard: the topic goes

    join(b.deleteShard(S1));
    join(b.deleteShard(S0));

    assertThat(b.shards()).isEmpty();
  }

  @Test
  void append_toAShardWhoseTopicAnotherEngineDeleted_failsFastAndOtherStreamsGoOn() {
    KafkaLogEngine a = open(options, LogListener.NONE);
    KafkaLogEngine b = open(options, LogListener.NONE);
    ShardRef other = new ShardRef("payments", "shardId-000000000000");
    for (KafkaLogEngine e : List.of(a, b)) {
      join(e.createShard(S0));
      join(e.createShard(S1));
    }
    join(a.createShard(other)); // a never sent to the stream: its producer has no metadata of it
    join(b.deleteShard(S1));
    join(b.deleteShard(S0)); // the stream's last shard: the topic goes

    CompletableFuture<AppendResult> gone =
        a.append(S1, List.of(rec("k", "1"), rec("k", "2"), rec("k", "3")));
    CompletableFuture<AppendResult> next = a.append(other, List.of(rec("k", "on")));

    assertThat(next.orTimeout(20, TimeUnit.SECONDS).join().count())
        .as("behind one wait for metadata, not one a record of 60 s")
        .isEqualTo(1);
  }

  @Test
  void append_afterAnotherEngineDeletedTheTopic_isRefusedRatherThanGivenAnIssuedOffset() {
    KafkaLogEngine a = open(options, LogListener.NONE);
    KafkaLogEngine b = open(options, LogListener.NONE);
    join(a.createShard(S0));
    join(b.createShard(S0));
    join(a.append(S0, List.of(rec("k", "1"), rec("k", "2"), rec("k", "3"))));
    join(b.deleteShard(S0)); // the stream's last shard: the topic goes

    // the test broker creates topics on demand, as a broker does by default: the producer's
    // metadata request for the deleted topic makes it again, with offsets from 0
    CompletableFuture<AppendResult> late = a.append(S0, List.of(rec("k", "late")));

    assertThatThrownBy(() -> late.orTimeout(20, TimeUnit.SECONDS).join())
        .as("not found, which the Kinesis edge answers as ResourceNotFound, not InternalFailure")
        .hasCauseInstanceOf(ShardNotFoundException.class)
        .hasMessageContaining("was deleted");
    assertThat(a.offsets(S0).endOffset()).as("the shard's end kept").isEqualTo(3);
    for (int i = 0; i < 4; i++) { // past the old end, the new topic's offsets would fit again
      CompletableFuture<AppendResult> more = a.append(S0, List.of(rec("k", "more" + i)));
      assertThatThrownBy(() -> more.orTimeout(20, TimeUnit.SECONDS).join())
          .hasCauseInstanceOf(ShardNotFoundException.class)
          .hasMessageContaining("was deleted");
    }
  }

  @Test
  void forgetShard_ofAStreamAnotherEngineKeeps_leavesItsTopicAndRecords() {
    KafkaLogEngine a = open(options, LogListener.NONE);
    KafkaLogEngine b = open(options, LogListener.NONE);
    for (KafkaLogEngine e : List.of(a, b)) {
      join(e.createShard(S0));
    }
    join(a.append(S0, List.of(rec("k", "x"))));

    join(b.forgetShard(S0)); // the stream's last shard on b: deleteShard would drop the topic

    assertThat(b.shards()).doesNotContain(S0);
    assertThat(join(a.append(S0, List.of(rec("k", "y")))).baseOffset()).isEqualTo(1);
    assertThat(join(a.read(S0, 0, 10, 1 << 20)).records()).hasSize(2);
  }

  @Test
  void createShard_ofAStreamAnotherEngineDeletedAndForgotten_createsTheTopicAgain() {
    KafkaLogEngine a = open(options, LogListener.NONE);
    KafkaLogEngine b = open(options, LogListener.NONE);
    for (KafkaLogEngine e : List.of(a, b)) {
      join(e.createShard(S0));
    }
    join(a.deleteShard(S0)); // the stream's last shard: the topic goes
    join(b.forgetShard(S0)); // as b's catalog does when it reads the deletion

    join(b.createShard(S0)); // the stream created again, through b

    assertThat(join(b.append(S0, List.of(rec("k", "again")))).baseOffset()).isZero();
    assertThat(join(b.read(S0, 0, 10, 1 << 20)).records())
        .extracting(KafkaLogEngineSharedTest::text)
        .containsExactly("again");
  }

  @Test
  void largeAppends_interleavedWithAnotherEnginesAppends_reportEachRecordsOwnOffset()
      throws Exception {
    KafkaLogEngine a = open(options, LogListener.NONE);
    KafkaLogEngine b = open(options, LogListener.NONE);
    join(a.createShard(S0));
    join(b.createShard(S0));
    String big = "x".repeat(20_000);
    java.util.concurrent.atomic.AtomicBoolean writing =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    CompletableFuture<Void> other =
        CompletableFuture.runAsync(
            () -> {
              while (writing.get()) {
                join(b.append(S0, List.of(rec("b", "from-b"))));
              }
            });
    List<List<String>> sent = new ArrayList<>();
    List<AppendResult> results = new ArrayList<>();
    for (int round = 0; round < 5; round++) { // each append spans several producer batches
      List<NewRecord> records = new ArrayList<>();
      List<String> data = new ArrayList<>();
      for (int i = 0; i < 150; i++) {
        data.add(round + "-" + i + big);
        records.add(rec("a", data.get(i)));
      }
      sent.add(data);
      results.add(join(a.append(S0, records)));
    }
    writing.set(false);
    other.get(30, TimeUnit.SECONDS);

    Map<Long, String> stored = new java.util.HashMap<>();
    long next = 0;
    long end = a.offsets(S0).endOffset();
    while (next < end) {
      ReadResult page = join(a.read(S0, next, 10_000, 4 << 20));
      page.records().forEach(r -> stored.put(r.offset(), text(r).replace(big, "+big")));
      next = page.nextOffset();
    }
    for (int round = 0; round < 5; round++) {
      for (int i = 0; i < 150; i++) {
        assertThat(stored.get(results.get(round).offsetOf(i)))
            .as("record %d of append %d", i, round)
            .isEqualTo(sent.get(round).get(i).replace(big, "+big"));
      }
    }
  }

  @Test
  void append_isVisibleSoon_whileAnotherHeldTopicIsGone() {
    ShardRef gone = new ShardRef("gone", "shardId-000000000000");
    KafkaLogEngine a = open(options, LogListener.NONE);
    KafkaLogEngine b = open(options, LogListener.NONE);
    for (KafkaLogEngine e : List.of(a, b)) {
      join(e.createShard(S0));
      join(e.createShard(gone));
    }
    join(a.deleteShard(gone)); // b still holds it: its end offset lookups now time out

    join(a.append(S0, List.of(rec("k", "x"))));

    // well under the lookup timeout: a partition without answer holds back no other
    await().atMost(3, TimeUnit.SECONDS).until(() -> b.offsets(S0).endOffset() == 1);
  }

  @Test
  void seal_asksTheBrokerForTheEnd_includingAnotherEnginesAppends() {
    KafkaLogEngine a = open(options, LogListener.NONE);
    // no refresh round in the test's time: only the seal itself can learn of a's records
    KafkaLogOptions slow =
        new KafkaLogOptions(
            options.connection(),
            options.topicPrefix(),
            -1,
            false,
            1,
            1,
            Duration.ofHours(1),
            Duration.ZERO);
    KafkaLogEngine b = open(slow, LogListener.NONE);
    join(a.createShard(S0));
    join(b.createShard(S0));
    join(a.append(S0, List.of(rec("k", "x"), rec("k", "y"))));

    assertThat(join(b.seal(S0))).isEqualTo(2);
    assertThat(b.offsets(S0).sealed()).isTrue();
  }

  @Test
  void finalEnd_afterTheGrace_takesAnotherEnginesLateAppend() throws Exception {
    KafkaLogEngine a = open(options.withSealGrace(Duration.ofSeconds(1)), LogListener.NONE);
    KafkaLogEngine b = open(options, LogListener.NONE);
    join(a.createShard(S0));
    join(b.createShard(S0));
    join(a.append(S0, List.of(rec("k", "x"))));

    assertThat(join(a.seal(S0))).isEqualTo(1);
    join(b.append(S0, List.of(rec("k", "late")))); // b has not learned of the seal

    assertThat(join(a.finalEnd(S0))).isEqualTo(2);
    assertThat(join(a.read(S0, 0, 10, 1 << 20)).records())
        .extracting(KafkaLogEngineSharedTest::text)
        .containsExactly("x", "late");
    join(b.append(S0, List.of(rec("k", "too late"))));
    Thread.sleep(300); // refresh rounds that must not move a final end
    assertThat(a.offsets(S0).endOffset()).isEqualTo(2);
  }

  @Test
  void settledAt_endAnotherNodeSettledFurther_makesTheLateRecordsReadable() {
    KafkaLogEngine a = open(options.withSealGrace(Duration.ZERO), LogListener.NONE);
    KafkaLogEngine b = open(options, LogListener.NONE);
    join(a.createShard(S0));
    join(b.createShard(S0));
    join(a.append(S0, List.of(rec("k", "x"))));
    assertThat(join(a.seal(S0))).isEqualTo(1);
    join(b.append(S0, List.of(rec("k", "late"))));

    a.settledAt(S0, 2);

    assertThat(a.offsets(S0).endOffset()).isEqualTo(2);
    assertThat(join(a.read(S0, 0, 10, 1 << 20)).records())
        .extracting(KafkaLogEngineSharedTest::text)
        .containsExactly("x", "late");
    // a node that attached after the settle saw the broker's later end: it takes the settled one
    join(b.append(S0, List.of(rec("k", "too late"))));
    join(b.seal(S0));
    b.settledAt(S0, 2);
    assertThat(b.offsets(S0).endOffset()).isEqualTo(2);
  }

  @Test
  void finalEnd_withoutGrace_isTheSealsEnd() {
    KafkaLogEngine a = open(options.withSealGrace(Duration.ZERO), LogListener.NONE);
    join(a.createShard(S0));
    join(a.append(S0, List.of(rec("k", "x"))));

    assertThat(join(a.seal(S0))).isEqualTo(1);
    assertThat(a.finalEnd(S0)).isCompletedWithValue(1L);
  }

  @Test
  void finalEnd_graceStartsAtTheFirstCall_notAtTheSeal() throws Exception {
    KafkaLogEngine a = open(options.withSealGrace(Duration.ofMillis(500)), LogListener.NONE);
    KafkaLogEngine b = open(options, LogListener.NONE);
    join(a.createShard(S0));
    join(b.createShard(S0));
    assertThat(join(a.seal(S0))).isZero();
    // the seal took longer than the grace to reach the shared state: b has not learned of it
    Thread.sleep(800);
    join(b.append(S0, List.of(rec("k", "late"))));

    assertThat(join(a.finalEnd(S0))).as("the late append counts").isEqualTo(1);
  }

  @Test
  void append_fencedShard_failsAsSealedWhileTheOtherEngineAppends() {
    KafkaLogEngine a = open(options, LogListener.NONE);
    KafkaLogEngine b = open(options, LogListener.NONE);
    join(a.createShard(S0));
    join(b.createShard(S0));

    b.fence(S0);

    assertThat(b.append(S0, List.of(rec("k", "x"))))
        .failsWithin(Duration.ofSeconds(5))
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(ShardSealedException.class);
    assertThat(b.offsets(S0).sealed())
        .as("fenced, not sealed: the seal is still to come")
        .isFalse();
    assertThat(join(b.seal(S0))).isZero();
    assertThat(join(a.append(S0, List.of(rec("k", "y")))).baseOffset()).isZero();
  }

  @Test
  void append_viewOfTheSharedStateOlderThanHalfTheGrace_failsAsBusyUntilItCatchesUp() {
    KafkaLogEngine a = open(options.withSealGrace(Duration.ofSeconds(4)), LogListener.NONE);
    join(a.createShard(S0));
    AtomicLong age = new AtomicLong(TimeUnit.SECONDS.toNanos(3));
    a.fenceWrites(age::get);

    assertThat(a.append(S0, List.of(rec("k", "x"))))
        .failsWithin(Duration.ofSeconds(5))
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(LogBusyException.class)
        .withMessageContaining("3000 ms");
    age.set(TimeUnit.SECONDS.toNanos(1));
    assertThat(join(a.append(S0, List.of(rec("k", "y")))).baseOffset()).isZero();
  }

  static <T> T join(CompletableFuture<T> f) {
    try {
      return f.get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static NewRecord rec(String key, String data) {
    return new NewRecord(key, data.getBytes(StandardCharsets.UTF_8));
  }

  static String text(LogRecord r) {
    return new String(r.data(), StandardCharsets.UTF_8);
  }
}
