package dev.sluice.mapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.checkpoint.Checkpoint;
import dev.sluice.checkpoint.WindowState;
import dev.sluice.stream.Shard;
import dev.sluice.stream.StreamMode;
import dev.sluice.stream.StreamStatus;
import dev.sluice.testing.KafkaBroker;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kinesis mappings on Kafka storage run by several nodes: their shards spread over the nodes by
 * consumer-group membership, checkpoints kept as the group's offsets.
 */
class ShardLeaseTest {

  static final Duration BOUND = Duration.ofSeconds(40);

  @TempDir Path dir;
  LeaseHarness h;

  @BeforeEach
  void start() {
    h = new LeaseHarness(dir);
  }

  @AfterEach
  void stop() {
    h.close();
  }

  @Test
  void twoNodes_splitTheShards_andTheSurvivorResumesFromTheCommittedCheckpoints() throws Exception {
    String stream = h.stream(4);
    String fn = h.function();
    LeaseHarness.Node a = h.node();
    String uuid = a.mappings.create(LeaseHarness.request(fn, stream, true)).config().uuid();
    putEach(stream, "a");
    awaitDelivered(fn, 4);

    LeaseHarness.Node b = h.node(List.of(uuid), a);
    await().atMost(BOUND).until(() -> split(owned(a, uuid), owned(b, uuid), 4));
    putEach(stream, "b");
    awaitDelivered(fn, 8);

    b.close();
    await().atMost(BOUND).until(() -> owned(a, uuid).size() == 4);
    putEach(stream, "c");
    awaitDelivered(fn, 12);

    assertThat(data(fn))
        .containsExactlyInAnyOrderElementsOf(
            List.of("a0", "a1", "a2", "a3", "b0", "b1", "b2", "b3", "c0", "c1", "c2", "c3"));
  }

  @Test
  void groupPositions_ofShardsAnotherNodeRuns_giveItsCommittedOffsetLagAndHost() throws Exception {
    String stream = h.stream(4);
    String fn = h.function();
    LeaseHarness.Node a = h.node();
    String uuid = a.mappings.create(LeaseHarness.request(fn, stream, true)).config().uuid();
    LeaseHarness.Node b = h.node(List.of(uuid), a);
    await().atMost(BOUND).until(() -> split(owned(a, uuid), owned(b, uuid), 4));
    Set<String> bs = Set.copyOf(owned(b, uuid));
    putEach(stream, "x");
    awaitDelivered(fn, 4);
    // b's checkpoints past the record reach the group, then b saves no more
    await().atMost(BOUND).until(() -> committed(a, uuid, bs, 1, 0));
    CountDownLatch held = b.holdIo();
    putEach(stream, "y");
    awaitDelivered(fn, 8);

    // as a asks: b's shards one record behind their committed offset, with b's host
    await().atMost(BOUND).until(() -> committed(a, uuid, bs, 1, 1));
    Map<String, GroupPosition> positions = a.mappings.groupPositions(uuid);
    assertThat(positions.keySet()).containsAll(bs);
    bs.forEach(shard -> assertThat(positions.get(shard).host()).isNotBlank());
    held.countDown();
  }

  /** Whether {@code node} sees each of {@code shards} at {@code offset} with {@code lag}. */
  static boolean committed(
      LeaseHarness.Node node, String uuid, Set<String> shards, long offset, long lag) {
    Map<String, GroupPosition> positions = node.mappings.groupPositions(uuid);
    return shards.stream()
        .allMatch(
            s ->
                positions.containsKey(s)
                    && positions.get(s).offset() == offset
                    && positions.get(s).lag() == lag);
  }

  @Test
  void revocation_commitsTheFinalCheckpoints_forTheNextOwner() throws Exception {
    String stream = h.stream(2);
    String fn = h.function();
    LeaseHarness.Node a = h.node();
    String uuid = a.mappings.create(LeaseHarness.request(fn, stream, true)).config().uuid();
    await().atMost(BOUND).until(() -> owned(a, uuid).size() == 2);
    CountDownLatch held = a.holdIo(); // a's own saves never run from here on
    putEach(stream, "x", 2);
    awaitDelivered(fn, 2);
    assertThat(h.leases.load(uuid, stream).values())
        .extracting(Checkpoint::offset)
        .containsOnly(0L);

    LeaseHarness.Node b = h.node(List.of(uuid), a);
    await().atMost(BOUND).until(() -> split(owned(a, uuid), owned(b, uuid), 2));

    String moved = owned(b, uuid).iterator().next();
    assertThat(h.leases.load(uuid, stream).get(moved).offset()).isEqualTo(1);
    assertThat(b.mappings.get(uuid).checkpoints().get(moved).offset()).isEqualTo(1);
    held.countDown();
    assertThat(data(fn)).containsExactlyInAnyOrder("x0", "x1"); // nothing delivered twice
  }

