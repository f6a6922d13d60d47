package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.function.CodeSource;
import dev.sluice.function.FunctionConfig;
import dev.sluice.function.FunctionException;
import dev.sluice.function.FunctionService;
import dev.sluice.function.FunctionSpec;
import dev.sluice.function.InvocationResult;
import dev.sluice.function.Isolation;
import dev.sluice.function.classloader.ClassLoaderRunnerFactory;
import dev.sluice.log.LogListener;
import dev.sluice.log.NewRecord;
import dev.sluice.log.ShardRef;
import dev.sluice.log.ShardSealedException;
import dev.sluice.log.kafka.KafkaLogEngine;
import dev.sluice.log.kafka.KafkaLogOptions;
import dev.sluice.stream.Shard;
import dev.sluice.stream.StreamCatalog;
import dev.sluice.stream.StreamException;
import dev.sluice.stream.StreamLimits;
import dev.sluice.stream.StreamMeta;
import dev.sluice.stream.StreamMode;
import dev.sluice.stream.StreamStatus;
import dev.sluice.testing.HandlerJars;
import dev.sluice.testing.KafkaBroker;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes in one JVM on one broker, each with its own data directory, log engine, catalog and
 * function service over the shared state: what one does, the other sees.
 */
class SharedStateTest {

  static final Duration SOON = Duration.ofSeconds(15);

  @TempDir Path dirs;
  String prefix;
  String topic;
  final List<Node> nodes = new ArrayList<>();

  /** One Sluice node's storage, catalog and functions. */
  final class Node implements AutoCloseable {
    final KafkaLogEngine engine;
    final KafkaStateStore state;
    final StreamCatalog catalog;
    final ClassLoaderRunnerFactory runners = new ClassLoaderRunnerFactory();
    final FunctionService functions;

    Node(Path dataDir) {
      engine = new KafkaLogEngine(options(), Clock.systemUTC(), LogListener.NONE);
      engine.start();
      state = KafkaStateStore.open(KafkaBroker.bootstrapServers(), topic, 1);
      catalog = StreamCatalog.shared(state, engine, Clock.systemUTC(), new StreamLimits(100, 10));
      catalog.start();
      functions =
          new FunctionService(
              dataDir,
              "eu-west-3",
              "123456789012",
              Map.of(Isolation.CLASSLOADER, runners),
              8,
              List.of(Duration.ofMillis(50)),
              Clock.systemUTC(),
              state,
              null,
              null);
      functions.start();
      state.follow();
    }

