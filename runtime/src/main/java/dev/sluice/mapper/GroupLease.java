package dev.sluice.mapper;

import dev.sluice.checkpoint.Checkpoint;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

/**
 * One running mapping's membership in its consumer group: a consumer subscribed to the stream's
 * topic whose partitions stay paused (it never fetches records), so that Kafka's group protocol
 * assigns this node its share of the shards and moves them when nodes come and go. Checkpoints are
 * committed through it as offsets ({@link CheckpointMetadata}).
 *
 * <p>Thread model: a {@code KafkaConsumer} is not thread-safe, so one thread, {@code
 * sluice-lease-<group>}, owns it: it polls (at most {@link #POLL} apart), which runs rebalances and
 * their callbacks, and between polls runs the commits and queries other threads queued; Kafka's own
 * background thread sends the heartbeats. The callbacks tell the {@link ShardLeases.Owner} on this
 * thread; it answers asynchronously. Commits only ever cover partitions assigned at the moment they
 * run, so a slow save from before a revocation cannot overwrite the next owner's progress.
 *
 * <p>Assignor: {@link CooperativeStickyAssignor}. With the eager protocol every rebalance (a node
 * joining, leaving, or a reshard adding partitions) revokes every shard of every node, stopping all
 * of them; cooperatively only the shards that move stop, and sticky assignment moves few.
 */
final class GroupLease implements ShardLeases.Lease, ConsumerRebalanceListener {

  private static final Logger LOG = Logger.getLogger(GroupLease.class);

  /** Longest a queued commit or query waits for the poll to return. */
  private static final Duration POLL = Duration.ofMillis(50);

  /** The least a revocation waits for the runner to drain the shards and hand their checkpoints. */
  static final Duration MIN_DRAIN = Duration.ofSeconds(5);

  /**
   * How much longer than the drain the group waits for this member in a rebalance (the member is
   * inside its revocation callback meanwhile) before it counts as gone: Kafka's default at least.
   */
  private static final Duration REBALANCE_MARGIN = Duration.ofSeconds(30);

  private static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMinutes(5);