  @Test
  void revocation_batchLongerThanFiveSeconds_finishesAndIsCheckpointedBeforeTheNextOwnerStarts()
      throws Exception {
    String stream = h.stream(2);
    String fn = h.function(); // 10 s timeout: a leaving shard may take that long
    LeaseHarness.Node a = h.node();
    String uuid = a.mappings.create(LeaseHarness.request(fn, stream, true)).config().uuid();
    await().atMost(BOUND).until(() -> owned(a, uuid).size() == 2);
    putEach(stream, "slow", 2); // a 7 s batch in flight on each shard
    await().atMost(BOUND).until(() -> spans(fn, "|begin|") == 2);

    LeaseHarness.Node b = h.node(List.of(uuid), a);
    await().atMost(BOUND).until(() -> split(owned(a, uuid), owned(b, uuid), 2));
    await().atMost(BOUND).until(() -> spans(fn, "|end|") == 2);
    Thread.sleep(2_000); // time for a second delivery, were there one

    assertThat(spans(fn, "|begin|"))
        .as("no shard delivered twice, nor by two nodes at once")
        .isEqualTo(2);
    assertThat(data(fn)).containsExactlyInAnyOrder("slow0", "slow1");
  }

  /** How many lines of the function's slow-record spans contain {@code marker}. */
  static long spans(String fn, String marker) throws Exception {
    Path file = MapperHarness.OUT.resolve(fn + ".spans");
    return Files.exists(file)
        ? Files.readAllLines(file).stream().filter(l -> l.contains(marker)).count()
        : 0;
  }

  @Test
  void checkpoints_roundTripFinishedAndWindow_throughGroupOffsets() throws Exception {
    String stream = h.stream(2);
    String uuid = "roundtrip-" + System.nanoTime();
    WindowState window = new WindowState(1_000, 61_000, Map.of("sum", "42", "n", "3"), false);
    Map<String, Checkpoint> cps =
        Map.of(
            Shard.idOf(0), new Checkpoint(7, true),
            Shard.idOf(1), new Checkpoint(3, false, window));

    h.leases.initialize(uuid, stream, cps);

    assertThat(h.leases.load(uuid, stream)).isEqualTo(cps);
  }

  @Test
  void encode_windowTooLargeForOffsetMetadata_givesNothingToCommit() {
    Map<String, String> big = new HashMap<>();
    IntStream.range(0, 400).forEach(i -> big.put("key-" + i, "value-" + i));
    Checkpoint cp = new Checkpoint(9, false, new WindowState(0, 60_000, big, false));

    assertThat(CheckpointMetadata.encode(cp)).isEmpty();
    assertThat(CheckpointMetadata.encode(new Checkpoint(9, false))).isPresent();
  }

  @Test
  void child_waitsForItsParentToFinish_onAnotherNode() throws Exception {
    String stream = h.stream(1);
    String fn = h.function();
    String parent = Shard.idOf(0);
    h.put(stream, parent, "p0");
    LeaseHarness.Node a = h.node();
    String uuid = a.mappings.create(LeaseHarness.request(fn, stream, false)).config().uuid();
    // the "other node": a member that holds the parent and processes nothing
    Set<String> other = new CopyOnWriteArraySet<>();
    ShardLeases.Lease otherLease = h.leases.open(uuid, stream);
    otherLease.start(holder(other));
    await().atMost(BOUND).until(() -> other.contains(parent));
    a.mappings.update(uuid, enable());
    await().atMost(BOUND).until(() -> members(uuid) == 2);

    BigInteger middle = h.catalog.require(stream).shards().get(0).range().end().shiftRight(1);
    h.catalog.split(stream, parent, middle).join();
    h.awaitActive(stream);
    h.put(stream, Shard.idOf(1), "c1");
    h.put(stream, Shard.idOf(2), "c2");
    await().atMost(BOUND).until(() -> assigned(uuid) == 3);
    assertThat(other).contains(parent); // sticky: the parent stayed where it was

    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(3))
        .until(() -> data(fn).isEmpty());
    long end = h.engine.offsets(new dev.sluice.log.ShardRef(stream, parent)).endOffset();
    otherLease.save(Map.of(parent, new Checkpoint(end, true)));

