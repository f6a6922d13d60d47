package dev.sluice.mapper;

import dev.sluice.checkpoint.Checkpoint;
import dev.sluice.checkpoint.CheckpointStore;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Checkpoints in a JSON file per mapping ({@link CheckpointStore}); this node is the only one and
 * runs every shard. Blocking file I/O on the caller's thread.
 */
final class FileLeases implements ShardLeases {

  private final Path dir;

  /** Mappings under {@code dir}, each in a directory named by its uuid. */
  FileLeases(Path dir) {
    this.dir = dir;
  }

  private CheckpointStore store(String uuid) {
    return new CheckpointStore(dir.resolve(uuid).resolve("checkpoints.json"));
  }

  @Override
  public void initialize(String uuid, String stream, Map<String, Checkpoint> checkpoints) {
    store(uuid).save(checkpoints);
  }

  @Override
  public Map<String, Checkpoint> load(String uuid, String stream) {
    return store(uuid).load();
  }

  @Override
  public void delete(String uuid) {
    store(uuid).delete();
  }

  @Override
  public void rewind(String uuid, String stream, Map<String, Checkpoint> checkpoints) {
    store(uuid).save(checkpoints);
  }

  @Override
  public Lease open(String uuid, String stream) {
    CheckpointStore store = store(uuid);
    return new Lease() {
      @Override
      public Map<String, Checkpoint> start(Owner owner) {
        return store.load();
      }

      @Override
      public boolean exclusive() {
        return true;
      }

      @Override
      public void save(Map<String, Checkpoint> checkpoints) {
        store.save(checkpoints);
      }

      @Override
      public CompletableFuture<Map<String, Checkpoint>> stored(Set<String> shardIds) {
        return CompletableFuture.completedFuture(Map.of()); // never asked: every shard is here
      }

      @Override
      public void close() {}
    };
  }
}
