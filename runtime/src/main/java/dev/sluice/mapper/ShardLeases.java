package dev.sluice.mapper;

import dev.sluice.checkpoint.Checkpoint;
import dev.sluice.cluster.StateStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Where Kinesis mappings keep their checkpoints, and which shards of a mapping this node runs.
 *
 * <p>With file storage ({@link #files}) a mapping's checkpoints are a JSON file in the data
 * directory and this node runs every shard. With Kafka storage ({@link #kafkaGroups}) they are the
 * committed offsets of a consumer group per mapping, and the group's members (the nodes running the
 * mapping) share the shards: each runs the partitions Kafka assigns it. The methods of this
 * interface block; call them off event loops.
 */
public interface ShardLeases {

  /** Checkpoints in {@code <dataDir>/mappings/<uuid>/checkpoints.json}; every shard runs here. */
  static ShardLeases files(Path dataDir) {
    return new FileLeases(dataDir.resolve("mappings"));
  }

  /**
   * Checkpoints as the offsets of consumer group {@code <prefix>mapping-<uuid>} on the stream's
   * topic; shards spread over the nodes by group membership.
   */
  static ShardLeases kafkaGroups(GroupLeaseOptions options) {
    return new GroupLeases(options, CheckpointCopies.none());
  }

  /**
   * As {@link #kafkaGroups(GroupLeaseOptions)}, with copies of the checkpoints in the shared node
   * {@code state}, which a mapping resumes from once Kafka expired its group's offsets (a week
   * without a member, by default). Call before the state follows.
   */
  static ShardLeases kafkaGroups(GroupLeaseOptions options, StateStore state) {
    return new GroupLeases(options, CheckpointCopies.shared(state));
  }

  /** Stores the checkpoints a new mapping starts from (its shards by id). */
  void initialize(String uuid, String stream, Map<String, Checkpoint> checkpoints);

  /** The stored checkpoints of a mapping, by shard id. */
  Map<String, Checkpoint> load(String uuid, String stream);

  /**
   * Replaces the stored checkpoints of a mapping this node does not run at the moment. Fails with a
   * {@link MappingException} when that cannot be done now (another node runs the mapping).
   */
  void rewind(String uuid, String stream, Map<String, Checkpoint> checkpoints);

  /**
   * Forgets a deleted mapping's checkpoints, once no node runs it any more (until then the last
   * node to stop it does this). Never fails: what cannot be removed now stays harmlessly behind.
   */
  void delete(String uuid);

  /** The lease of a mapping about to run on this node. */
  Lease open(String uuid, String stream);

  /**
   * As {@link #open(String, String)}, giving how long a shard that leaves this node may take to
   * finish its batch in flight before the next owner starts it, asked at each revocation (the
   * function's timeout then), so that two nodes never deliver one shard at once.
   */
  default Lease open(String uuid, String stream, Supplier<Duration> drain) {
    return open(uuid, stream);
  }

  /** One running mapping's hold on its shards. */
  interface Lease {

    /**
     * Starts; returns the checkpoints to start with. Shards assigned later, and their stored
     * checkpoints, reach {@code owner}.
     */
    Map<String, Checkpoint> start(Owner owner);

    /** True when this node runs every shard of the mapping, now and after a reshard. */
    boolean exclusive();

    /**
     * Stores the checkpoints (of the shards this node still holds; others are ignored). Blocks
     * until stored; may fail with an unchecked exception (the next save stores newer ones).
     */
    void save(Map<String, Checkpoint> checkpoints);

    /** The stored checkpoints of shards another node runs; absent ones have none. */
    CompletableFuture<Map<String, Checkpoint>> stored(Set<String> shardIds);

    /**
     * Shard id → where the mapping's group stands in it, for shards whose checkpoint is not
     * finished, whichever node runs them; empty with file storage or when the cluster does not
     * answer. Blocks half a second at most.
     */
    default Map<String, GroupPosition> groupPositions() {
      return Map.of();
    }

    /** Gives the shards up (the caller saved its final checkpoints first). Blocks, bounded. */
    void close();
  }

  /** The running mapping, told which shards are its to run. */
  interface Owner {

    /** These shards are this node's now, from these stored checkpoints (absent: none stored). */
    void assigned(Set<String> shardIds, Map<String, Checkpoint> checkpoints);

    /**
     * These shards are no longer this node's: stop them, starting no new batch, and complete with
     * their newest checkpoints, which the lease stores for the next owner.
     */
    CompletableFuture<Map<String, Checkpoint>> revoked(Set<String> shardIds);
  }
}