    await().atMost(BOUND).until(() -> !data(fn).isEmpty());
    assertThat(data(fn)).isSubsetOf("c1", "c2").doesNotContain("p0");
    otherLease.close();
  }

  @Test
  void create_onAStreamStillBeingCreated_deliversOnceItIsActive() throws Exception {
    String fn = h.function();
    LeaseHarness.Node a = h.node();
    String stream = "s-" + UUID.randomUUID().toString().substring(0, 8);
    h.catalog.create(stream, 2, StreamMode.PROVISIONED, Map.of()).join();
    // its topic is made after this returns: the group offsets cannot name its partitions yet
    assertThat(h.catalog.require(stream).status()).isEqualTo(StreamStatus.CREATING);

    a.mappings.create(LeaseHarness.request(fn, stream, true));
    h.awaitActive(stream);
    h.put(stream, Shard.idOf(0), "c0");
    h.put(stream, Shard.idOf(1), "c1");

    awaitDelivered(fn, 2);
    assertThat(data(fn)).containsExactlyInAnyOrder("c0", "c1");
  }

  @Test
  void rewind_onTheOnlyNode_movesTheGroupOffsets_andRedelivers() throws Exception {
    String stream = h.stream(1);
    String fn = h.function();
    LeaseHarness.Node a = h.node();
    String uuid = a.mappings.create(LeaseHarness.request(fn, stream, true)).config().uuid();
    h.put(stream, Shard.idOf(0), "r0");
    awaitDelivered(fn, 1);
    await().atMost(BOUND).until(() -> h.leases.load(uuid, stream).get(Shard.idOf(0)).offset() == 1);

    a.mappings.rewind(uuid, "TRIM_HORIZON", null, null);

    awaitDelivered(fn, 2);
    assertThat(data(fn)).containsExactly("r0", "r0");
  }

  @Test
  void restart_afterKafkaExpiredTheGroupsOffsets_resumesFromTheCopiedCheckpoints()
      throws Exception {
    String stream = h.stream(1);
    String fn = h.function();
    LeaseHarness.Node a = h.node();
    String uuid = a.mappings.create(LeaseHarness.request(fn, stream, true)).config().uuid();
    h.put(stream, Shard.idOf(0), "e0");
    awaitDelivered(fn, 1);
    await().atMost(BOUND).until(() -> h.leases.load(uuid, stream).get(Shard.idOf(0)).offset() == 1);
    a.close(); // no member left: Kafka deletes the offsets after offsets.retention.minutes
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", KafkaBroker.bootstrapServers()))) {
      String group = ((GroupLeases) h.leases).group(uuid);
      await()
          .atMost(BOUND)
          .ignoreExceptions() // until the member's leave is through
          .until(() -> admin.deleteConsumerGroups(List.of(group)).all().get() == null);
    }

    assertThat(h.leases.load(uuid, stream).get(Shard.idOf(0)).offset()).isEqualTo(1);
    LeaseHarness.Node b = h.node(List.of(uuid), a);
    await().atMost(BOUND).until(() -> owned(b, uuid).size() == 1);
    h.put(stream, Shard.idOf(0), "e1");
    awaitDelivered(fn, 2);
    assertThat(data(fn)).as("nothing delivered again").containsExactly("e0", "e1");
  }

  @Test
  void rewind_whileAnotherNodeRunsTheMapping_isRefusedAsAConflict() throws Exception {
    String stream = h.stream(2);
    String fn = h.function();
    LeaseHarness.Node a = h.node();
    String uuid = a.mappings.create(LeaseHarness.request(fn, stream, true)).config().uuid();
    LeaseHarness.Node b = h.node(List.of(uuid), a);
    await().atMost(BOUND).until(() -> split(owned(a, uuid), owned(b, uuid), 2));

    assertThatThrownBy(() -> a.mappings.rewind(uuid, "TRIM_HORIZON", null, null))
        .isInstanceOfSatisfying(
            MappingException.class,
            e -> assertThat(e.kind()).isEqualTo(MappingException.Kind.CONFLICT));

    // a refused rewind leaves the mapping running on this node too
    await().atMost(BOUND).until(() -> !owned(a, uuid).isEmpty());
  }

  @Test
  void delete_lastNodeRunningTheMapping_removesItsConsumerGroupOffsets() throws Exception {
    String stream = h.stream(2);
    String fn = h.function();
    LeaseHarness.Node a = h.node();
    String uuid = a.mappings.create(LeaseHarness.request(fn, stream, true)).config().uuid();
    await().atMost(BOUND).until(() -> owned(a, uuid).size() == 2);
    assertThat(h.leases.load(uuid, stream)).isNotEmpty();

    a.mappings.delete(uuid);

    assertThat(h.leases.load(uuid, stream)).isEmpty();
  }

  @Test
  void membership_droppedByTheBroker_rejoinsWithItsShardsAndKeepsDelivering() throws Exception {
    String stream = h.stream(2);
    String fn = h.function();
    LeaseHarness.Node a = h.node();
    String uuid = a.mappings.create(LeaseHarness.request(fn, stream, true)).config().uuid();
    await().atMost(BOUND).until(() -> owned(a, uuid).size() == 2);
    putEach(stream, "x", 2);
    awaitDelivered(fn, 2);
    String member = group(uuid).members().iterator().next().consumerId();

    // what the coordinator does to a member whose session expired (a node cut off for a while)
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.bootstrapServers()))) {
      admin
          .removeMembersFromConsumerGroup(
              h.prefix + "mapping-" + uuid, new RemoveMembersFromConsumerGroupOptions())
          .all()
          .get(30, TimeUnit.SECONDS);
    }

    await()
        .atMost(BOUND)
        .until(
            () -> {
              ConsumerGroupDescription g = group(uuid);
              return g.members().size() == 1
                  && !g.members().iterator().next().consumerId().equals(member)
                  && assigned(uuid) == 2;
            });
    await().atMost(BOUND).until(() -> owned(a, uuid).size() == 2);
    putEach(stream, "y", 2);
    // x may come twice (at least once), so count distinct records rather than deliveries
    await().atMost(BOUND).until(() -> data(fn).containsAll(List.of("x0", "x1", "y0", "y1")));
  }

  @Test
  void delete_whileAMemberLingers_deletesTheGroupOnceTheMemberIsGone() throws Exception {
    String stream = h.stream(1);
    String uuid = UUID.randomUUID().toString();
    GroupLeases groups = (GroupLeases) h.leases;
    h.leases.initialize(uuid, stream, Map.of(Shard.idOf(0), new Checkpoint(0, false)));
    // a member that stops polling without leaving, as a killed node's does: it is dropped only
    // after max.poll.interval.ms (here standing in for the session of a node killed by SIGKILL)
    try (KafkaConsumer<byte[], byte[]> lingering = member(groups.group(uuid))) {
      lingering.subscribe(List.of(groups.topic(stream)));
      await()
          .atMost(BOUND)
          .until(
              () ->
                  !lingering.poll(Duration.ofMillis(100)).isEmpty()
                      || !lingering.assignment().isEmpty());

      h.leases.delete(uuid); // refused now: the group has a member

      assertThat(h.leases.load(uuid, stream)).isNotEmpty();
      await().atMost(BOUND).until(() -> h.leases.load(uuid, stream).isEmpty());
    }
  }

  private static KafkaConsumer<byte[], byte[]> member(String group) {
    return new KafkaConsumer<>(
        Map.of(
            "bootstrap.servers", KafkaBroker.bootstrapServers(),
            "group.id", group,
            "max.poll.interval.ms", 2_000,
            "session.timeout.ms", 6_000,
            "heartbeat.interval.ms", 1_000),
        new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
  }

  @Test
  void streamDeletedAndCreatedAgain_whileTheMappingRuns_newStreamReadFromItsStart()
      throws Exception {
    String stream = h.stream(1);
    String fn = h.function();
    String shard = Shard.idOf(0);
    LeaseHarness.Node a = h.node();
    String uuid = a.mappings.create(LeaseHarness.request(fn, stream, true)).config().uuid();
    IntStream.range(0, 5).forEach(i -> h.put(stream, shard, "old" + i));
    awaitDelivered(fn, 5);
    await().atMost(BOUND).until(() -> h.leases.load(uuid, stream).get(shard).offset() == 5);

    recreate(stream, 1);
    IntStream.range(0, 7).forEach(i -> h.put(stream, shard, "new" + i));

    awaitDelivered(fn, 12);
    Thread.sleep(1_000); // time for a record delivered twice, were there one
    assertThat(data(fn))
        .containsExactly(
            "old0", "old1", "old2", "old3", "old4", "new0", "new1", "new2", "new3", "new4", "new5",
            "new6");
    long created = h.catalog.require(stream).createdMillis();
    await()
        .atMost(BOUND)
        .until(
            () -> {
              Checkpoint cp = h.leases.load(uuid, stream).get(shard);
              return cp != null
                  && cp.offset() == 7
                  && Long.valueOf(created).equals(cp.incarnation());
            });
  }

  @Test
  void start_withACommitOfTheDeletedStreamOnTheNewTopic_readsTheNewStreamFromItsStart()
      throws Exception {
    String stream = h.stream(1);
    String fn = h.function();
    String shard = Shard.idOf(0);
    long old = h.catalog.require(stream).createdMillis();
    LeaseHarness.Node a = h.node();
    String uuid = a.mappings.create(LeaseHarness.request(fn, stream, false)).config().uuid();
    recreate(stream, 1);
    IntStream.range(0, 3).forEach(i -> h.put(stream, shard, "new" + i));
    // what a save of the old stream's checkpoint racing the deletion leaves on the new topic
    h.leases.initialize(uuid, stream, Map.of(shard, new Checkpoint(5, false).in(old)));

    a.mappings.update(uuid, enable());

    awaitDelivered(fn, 3);
    Thread.sleep(1_000);
    assertThat(data(fn)).containsExactly("new0", "new1", "new2");
  }

  // ---- helpers ----

  /** Deletes the stream and creates it again under its name with {@code shards} shards. */
  void recreate(String stream, int shards) throws Exception {
    long before = h.catalog.require(stream).createdMillis();
    h.catalog.delete(stream).join();
    await().atMost(BOUND).until(() -> h.catalog.find(stream).isEmpty());
    await().until(() -> System.currentTimeMillis() > before); // a creation time of its own
    h.catalog.create(stream, shards, StreamMode.PROVISIONED, Map.of()).join();
    h.awaitActive(stream);
  }

  static ShardLeases.Owner holder(Set<String> owned) {
    return new ShardLeases.Owner() {
      @Override
      public void assigned(Set<String> shardIds, Map<String, Checkpoint> checkpoints) {
        owned.addAll(shardIds);
      }

      @Override
      public CompletableFuture<Map<String, Checkpoint>> revoked(Set<String> shardIds) {
        owned.removeAll(shardIds);
        return CompletableFuture.completedFuture(Map.of());
      }
    };
  }

  static MappingRequest enable() {
    return new MappingRequest(
        null, null, true, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null);
  }

  void putEach(String stream, String prefix) {
    putEach(stream, prefix, 4);
  }

  void putEach(String stream, String prefix, int shards) {
    for (int i = 0; i < shards; i++) {
      h.put(stream, Shard.idOf(i), prefix + i);
    }
  }

  static Set<String> owned(LeaseHarness.Node node, String uuid) {
    return node.mappings.get(uuid).checkpoints().keySet();
  }

  static boolean split(Set<String> a, Set<String> b, int total) {
    Set<String> all = new HashSet<>(a);
    all.addAll(b);
    return !a.isEmpty() && !b.isEmpty() && a.size() + b.size() == total && all.size() == total;
  }

  static void awaitDelivered(String fn, int n) {
    await().atMost(BOUND).until(() -> data(fn).size() >= n);
  }

  /** The data of every record the function received, in delivery order. */
  static List<String> data(String fn) throws Exception {
    return MapperHarness.delivered(fn).stream().map(l -> l.split("\\|")[1]).toList();
  }

  int members(String uuid) throws Exception {
    return group(uuid).members().size();
  }

  int assigned(String uuid) throws Exception {
    return group(uuid).members().stream()
        .map(MemberDescription::assignment)
        .mapToInt(a -> a.topicPartitions().size())
        .sum();
  }

  ConsumerGroupDescription group(String uuid) throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.bootstrapServers()))) {
      String group = h.prefix + "mapping-" + uuid;
      return admin
          .describeConsumerGroups(List.of(group))
          .describedGroups()
          .get(group)
          .get(30, TimeUnit.SECONDS);
    }
  }
}