    String answer(String function) {
      FunctionService.Invoked inv =
          functions.invoke(function, "{}".getBytes(StandardCharsets.UTF_8), null).join();
      assertThat(inv.report().result()).isInstanceOf(InvocationResult.Success.class);
      return new String(
          ((InvocationResult.Success) inv.report().result()).payload(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
      state.close();
      functions.close();
      runners.close();
      catalog.close();
      engine.close();
    }
  }

  @BeforeEach
  void names() {
    String id = UUID.randomUUID().toString().substring(0, 8);
    prefix = "sst-" + id + ".";
    topic = "__sst-" + id + ".state";
  }

  @AfterEach
  void close() {
    nodes.forEach(Node::close);
  }

  /** The nodes' storage: a seal's grace of 2 s, long enough for a late append to be made in it. */
  KafkaLogOptions options() {
    return KafkaLogOptions.defaults(KafkaBroker.bootstrapServers())
        .withTopicPrefix(prefix)
        .withSealGrace(Duration.ofSeconds(2));
  }

  Node node(String name) {
    Node n = new Node(dirs.resolve(name));
    nodes.add(n);
    return n;
  }

  @Test
  void createStream_throughOneNode_isActiveAndTakesRecordsOnTheOther() {
    Node a = node("a");
    Node b = node("b");
    a.catalog.create("orders", 2, StreamMode.PROVISIONED, Map.of()).join();

    await().atMost(SOON).until(() -> active(b, "orders"));
    ShardRef shard = new ShardRef("orders", b.catalog.require("orders").shards().get(1).id());
    b.engine.append(shard, List.of(record("order-1"))).join();
    await()
        .atMost(SOON)
        .untilAsserted(
            () ->
                assertThat(a.engine.read(shard, 0, 10, 1 << 20).join().records())
                    .as("the record another node appended is readable here")
                    .isNotEmpty()
                    .allMatch(r -> r.partitionKey().equals("order-1")));
  }

  @Test
  void split_throughOneNode_otherNodeSealsTheParentAndRoutesToChildren() {
    Node a = node("a");
    Node b = node("b");
    createOnBoth(a, b, "s");
    String parent = a.catalog.require("s").shards().get(0).id();

    a.catalog.split("s", parent, BigInteger.TWO.pow(127)).join();
    await().atMost(SOON).until(() -> b.catalog.require("s").openShards().size() == 2);

    assertThat(b.engine.offsets(new ShardRef("s", parent)).sealed()).isTrue();
    assertThat(b.catalog.route("s", BigInteger.ONE).parent()).isEqualTo(parent);
  }

  @Test
  void split_appendFromANodeThatHasNotLearnedOfIt_isInTheParentsSettledEnd() {
    Node a = node("a");
    Node b = node("b");
    createOnBoth(a, b, "late");
    ShardRef parent = new ShardRef("late", a.catalog.require("late").shards().get(0).id());
    a.engine.append(parent, List.of(record("order-1"))).join();
    // a third writer on the same topics that never follows the shared state: a node that has not
    // learned of the reshard yet
    KafkaLogEngine unaware = new KafkaLogEngine(options(), Clock.systemUTC(), LogListener.NONE);
    unaware.start();
    try {
      unaware.createShard(parent).join();

      a.catalog.split("late", parent.shard(), BigInteger.TWO.pow(127)).join();
      await().atMost(SOON).until(() -> !shard(a, parent).isOpen());
      assertThat(shard(a, parent).endProvisional())
          .as("closed, its end still provisional")
          .isTrue();
      assertThat(a.catalog.require("late").status()).isEqualTo(StreamStatus.UPDATING);
      unaware.append(parent, List.of(record("order-2"))).join();

      await().atMost(SOON).until(() -> shard(a, parent).isClosedForGood());
      assertThat(shard(a, parent).endOffset()).as("the late record counts").isEqualTo(2);
      assertThat(a.catalog.require("late").status()).isEqualTo(StreamStatus.ACTIVE);
      await().atMost(SOON).until(() -> shard(b, parent).equals(shard(a, parent)));
      assertThat(a.engine.read(parent, 0, 10, 1 << 20).join().records())
          .extracting(r -> r.partitionKey())
          .containsExactly("order-1", "order-2");
    } finally {
      unaware.close();
    }
  }

  @Test
  void split_readByANodeStillApplyingEarlierChanges_stopsItsAppendsToTheParentAtOnce()
      throws Exception {
    Node a = node("a");
    Node b = node("b");
    createOnBoth(a, b, "busy");
    ShardRef parent = new ShardRef("busy", a.catalog.require("busy").shards().get(0).id());
    CountDownLatch release = new CountDownLatch(1);
    b.state.listen("test/", (k, v) -> awaitQuietly(release)); // say, a package being unzipped
    a.state.put("test/slow", new byte[] {1});

    a.catalog.split("busy", parent.shard(), BigInteger.TWO.pow(127)).join();

    AtomicInteger acknowledged = new AtomicInteger();
    await().atMost(SOON).until(() -> !appended(b, parent, acknowledged));
    assertThat(shard(b, parent).isOpen()).as("b has not applied the split yet").isTrue();
    await().atMost(SOON).until(() -> b.state.viewAgeNanos() < TimeUnit.SECONDS.toNanos(1));
    release.countDown();
    await().atMost(SOON).until(() -> b.catalog.require("busy").openShards().size() == 2);
    await().atMost(SOON).until(() -> shard(a, parent).isClosedForGood());
    assertThat(shard(a, parent).endOffset())
        .as("every record b acknowledged lies inside the parent's end")
        .isEqualTo(acknowledged.get());
  }

  @Test
  void split_readBeforeTheNodeKnewTheStream_fencesTheParentOnceItIsAttached() throws Exception {
    Node a = node("a");
    Node b = node("b");
    CountDownLatch first = new CountDownLatch(1);
    CountDownLatch second = new CountDownLatch(1);
    b.state.listen("test/", (k, v) -> awaitQuietly(k.endsWith("1") ? first : second));
    a.state.put("test/1", new byte[] {1}); // b applies nothing after this until released
    a.catalog.create("fresh", 1, StreamMode.PROVISIONED, Map.of()).join();
    await().atMost(SOON).until(() -> active(a, "fresh"));
    a.state.put("test/2", new byte[] {2});
    ShardRef parent = new ShardRef("fresh", a.catalog.require("fresh").shards().get(0).id());
    a.catalog.split("fresh", parent.shard(), BigInteger.TWO.pow(127)).join();
    await().atMost(SOON).until(() -> !shard(a, parent).isOpen());
    await().atMost(SOON).until(() -> b.state.viewAgeNanos() < TimeUnit.SECONDS.toNanos(1));

    first.countDown(); // b creates and attaches the stream, then waits before the split
    await().atMost(SOON).until(() -> active(b, "fresh"));

    assertThat(shard(b, parent).isOpen()).as("b has not applied the split yet").isTrue();
    assertThat(b.engine.append(parent, List.of(record("order-1"))))
        .failsWithin(SOON)
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(ShardSealedException.class);
    second.countDown();
    await().atMost(SOON).until(() -> b.catalog.require("fresh").openShards().size() == 2);
  }

  @Test
  void closingChangeThatLostInTheSharedOrder_liftsItsFenceAndTheShardTakesRecords()
      throws Exception {
    Node a = node("a");
    Node b = node("b");
    createOnBoth(a, b, "tie");
    StreamMeta shown = b.catalog.require("tie");
    ShardRef only = new ShardRef("tie", shown.shards().get(0).id());
    Shard closed = shown.shards().get(0).close(System.currentTimeMillis(), 0);

    // a change that closes the shard, made from the same version as the one shown: it loses
    ObjectMapper json = new ObjectMapper();
    try (KafkaStateStore other = KafkaStateStore.open(KafkaBroker.bootstrapServers(), topic, 1)) {
      StreamMeta lost =
          new StreamMeta(
              "tie",
              shown.status(),
              shown.mode(),
              shown.retentionHours(),
              shown.createdMillis(),
              List.of(closed),
              shown.tags(),
              shown.nextOrdinal(),
              shown.version());
      other.put("stream/tie", json.writeValueAsBytes(lost));
      other.put("stream/marker", json.writeValueAsBytes(copy(shown, "marker", 24, 1)));
    }
    await().atMost(SOON).until(() -> b.catalog.find("marker").isPresent());

    assertThat(shard(b, only).isOpen()).isTrue();
    assertThat(join(b.engine.append(only, List.of(record("order-1")))).count()).isEqualTo(1);
  }

  private static <T> T join(CompletableFuture<T> f) throws Exception {
    return f.get(15, TimeUnit.SECONDS);
  }

  /** Appends a record through {@code n}: true when acknowledged, false when refused as sealed. */
  private static boolean appended(Node n, ShardRef shard, AtomicInteger acknowledged)
      throws Exception {
    try {
      n.engine.append(shard, List.of(record("order-1"))).get(15, TimeUnit.SECONDS);
      acknowledged.incrementAndGet();
      return true;
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(ShardSealedException.class);
      return false;
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static Shard shard(Node n, ShardRef ref) {
    return n.catalog.require(ref.stream()).shard(ref.shard()).orElseThrow();
  }

  @Test
  void change_madeFromAnOlderVersion_isDroppedOnEveryNode() throws Exception {
    Node a = node("a");
    Node b = node("b");
    a.catalog.create("tagged", 1, StreamMode.PROVISIONED, Map.of()).join();
    await().atMost(SOON).until(() -> active(b, "tagged"));
    StreamMeta seen = a.catalog.require("tagged");
    a.catalog.addTags("tagged", Map.of("owner", "a")).join();
    await().atMost(SOON).until(() -> b.catalog.require("tagged").tags().containsKey("owner"));

    // a third node that had not seen the tag writes a change of the version before it
    ObjectMapper json = new ObjectMapper();
    try (KafkaStateStore stale = KafkaStateStore.open(KafkaBroker.bootstrapServers(), topic, 1)) {
      StreamMeta old = copy(seen, "tagged", 48, seen.version() + 1);
      stale.put("stream/tagged", json.writeValueAsBytes(old));
      // a new stream after it: once it is there, the stale change was read too
      stale.put("stream/marker", json.writeValueAsBytes(copy(seen, "marker", 24, 1)));
    }

    await().atMost(SOON).until(() -> b.catalog.find("marker").isPresent());
    await().atMost(SOON).until(() -> a.catalog.find("marker").isPresent());
    for (Node n : List.of(a, b)) {
      StreamMeta kept = n.catalog.require("tagged");
      assertThat(kept.tags()).containsEntry("owner", "a");
      assertThat(kept.retentionHours()).isEqualTo(24);
    }
  }

  @Test
  void change_madeBeforeADeletionLandedAfterIt_doesNotBringTheStreamBack() throws Exception {
    Node a = node("a");
    Node b = node("b");
    a.catalog.create("doomed", 1, StreamMode.PROVISIONED, Map.of()).join();
    await().atMost(SOON).until(() -> active(b, "doomed"));
    StreamMeta seen = a.catalog.require("doomed");
    a.catalog.delete("doomed").join();
    await()
        .atMost(SOON)
        .until(() -> a.catalog.find("doomed").isEmpty() && b.catalog.find("doomed").isEmpty());

    // a node that had not read the deletion yet changes the stream as it knew it
    ObjectMapper json = new ObjectMapper();
    try (KafkaStateStore stale = KafkaStateStore.open(KafkaBroker.bootstrapServers(), topic, 1)) {
      stale.put(
          "stream/doomed", json.writeValueAsBytes(copy(seen, "doomed", 48, seen.version() + 1)));
      stale.put("stream/marker2", json.writeValueAsBytes(copy(seen, "marker2", 24, 1)));
    }

    await().atMost(SOON).until(() -> b.catalog.find("marker2").isPresent());
    await().atMost(SOON).until(() -> a.catalog.find("marker2").isPresent());
    assertThat(a.catalog.find("doomed")).isEmpty();
    assertThat(b.catalog.find("doomed")).isEmpty();
  }

  @Test
  void createStream_onTwoNodesAtOnce_oneAnsweredInUseAndOnlyTheWinnersPartitionsMade()
      throws Exception {
    Node a = node("a");
    Node b = node("b");

    Map<Integer, CompletableFuture<Void>> creations =
        Map.of(
            2, a.catalog.create("twice", 2, StreamMode.PROVISIONED, Map.of()),
            4, b.catalog.create("twice", 4, StreamMode.PROVISIONED, Map.of()));
    List<Integer> made = new ArrayList<>();
    for (Map.Entry<Integer, CompletableFuture<Void>> c : creations.entrySet()) {
      try {
        join(c.getValue());
        made.add(c.getKey());
      } catch (ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(StreamException.class);
        assertThat(((StreamException) e.getCause()).kind()).isEqualTo(StreamException.Kind.IN_USE);
      }
    }

    assertThat(made).as("the shard counts of the creations answered").hasSize(1);
    int shards = made.get(0);
    await().atMost(SOON).until(() -> active(a, "twice") && active(b, "twice"));
    assertThat(b.catalog.require("twice")).isEqualTo(a.catalog.require("twice"));
    assertThat(a.catalog.require("twice").shards()).hasSize(shards);
    try (org.apache.kafka.clients.admin.Admin admin =
        org.apache.kafka.clients.admin.Admin.create(
            Map.of("bootstrap.servers", KafkaBroker.bootstrapServers()))) {
      String topic = prefix + "twice";
      assertThat(admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions())
          .as("no partition made for the creation that lost")
          .hasSize(shards);
    }
  }

  @Test
  void concurrentChanges_throughTwoNodes_leaveBothWithTheSameStream() {
    Node a = node("a");
    Node b = node("b");
    a.catalog.create("busy", 1, StreamMode.PROVISIONED, Map.of()).join();
    await().atMost(SOON).until(() -> active(b, "busy"));

    List<CompletableFuture<Void>> changes = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      changes.add(a.catalog.addTags("busy", Map.of("a" + i, "x")));
      changes.add(b.catalog.addTags("busy", Map.of("b" + i, "x")));
    }
    changes.forEach(f -> f.exceptionally(e -> null).join());

    await()
        .atMost(SOON)
        .untilAsserted(
            () -> assertThat(a.catalog.require("busy")).isEqualTo(b.catalog.require("busy")));

    // a node starting now loads what the topic holds last for the stream: the winner too, since
    // a node whose change lost writes the winner again
    Node c = node("c");
    await()
        .atMost(SOON)
        .untilAsserted(
            () -> assertThat(c.catalog.require("busy")).isEqualTo(a.catalog.require("busy")));
  }

  @Test
  void concurrentTagChanges_throughTwoNodes_everyAnsweredChangeIsKept() {
    Node a = node("a");
    Node b = node("b");
    a.catalog.create("busy2", 1, StreamMode.PROVISIONED, Map.of()).join();
    await().atMost(SOON).until(() -> active(b, "busy2"));

    Map<String, CompletableFuture<Void>> changes = new LinkedHashMap<>();
    for (int i = 0; i < 10; i++) {
      changes.put("a" + i, a.catalog.addTags("busy2", Map.of("a" + i, "x")));
      changes.put("b" + i, b.catalog.addTags("busy2", Map.of("b" + i, "x")));
    }
    List<String> answered = new ArrayList<>();
    changes.forEach(
        (tag, f) -> {
          try {
            join(f);
            answered.add(tag);
          } catch (Exception e) {
            // made and lost too often: told so, as a Kinesis caller would be
            assertThat(e).cause().isInstanceOf(StreamException.class);
          }
        });

    assertThat(answered).as("most changes are made").hasSizeGreaterThan(changes.size() / 2);
    await()
        .atMost(SOON)
        .untilAsserted(
            () -> {
              assertThat(a.catalog.require("busy2").tags())
                  .containsKeys(answered.toArray(String[]::new));
              assertThat(b.catalog.require("busy2")).isEqualTo(a.catalog.require("busy2"));
            });
  }

  @Test
  void splitAndMerge_onTwoNodesAtOnce_onlyTheFirstCarriedOutAndOpenShardsTakeRecords()
      throws Exception {
    Node a = node("a");
    Node b = node("b");
    a.catalog.create("race", 2, StreamMode.PROVISIONED, Map.of()).join();
    await().atMost(SOON).until(() -> active(b, "race"));
    List<Shard> two = a.catalog.require("race").shards();

    CompletableFuture<Void> split =
        a.catalog.split("race", two.get(0).id(), two.get(0).range().start().add(BigInteger.TEN));
    CompletableFuture<Void> merge = b.catalog.merge("race", two.get(0).id(), two.get(1).id());
    int made = 0;
    for (CompletableFuture<Void> f : List.of(split, merge)) {
      try {
        join(f);
        made++;
      } catch (ExecutionException e) {
        assertThat(e).cause().isInstanceOf(StreamException.class); // the stream was UPDATING
      }
    }

    assertThat(made).as("one of them, or both one after the other").isBetween(1, 2);
    await()
        .atMost(SOON)
        .untilAsserted(
            () ->
                assertThat(List.of(a.catalog.require("race"), b.catalog.require("race")))
                    .allMatch(m -> m.status() == StreamStatus.ACTIVE));
    await()
        .atMost(SOON)
        .untilAsserted(
            () -> assertThat(b.catalog.require("race")).isEqualTo(a.catalog.require("race")));
    everyOpenShardTakesRecords("race", a, b);
  }

  @Test
  void reshard_whileAnotherNodeKeepsChangingTags_endsActiveAtOnceAndEveryOpenShardTakesRecords()
      throws Exception {
    Node a = node("a");
    Node b = node("b");
    createOnBoth(a, b, "mixed");
    java.util.concurrent.atomic.AtomicBoolean busy =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    // made from whatever b shows, an UPDATING stream included: some land between a's records
    CompletableFuture<Void> tagging =
        CompletableFuture.runAsync(
            () -> {
              for (int i = 0; busy.get(); i++) {
                b.catalog.addTags("mixed", Map.of("round", "" + i)).exceptionally(e -> null).join();
              }
            });

    try {
      reshardedTo(a, "mixed", 2);
      pause(1_000);
    } finally {
      busy.set(false);
      join(tagging);
    }

    // well before another node would take an unfinished reshard over (60 s)
    await()
        .atMost(SOON)
        .untilAsserted(
            () -> {
              assertThat(a.catalog.require("mixed").status()).isEqualTo(StreamStatus.ACTIVE);
              assertThat(b.catalog.require("mixed")).isEqualTo(a.catalog.require("mixed"));
            });
    assertThat(a.catalog.require("mixed").openShards()).hasSize(2);
    everyOpenShardTakesRecords("mixed", a, b);
  }

  /**
   * Checks that every shard of {@code stream} open on {@code a} takes records through each node.
   */
  private static void everyOpenShardTakesRecords(String stream, Node a, Node... nodes)
      throws Exception {
    for (Shard open : a.catalog.require(stream).openShards()) {
      ShardRef ref = new ShardRef(stream, open.id());
      for (Node n : nodes) {
        assertThat(join(n.engine.append(ref, List.of(record("order-1")))).count())
            .as("shard %s open, and it takes records through a node", open.id())
            .isEqualTo(1);
      }
    }
  }

  /**
   * Reshards {@code stream} through {@code n}, asking again while it answers that other changes
   * came first every time.
   */
  private static void reshardedTo(Node n, String stream, int shards) throws Exception {
    for (int i = 0; ; i++) {
      try {
        join(n.catalog.updateShardCount(stream, shards));
        return;
      } catch (ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(StreamException.class);
        assertThat(((StreamException) e.getCause()).kind()).isEqualTo(StreamException.Kind.IN_USE);
        assertThat(i).as("asked again").isLessThan(20);
      }
    }
  }

  private static StreamMeta copy(StreamMeta m, String name, int retentionHours, long version) {
    return new StreamMeta(
        name,
        m.status(),
        m.mode(),
        retentionHours,
        m.createdMillis(),
        m.shards(),
        m.tags(),
        m.nextOrdinal(),
        version);
  }

  @Test
  void deleteStream_throughOneNode_isGoneOnTheOther() {
    Node a = node("a");
    Node b = node("b");
    a.catalog.create("gone", 1, StreamMode.PROVISIONED, Map.of()).join();
    await().atMost(SOON).until(() -> active(b, "gone"));

    a.catalog.delete("gone").join();

    await().atMost(SOON).until(() -> b.catalog.find("gone").isEmpty());
    assertThat(b.engine.shards()).noneMatch(s -> s.stream().equals("gone"));
  }

  @Test
  void deleteStream_thenCreateItAgainAtOnce_bothNodesKeepTheNewStreamAndItsRecords() {
    Node a = node("a");
    Node b = node("b");
    a.catalog.create("again", 1, StreamMode.PROVISIONED, Map.of()).join();
    await().atMost(SOON).until(() -> active(b, "again"));
    ShardRef shard = new ShardRef("again", "shardId-000000000000");
    a.engine.append(shard, List.of(record("old"))).join();

    a.catalog.delete("again").join();
    createAsSoonAsAllowed(a, "again"); // before the deletion's records come back to a

    await().atMost(SOON).until(() -> active(a, "again") && active(b, "again"));
    b.engine.append(shard, List.of(record("new"))).join();
    await()
        .atMost(SOON)
        .untilAsserted(
            () ->
                assertThat(a.engine.read(shard, 0, 10, 1 << 20).join().records())
                    .extracting(r -> new String(r.data(), StandardCharsets.UTF_8))
                    .containsExactly("new"));
    assertThat(active(a, "again")).isTrue();
  }

  @Test
  void deleteStream_afterAStartFoundAPartitionNoShardNames_deletesTheTopic() throws Exception {
    String leftover = prefix + "leftover";
    try (org.apache.kafka.clients.admin.Admin admin =
        org.apache.kafka.clients.admin.Admin.create(
            Map.of("bootstrap.servers", KafkaBroker.bootstrapServers()))) {
      // as an expired empty shard leaves its partition behind in the stream's topic
      admin
          .createTopics(
              List.of(new org.apache.kafka.clients.admin.NewTopic(leftover, 2, (short) 1)))
          .all()
          .get();
      Node a = node("a");
      a.catalog.create("leftover", 1, StreamMode.PROVISIONED, Map.of()).join();
      await().atMost(SOON).until(() -> active(a, "leftover"));
      Node b = node("b"); // finds partition 1 at its start, which no shard names

      b.catalog.delete("leftover").join();

      await().atMost(SOON).until(() -> !admin.listTopics().names().get().contains(leftover));
    }
  }

  @Test
  void deployFunction_throughOneNode_runsUpdatesAndDeletesOnTheOther() {
    Node a = node("a");
    Node b = node("b");
    a.functions.create("greeter", spec(), new CodeSource.Upload(handler("v1")));

    await().atMost(SOON).until(() -> b.functions.list().size() == 1);
    assertThat(b.answer("greeter")).isEqualTo("\"v1\"");
    assertThat(b.functions.get("greeter").codeSha256())
        .isEqualTo(a.functions.get("greeter").codeSha256());

    a.functions.updateCode("greeter", new CodeSource.Upload(handler("v2")));
    await().atMost(SOON).until(() -> b.answer("greeter").equals("\"v2\""));

    a.functions.delete("greeter");
    await().atMost(SOON).until(() -> b.functions.list().isEmpty());
    assertThatThrownBy(() -> b.functions.get("greeter")).isInstanceOf(FunctionException.class);
  }

  @Test
  void updateConfiguration_throughANodeRightAfterACodeUpdateOnAnother_keepsTheNewCode() {
    Node a = node("a");
    Node b = node("b");
    a.functions.create("greeter", spec(), new CodeSource.Upload(handler("v1")));
    await().atMost(SOON).until(() -> b.functions.list().size() == 1);
    b.state.listen("code/", (key, value) -> pause(1_000)); // b is slow to read what a writes

    String v2 =
        a.functions.updateCode("greeter", new CodeSource.Upload(handler("v2"))).codeSha256();
    FunctionSpec more = new FunctionSpec(null, null, 512, null, null, null, null);
    assertThat(b.functions.updateConfiguration("greeter", more).codeSha256())
        .as("b changed the function as it is after a's update")
        .isEqualTo(v2);

    await().atMost(SOON).until(() -> a.functions.get("greeter").memorySize() == 512);
    assertThat(a.functions.get("greeter").codeSha256()).isEqualTo(v2);
    assertThat(a.answer("greeter")).isEqualTo("\"v2\"");
    Node fresh = node("fresh"); // the package the configuration names is still shared
    assertThat(fresh.answer("greeter")).isEqualTo("\"v2\"");
  }

  @Test
  void functionChange_fromAViewAnotherNodesChangeOvertook_conflictsAndEveryNodeKeepsTheWinner()
      throws Exception {
    Node a = node("a");
    Node b = node("b");
    FunctionConfig first =
        a.functions.create("greeter", spec(), new CodeSource.Upload(handler("v0")));
    await().atMost(SOON).until(() -> b.functions.list().size() == 1);
    // a reads what b writes from now on only after 10 s: its view stays stale past its 5 s wait
    a.state.listen("marker/", (key, value) -> pause(10_000));
    b.state.put("marker/slow", new byte[] {1});
    FunctionSpec more = new FunctionSpec(null, null, 512, null, null, null, null);
    FunctionConfig winner = b.functions.updateConfiguration("greeter", more);

    assertThatThrownBy(
            () -> a.functions.updateCode("greeter", new CodeSource.Upload(handler("lost"))))
        .isInstanceOf(FunctionException.class)
        .hasMessageContaining("An update is in progress for resource")
        .extracting(e -> ((FunctionException) e).kind())
        .isEqualTo(FunctionException.Kind.CONFLICT);

    assertThat(a.functions.get("greeter")).isEqualTo(winner);
    assertThat(a.answer("greeter")).isEqualTo("\"v0\"");
    assertThat(b.functions.get("greeter")).isEqualTo(winner);
    assertThat(winner.codeSha256()).isEqualTo(first.codeSha256());
    // the loser's record was its key's last: its node wrote the winner again after it
    await()
        .atMost(SOON)
        .until(
            () ->
                new String(sharedState().get("function/greeter"), StandardCharsets.UTF_8)
                    .contains("\"memorySize\":512"));
    await() // the loser's package goes once the winner is last again
        .atMost(SOON)
        .until(
            () -> sharedState().keySet().stream().filter(k -> k.startsWith("code/")).count() == 1);
    Node fresh = node("fresh");
    assertThat(fresh.functions.get("greeter")).isEqualTo(winner);
    assertThat(fresh.answer("greeter")).isEqualTo("\"v0\"");
  }

  /** What the state topic holds now: each key's last value, removed keys left out. */
  private Map<String, byte[]> sharedState() {
    Map<String, byte[]> keys = new java.util.HashMap<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                "bootstrap.servers",
                KafkaBroker.bootstrapServers(),
                "key.deserializer",
                StringDeserializer.class.getName(),
                "value.deserializer",
                ByteArrayDeserializer.class.getName()))) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      while (consumer.position(tp) < end) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          keys.put(r.key(), r.value());
        }
      }
    }
    keys.values().removeIf(java.util.Objects::isNull);
    return keys;
  }

  @Test
  void start_emptyDataDirectory_loadsStreamsAndFunctionsFromKafka() {
    Node a = node("a");
    a.catalog.create("kept", 3, StreamMode.PROVISIONED, Map.of("team", "orders")).join();
    a.functions.create("greeter", spec(), new CodeSource.Upload(handler("kept")));
    await().atMost(SOON).until(() -> active(a, "kept"));

    Node fresh = node("fresh");

    StreamMeta kept = fresh.catalog.require("kept");
    assertThat(kept.shards()).hasSize(3);
    assertThat(kept.tags()).containsEntry("team", "orders");
    assertThat(fresh.answer("greeter")).isEqualTo("\"kept\"");
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Creates {@code stream} through {@code n} the moment its deletion there lets it. */
  private static void createAsSoonAsAllowed(Node n, String stream) {
    long until = System.nanoTime() + SOON.toNanos();
    while (true) {
      try {
        n.catalog.create(stream, 1, StreamMode.PROVISIONED, Map.of()).join();
        return;
      } catch (CompletionException e) {
        // still DELETING: "already exists"
        assertThat(e.getCause()).isInstanceOf(StreamException.class);
        assertThat(System.nanoTime()).isLessThan(until);
      }
    }
  }

  /** Creates a one-shard stream through {@code a} and waits until both nodes show it ACTIVE. */
  private static void createOnBoth(Node a, Node b, String stream) {
    a.catalog.create(stream, 1, StreamMode.PROVISIONED, Map.of()).join();
    await().atMost(SOON).until(() -> active(a, stream) && active(b, stream));
  }

  private static boolean active(Node n, String stream) {
    return n.catalog.find(stream).map(m -> m.status() == StreamStatus.ACTIVE).orElse(false);
  }

  private static NewRecord record(String key) {
    return new NewRecord(key, key.getBytes(StandardCharsets.UTF_8));
  }

  private static FunctionSpec spec() {
    return new FunctionSpec(
        "fixture.Greeter", "java17", 256, 10, Map.of(), "", Isolation.CLASSLOADER);
  }

  private static byte[] handler(String answer) {
    return HandlerJars.jar(
        Map.of(
            "fixture.Greeter",
            """
            package fixture;
            import com.amazonaws.services.lambda.runtime.Context;
            import com.amazonaws.services.lambda.runtime.RequestHandler;
            import java.util.Map;
            public class Greeter implements RequestHandler<Map<String, Object>, String> {
              public String handleRequest(Map<String, Object> in, Context ctx) {
                return "%s";
              }
            }
            """
                .formatted(answer)));
  }
}
