package dev.sluice.mapper;

import dev.sluice.checkpoint.Checkpoint;
import dev.sluice.log.kafka.KafkaCalls;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.jboss.logging.Logger;

/**
 * Checkpoints as consumer-group offsets, one group per mapping ({@code <prefix>mapping-<uuid>}),
 * shard {@code shardId-N} being partition N of the stream's topic. Stored checkpoints are written
 * with the Admin API, which Kafka allows only while the group has no members: at creation (a new
 * uuid), and for a rewind once every node stopped the mapping. Each call opens a short-lived Admin
 * client on the caller's thread: these calls are rare. {@link CheckpointCopies} keep copies of them
 * in the node state for when Kafka has expired a group's offsets.
 */
final class GroupLeases implements ShardLeases {

  private static final Logger LOG = Logger.getLogger(GroupLeases.class);
  private static final long TIMEOUT_SECONDS = 30;

  /** How long a rewind waits for the group to empty after this node's own member left it. */
  private static final long EMPTY_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

  private static final String SHARD_PREFIX = "shardId-";

  /** How often a failed delete is tried again, a session timeout apart. */
  private static final int DELETE_RETRIES = 3;

  private static final long RETRY_MARGIN_MILLIS = 2_000;

  /** Runs the later delete attempts; one daemon thread for every mapping, idle almost always. */
  private static final ScheduledExecutorService RETRIES =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "sluice-lease-cleanup");
            t.setDaemon(true);
            return t;
          });

  private final GroupLeaseOptions options;
  private final CheckpointCopies copies;

  GroupLeases(GroupLeaseOptions options, CheckpointCopies copies) {
    this.options = options;
    this.copies = copies;
  }

  String group(String uuid) {
    return options.topicPrefix() + "mapping-" + uuid;
  }

  String topic(String stream) {
    return options.topicPrefix() + stream;
  }

  static TopicPartition partition(String topic, String shardId) {
    if (!shardId.startsWith(SHARD_PREFIX)) {
      throw new IllegalArgumentException("shard id " + shardId + " has no ordinal");
    }
    return new TopicPartition(topic, Integer.parseInt(shardId.substring(SHARD_PREFIX.length())));
  }

  static String shardId(int partition) {
    return String.format("%s%012d", SHARD_PREFIX, partition);
  }

  @Override
  public void initialize(String uuid, String stream, Map<String, Checkpoint> checkpoints) {
    try {
      alter(uuid, stream, checkpoints);
    } catch (GroupNotEmptyException | UnknownMemberIdException e) {
      throw new MappingException(
          MappingException.Kind.CONFLICT, "Mapping " + uuid + " runs already; cannot position it.");
    }
  }

  @Override
  public Map<String, Checkpoint> load(String uuid, String stream) {
    String topic = topic(stream);
    try (Admin admin = admin()) {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          get(admin.listConsumerGroupOffsets(group(uuid)).partitionsToOffsetAndMetadata());
      Map<String, Checkpoint> out = new TreeMap<>();
      offsets.forEach(
          (tp, om) -> {
            if (om != null && tp.topic().equals(topic)) {
              out.put(shardId(tp.partition()), CheckpointMetadata.decode(om));
            }
          });
      copies.of(group(uuid)).forEach(out::putIfAbsent); // where the group has no offset
      return out;
    }
  }

  /**
   * Rewinds once the group is empty. This node stopped its runner first; other nodes running the
   * mapping keep the group busy, and the rewind is refused: disable the mapping, let every node
   * stop it, rewind, enable it again.
   */
  @Override
  public void rewind(String uuid, String stream, Map<String, Checkpoint> checkpoints) {
    long deadline = System.nanoTime() + EMPTY_WAIT_NANOS;
    while (true) {
      try {
        alter(uuid, stream, checkpoints);
        return;
      } catch (GroupNotEmptyException | UnknownMemberIdException e) {
        if (System.nanoTime() > deadline) {
          throw new MappingException(
              MappingException.Kind.CONFLICT,
              "Mapping "
                  + uuid
                  + " runs on other nodes: its checkpoints (consumer-group offsets) can only be"
                  + " moved while no node runs it. Disable it, wait until it is disabled"
                  + " everywhere, rewind, then enable it.");
        }
        pause();
      }
    }
  }

  /**
   * Deletes the mapping's consumer group. Kafka refuses while a member remains: another node that
   * has not stopped the mapping yet (its own delete removes the group), or a node killed moments
   * ago whose session has not expired. So a refused delete, or one the cluster did not answer, is
   * tried again after a session timeout, a few times, lest the group and its offsets stay until the
   * broker's offsets retention.
   */
  @Override
  public void delete(String uuid) {
    deleteGroup(uuid, DELETE_RETRIES);
    copies.delete(group(uuid));
  }

  private void deleteGroup(String uuid, int retriesLeft) {
    try (Admin admin = admin()) {
      get(admin.deleteConsumerGroups(List.of(group(uuid))).all());
    } catch (GroupIdNotFoundException e) {
      LOG.debugf("Consumer group of mapping %s is gone already", uuid);
    } catch (RuntimeException e) {
      // members remain, or the cluster did not answer in time (no coordinator, a timeout)
      if (retriesLeft == 0 && e instanceof GroupNotEmptyException) {
        // another node still runs the mapping, and deletes the group when it stops it
        LOG.infof("Consumer group %s still has members; it is left to them", group(uuid));
        return;
      }
      if (retriesLeft == 0) {
        LOG.warnf(
            "Could not delete the consumer group %s of mapping %s (%s); it stays until the"
                + " broker's offsets retention",
            group(uuid), uuid, e.getMessage());
        return;
      }
      long delay = options.sessionTimeout().toMillis() + RETRY_MARGIN_MILLIS;
      RETRIES.schedule(() -> deleteGroup(uuid, retriesLeft - 1), delay, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public Lease open(String uuid, String stream) {
    return open(uuid, stream, () -> GroupLease.MIN_DRAIN);
  }

  @Override
  public Lease open(String uuid, String stream, Supplier<Duration> drain) {
    return new GroupLease(options, group(uuid), topic(stream), drain, copies);
  }

  private void alter(String uuid, String stream, Map<String, Checkpoint> checkpoints) {
    String topic = topic(stream);
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    checkpoints.forEach(
        (id, cp) -> {
          Optional<OffsetAndMetadata> om = CheckpointMetadata.encode(cp);
          om.ifPresent(o -> offsets.put(partition(topic, id), o));
        });
    if (offsets.isEmpty()) {
      return;
    }
    try (Admin admin = admin()) {
      get(admin.alterConsumerGroupOffsets(group(uuid), offsets).all());
    }
    // the copies too: the offsets of a mapping created or rewound while disabled expire alike
    Map<String, Checkpoint> failed =
        CheckpointCopies.awaitQuietly(copies.put(group(uuid), checkpoints), timeout());
    if (failed == null || !failed.isEmpty()) {
      // the offsets are set, which is what counts while the group keeps them; once Kafka expires
      // them the mapping would resume from the older copies
      LOG.warnf(
          "Mapping %s: the checkpoints were set, but their copies in the node state were not"
              + " written; once its group's offsets expire, the mapping resumes from older ones",
          uuid);
    }
  }

  private Admin admin() {
    return Admin.create(
        options
            .connection()
            .adminConfig("sluice-lease-admin", 10_000, (int) (TIMEOUT_SECONDS * 1000)));
  }

  private static <T> T get(KafkaFuture<T> f) {
    return KafkaCalls.await(f, TIMEOUT_SECONDS, IllegalStateException::new);
  }

  private static void pause() {
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  static Duration timeout() {
    return Duration.ofSeconds(TIMEOUT_SECONDS);
  }
}