  /** Bound of blocking consumer calls (committed offsets, commits) and of waiting for them. */
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);

  /** A reshard adds partitions; the consumer notices them (and rebalances) this often at most. */
  private static final int METADATA_MAX_AGE_MS = 2_000;

  /**
   * A failed membership rejoins after this many 100 ms pauses, so a lasting fault is not a spin.
   */
  private static final int REJOIN_PAUSES = 50;

  /**
   * Committed checkpoints are copied to the node state ({@link CheckpointCopies}) at most this
   * often while the shards run, and always when they leave this node: a copy is only read once the
   * group's offsets expired, and an older one then delivers a little again, no more.
   */
  private static final long COPY_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(60);

  private final Map<String, Object> config;
  private final Supplier<Duration> drain;
  private final String topic;
  private final String group;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final Set<String> tooLarge = new HashSet<>(); // membership thread only
  private final Set<String> held = new HashSet<>(); // membership thread only
  private final CheckpointCopies copies;
  private final GroupProgress progress;
  private final Map<String, Checkpoint> uncopied = new HashMap<>(); // membership thread only
  private long copiedAtNanos = System.nanoTime() - COPY_INTERVAL_NANOS; // first commit copies
  private volatile CompletableFuture<Map<String, Checkpoint>> lastCopy =
      CompletableFuture.completedFuture(Map.of());
  private KafkaConsumer<byte[], byte[]> consumer; // membership thread only
  private ShardLeases.Owner owner;
  private volatile boolean closing;

  /**
   * @param drain how long a revoked shard may take to finish its batch in flight, asked at each
   *     revocation (the function's timeout then), at least {@link #MIN_DRAIN}
   */
  GroupLease(
      GroupLeaseOptions options,
      String group,
      String topic,
      Supplier<Duration> drain,
      CheckpointCopies copies) {
    this.group = group;
    this.copies = copies;
    this.topic = topic;
    this.drain = drain;
    // the group must wait through the longest drain a function's timeout may later ask for
    this.config = config(options, group, Drain.longest().plus(MIN_DRAIN).toMillis());
    this.progress =
        new GroupProgress(
            group,
            () ->
                Admin.create(
                    options
                        .connection()
                        .adminConfig(
                            "sluice-progress-" + group,
                            GroupProgress.TIMEOUT_MILLIS,
                            GroupProgress.TIMEOUT_MILLIS)),
            group,
            topic,
            GroupLeases::shardId,
            committed -> !CheckpointMetadata.decode(committed).finished());
  }

  @Override
  public Map<String, GroupPosition> groupPositions() {
    return progress.positions();
  }

  private long drainMillis() {
    return Math.max(MIN_DRAIN.toMillis(), drain.get().toMillis());
  }

  private static Map<String, Object> config(GroupLeaseOptions o, String group, long drainMillis) {
    Map<String, Object> c = o.connection().clientConfig("sluice-lease-" + group);
    // the rebalance timeout: a member still inside its revocation callback must not be dropped
    long interval =
        Math.max(DEFAULT_POLL_INTERVAL.toMillis(), drainMillis + REBALANCE_MARGIN.toMillis());
    c.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) interval);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    // the classic protocol: the one whose assignor the client chooses
    c.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
    c.put(
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        List.of(CooperativeStickyAssignor.class.getName()));
    long session = o.sessionTimeout().toMillis();
    c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) session);
    c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(1, session / 3));
    c.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, METADATA_MAX_AGE_MS);
    // its metadata requests must not bring back the topic of a stream deleted meanwhile
    c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    // offsets are checkpoints, committed only when the runner says so
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // nothing is fetched; a reset policy only keeps the consumer from failing on missing offsets
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return c;
  }

  @Override
  public Map<String, Checkpoint> start(ShardLeases.Owner owner) {
    this.owner = owner;
    Thread t = new Thread(this::run, "sluice-lease-" + group);
    t.setDaemon(true);
    t.start();
    return Map.of(); // shards and their checkpoints come with assignments
  }

  @Override
  public boolean exclusive() {
    return false;
  }

  @Override
  public void save(Map<String, Checkpoint> checkpoints) {
    Map<String, Checkpoint> copy = Map.copyOf(checkpoints);
    await(
        call(
            c -> {
              commit(copy, false);
              return null;
            }));
  }

  @Override
  public CompletableFuture<Map<String, Checkpoint>> stored(Set<String> shardIds) {
    Set<TopicPartition> partitions = partitions(shardIds);
    return call(c -> copies.fill(group, shardIds, decode(c.committed(partitions, CALL_TIMEOUT))));
  }

  @Override
  public void close() {
    closing = true;
    progress.close();
    if (owner == null) {
      return; // never started: no consumer to close
    }
    try {
      closed.get(CALL_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.warnf("Leaving consumer group %s did not finish: %s", group, e);
    }
    CheckpointCopies.awaitQuietly(lastCopy, CALL_TIMEOUT); // the final checkpoints' copies
  }

  // ---- membership thread ----

  private void run() {
    try {
      while (!closing) {
        membership();
      }
    } finally {
      closed.complete(null);
      failQueued();
    }
  }

  /** One membership of the group, until closing; a failed one gives its shards up and rejoins. */
  private void membership() {
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(config)) {
      consumer = c;
      c.subscribe(List.of(topic), this);
      while (!closing) {
        pollOnce(c);
        runTasks();
      }
      runTasks(); // queued before close: a final save
      finalCopy();
    } catch (RuntimeException | Error e) {
      // an Error too (a LinkageError from a client class, say): it would end this thread, and the
      // mapping would hold its shards here with no member left to commit or give them up
      LOG.errorf(e, "Consumer group %s failed; this node gives up its shards and rejoins", group);
      // the group has left already, so a copy written now could land after the next owner's
      uncopied.clear();
      if (!held.isEmpty()) {
        owner.revoked(Set.copyOf(held)); // nothing commits for them any more: stop them
        held.clear();
      }
      for (int i = 0; i < REJOIN_PAUSES && !closing; i++) {
        sleep(100);
      }
    }
  }

  private void pollOnce(KafkaConsumer<byte[], byte[]> c) {
    try {
      c.poll(POLL);
    } catch (KafkaException e) {
      // e.g. the coordinator moved: the consumer recovers on later polls
      LOG.warnf("Consumer group %s: %s", group, e.toString());
      sleep(500);
    }
  }

  private void runTasks() {
    for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
      task.run();
    }
  }

  /** Once the consumer is closed: each queued task fails its future without touching it. */
  private void failQueued() {
    for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
      task.run();
    }
  }

  /** Runs {@code action} with the consumer on the membership thread. */
  private <T> CompletableFuture<T> call(Function<KafkaConsumer<byte[], byte[]>, T> action) {
    CompletableFuture<T> f = new CompletableFuture<>();
    tasks.add(
        () -> {
          try {
            if (closed.isDone()) {
              throw new IllegalStateException("consumer group " + group + " was left");
            }
            f.complete(action.apply(consumer));
          } catch (RuntimeException e) {
            f.completeExceptionally(e);
          } catch (Error e) {
            f.completeExceptionally(e); // or its caller waits for ever; the membership recovers
            throw e;
          }
        });
    if (closed.isDone()) {
      failQueued(); // nobody polls any more
    }
    return f;
  }

  @Override
  public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    consumer.pause(partitions); // membership only: never fetch
    Map<String, Checkpoint> stored = committed(Set.copyOf(partitions));
    if (stored != null) {
      copies.fill(group, shardIds(partitions), stored); // only where the group has no offset
      held.addAll(shardIds(partitions));
      owner.assigned(shardIds(partitions), stored);
    }
  }

  /**
   * The committed checkpoints, asked until the broker answers: a shard must not start without its
   * checkpoint. Null when closing meanwhile. (Heartbeats go on in the background meanwhile.)
   */
  private Map<String, Checkpoint> committed(Set<TopicPartition> partitions) {
    while (!closing) {
      try {
        return decode(consumer.committed(partitions, CALL_TIMEOUT));
      } catch (KafkaException e) {
        LOG.warnf("Consumer group %s: reading checkpoints failed (%s); retrying", group, e);
        sleep(500);
      }
    }
    return null;
  }

  /** Stops the shards, then commits their final checkpoints while this node still holds them. */
  @Override
  public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
    if (partitions.isEmpty() || closing) {
      return; // closing: the runner saved its final checkpoints before leaving
    }
    Map<String, Checkpoint> last = stop(partitions);
    try {
      commit(last, true);
    } catch (KafkaException e) {
      LOG.warnf("Consumer group %s: final checkpoints not committed (%s)", group, e.toString());
      copyCommitted(); // what was committed before stands, and is copied while still ours
    }
    // the shards move only once this returns: their copies are stored before the next owner's
    awaitCopy();
  }

  /** Fenced out (say after a long pause): the shards are someone else's already; no commit. */
  @Override
  public void onPartitionsLost(Collection<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    // already another member's: nothing to wait for or commit, and the rejoin should not wait
    held.removeAll(shardIds(partitions));
    // their next owner copies its own, newer checkpoints (a closing node too)
    uncopied.keySet().removeAll(shardIds(partitions));
    if (!closing) {
      owner.revoked(shardIds(partitions));
    }
  }

  private Map<String, Checkpoint> stop(Collection<TopicPartition> partitions) {
    held.removeAll(shardIds(partitions));
    try {
      // its batch in flight finishes first: the next owner would deliver it again meanwhile
      return owner.revoked(shardIds(partitions)).get(drainMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Map.of();
    } catch (ExecutionException | TimeoutException e) {
      LOG.warnf("Consumer group %s: shards did not stop in time (%s)", group, e.toString());
      return Map.of();
    }
  }

  /**
   * Commits the checkpoints of the partitions assigned now; others are not this node's. Copies them
   * when {@code leaving} (the shards move) or when the last copy is old enough.
   */
  private void commit(Map<String, Checkpoint> checkpoints, boolean leaving) {
    Set<TopicPartition> assigned = consumer.assignment();
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    checkpoints.forEach(
        (id, cp) -> {
          TopicPartition tp = GroupLeases.partition(topic, id);
          if (assigned.contains(tp)) {
            Optional<OffsetAndMetadata> om = CheckpointMetadata.encode(cp);
            if (om.isPresent()) {
              offsets.put(tp, om.get());
            } else if (tooLarge.add(id)) {
              LOG.warnf(
                  "Consumer group %s: the tumbling window of %s is over %d bytes as offset"
                      + " metadata; its commits wait until the window closes",
                  group, id, CheckpointMetadata.MAX_BYTES);
            }
          }
        });
    if (!offsets.isEmpty()) {
      consumer.commitSync(offsets, CALL_TIMEOUT);
      offsets.keySet().forEach(tp -> uncopied.put(shardIdOf(tp), checkpoints.get(shardIdOf(tp))));
    }
    if (leaving || System.nanoTime() - copiedAtNanos >= COPY_INTERVAL_NANOS) {
      copyCommitted();
    }
  }

  /**
   * Copies what was committed since the last copy; the copy is written on another thread, and what
   * it could not write is copied again with the next copy, while this node holds those shards.
   */
  private void copyCommitted() {
    if (uncopied.isEmpty()) {
      return;
    }
    CompletableFuture<Map<String, Checkpoint>> copy = copies.put(group, Map.copyOf(uncopied));
    copy.thenAccept(
        failed -> {
          if (!failed.isEmpty()) {
            tasks.add(() -> failed.forEach(this::copyAgain));
          }
        });
    lastCopy = copy;
    uncopied.clear();
    copiedAtNanos = System.nanoTime();
  }

  /** Membership thread: a copy that failed, unless the shard left or committed since. */
  private void copyAgain(String shardId, Checkpoint checkpoint) {
    if (held.contains(shardId)) {
      uncopied.putIfAbsent(shardId, checkpoint);
    }
  }

  /**
   * Copies what is committed before this node leaves, so that the next owner's copies come after
   * its own. A failed copy queues its retry from the writer's thread, which may come only after the
   * wait here: its keys are written once more at once instead.
   */
  private void finalCopy() {
    copyCommitted();
    Map<String, Checkpoint> failed = CheckpointCopies.awaitQuietly(lastCopy, CALL_TIMEOUT);
    if (failed != null && !failed.isEmpty()) {
      failed.forEach(this::copyAgain);
      copyCommitted();
      awaitCopy();
    }
  }

  private void awaitCopy() {
    CheckpointCopies.awaitQuietly(lastCopy, CALL_TIMEOUT);
  }

  private static String shardIdOf(TopicPartition tp) {
    return GroupLeases.shardId(tp.partition());
  }

  private Set<TopicPartition> partitions(Set<String> shardIds) {
    Set<TopicPartition> out = new HashSet<>();
    shardIds.forEach(id -> out.add(GroupLeases.partition(topic, id)));
    return out;
  }

  private static Set<String> shardIds(Collection<TopicPartition> partitions) {
    Set<String> out = new HashSet<>();
    partitions.forEach(tp -> out.add(GroupLeases.shardId(tp.partition())));
    return out;
  }

  private static Map<String, Checkpoint> decode(Map<TopicPartition, OffsetAndMetadata> committed) {
    Map<String, Checkpoint> out = new TreeMap<>();
    committed.forEach(
        (tp, om) -> {
          if (om != null) {
            out.put(GroupLeases.shardId(tp.partition()), CheckpointMetadata.decode(om));
          }
        });
    return out;
  }

  private static <T> T await(CompletableFuture<T> f) {
    try {
      return f.get(CALL_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r
          ? r
          : new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("consumer group call timed out", e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
