package dev.sluice.mapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.checkpoint.Checkpoint;
import dev.sluice.cluster.StateListener;
import dev.sluice.cluster.StateStore;
import dev.sluice.testing.KafkaBroker;
import dev.sluice.testing.MemoryState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The copies of a group's checkpoints in the node state, against a real broker's group. */
class GroupLeaseCopiesTest {

  static final String SHARD = GroupLeases.shardId(0);

  final MemoryState world = new MemoryState();
  final GatedState state = new GatedState(world);
  String prefix;
  GroupLeases leases;
  Admin admin;

  @BeforeEach
  void open() throws Exception {
    prefix = "glc-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    leases =
        (GroupLeases)
            ShardLeases.kafkaGroups(
                new GroupLeaseOptions(
                    KafkaBroker.bootstrapServers(), prefix, Duration.ofSeconds(6)),
                state);
    admin = Admin.create(Map.of("bootstrap.servers", KafkaBroker.bootstrapServers()));
    admin.createTopics(List.of(new NewTopic(leases.topic("s"), 1, (short) 1))).all().get();
  }

  @AfterEach
  void close() {
    state.gate.countDown();
    admin.close();
  }

  @Test
  void close_copyStillBeingWritten_theGroupIsLeftOnlyOnceItIsStored() throws Exception {
    ShardLeases.Lease lease = started();
    state.gate = new CountDownLatch(1); // the state answers slowly from now on
    lease.save(Map.of(SHARD, new Checkpoint(5, false))); // the first commit is copied at once

    Thread closer = new Thread(lease::close);
    closer.start();
    Thread.sleep(1_500); // what leaving without waiting took before

    assertThat(members(leases.group("m"))).as("members while the copy is written").isNotEmpty();
    state.gate.countDown();
    closer.join(30_000);
    assertThat(copied()).as("the copy, stored before the group was left").contains("\"offset\":5");
    await().atMost(Duration.ofSeconds(20)).until(() -> members(leases.group("m")).isEmpty());
  }

  @Test
  void save_copyFailsOnce_itIsWrittenAgainWithTheNextCopy() throws Exception {
    ShardLeases.Lease lease = started();
    state.failNext = true;
    lease.save(Map.of(SHARD, new Checkpoint(5, false)));
    await().atMost(Duration.ofSeconds(20)).until(() -> !state.failNext);
    Thread.sleep(200); // the failure is handed back to the membership thread

    lease.close(); // leaving copies what is not copied yet

    assertThat(copied()).as("the copy that failed, written again").contains("\"offset\":5");
  }

  @Test
  void close_rightAfterASaveWhoseCopyFails_theCopyIsWrittenAgainBeforeLeaving() throws Exception {
    ShardLeases.Lease lease = started();
    lease.save(Map.of(SHARD, new Checkpoint(6, false))); // copied at once: the next one waits
    await().atMost(Duration.ofSeconds(20)).until(() -> copied() != null);
    state.failNext = true;
    lease.save(Map.of(SHARD, new Checkpoint(7, false)));

    lease.close(); // the retry a failed copy queues may come after the wait for it

    assertThat(state.failNext).as("a copy failed").isFalse();
    assertThat(copied()).as("the copy that failed, written again").contains("\"offset\":7");
  }

  /** A lease of mapping {@code m} on stream {@code s}, once it holds the shard. */
  private ShardLeases.Lease started() throws InterruptedException {
    ShardLeases.Lease lease = leases.open("m", "s");
    CountDownLatch assigned = new CountDownLatch(1);
    lease.start(owner(assigned));
    assertThat(assigned.await(40, TimeUnit.SECONDS)).as("shard assigned").isTrue();
    return lease;
  }

  private String copied() {
    byte[] v = world.values.get(CheckpointCopies.PREFIX + leases.group("m") + "/" + SHARD);
    return v == null ? null : new String(v, StandardCharsets.UTF_8);
  }

  private List<?> members(String group) throws Exception {
    return List.copyOf(
        admin.describeConsumerGroups(List.of(group)).all().get().get(group).members());
  }

  private static ShardLeases.Owner owner(CountDownLatch assigned) {
    return new ShardLeases.Owner() {
      @Override
      public void assigned(Set<String> shardIds, Map<String, Checkpoint> checkpoints) {
        assigned.countDown();
      }

      @Override
      public CompletableFuture<Map<String, Checkpoint>> revoked(Set<String> shardIds) {
        return CompletableFuture.completedFuture(Map.of());
      }
    };
  }

  /** A node state whose checkpoint copies wait for {@link #gate}, as a slow broker's would. */
  static final class GatedState implements StateStore {
    private final MemoryState world;
    volatile CountDownLatch gate = new CountDownLatch(0);
    volatile boolean failNext;

    GatedState(MemoryState world) {
      this.world = world;
    }

    @Override
    public Map<String, byte[]> snapshot(String prefix) {
      return world.snapshot(prefix);
    }

    @Override
    public void listen(String prefix, StateListener listener) {
      world.listen(prefix, listener);
    }

    @Override
    public void listenAll(String prefix, StateListener listener) {
      world.listenAll(prefix, listener);
    }

    @Override
    public void follow() {}

    @Override
    public void put(String key, byte[] value) {
      try {
        gate.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (failNext) {
        failNext = false;
        throw new dev.sluice.cluster.StateException("the broker did not answer");
      }
      world.put(key, value);
    }

    @Override
    public void remove(String key) {
      world.remove(key);
    }

    @Override
    public void close() {}
  }
}
