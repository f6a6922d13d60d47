package dev.sluice.mapper;

import dev.sluice.checkpoint.Checkpoint;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Leases whose assignments the test makes: it calls the running mapping's {@link ShardLeases.Owner}
 * itself, in orders a group's rebalances can bring (a shard lost and assigned back while it still
 * drains, say), and reads every save.
 */
final class ScriptedLeases implements ShardLeases {

  /** The running mapping's owner, once its lease started. */
  volatile ShardLeases.Owner owner;

  /** Every save, oldest first. */
  final List<Map<String, Checkpoint>> saves = new CopyOnWriteArrayList<>();

  @Override
  public Lease open(String uuid, String stream) {
    return new Lease() {
      @Override
      public Map<String, Checkpoint> start(Owner o) {
        owner = o;
        return Map.of();
      }

      @Override
      public boolean exclusive() {
        return false;
      }

      @Override
      public void save(Map<String, Checkpoint> checkpoints) {
        saves.add(Map.copyOf(checkpoints));
      }

      @Override
      public CompletableFuture<Map<String, Checkpoint>> stored(Set<String> shardIds) {
        return CompletableFuture.completedFuture(Map.of());
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public void initialize(String uuid, String stream, Map<String, Checkpoint> checkpoints) {}

  @Override
  public Map<String, Checkpoint> load(String uuid, String stream) {
    return Map.of();
  }

  @Override
  public void rewind(String uuid, String stream, Map<String, Checkpoint> checkpoints) {}

  @Override
  public void delete(String uuid) {}
}
