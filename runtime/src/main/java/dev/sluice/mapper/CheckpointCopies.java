package dev.sluice.mapper;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.checkpoint.Checkpoint;
import dev.sluice.cluster.StateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Copies of the checkpoints that {@link GroupLeases} keep as consumer-group offsets, in the shared
 * node state under {@code checkpoint/<group>/<shardId>} (a compacted topic, as Kafka Connect keeps
 * source offsets), for when the offsets are gone: Kafka deletes a group's offsets once it has had
 * no member for {@code offsets.retention.minutes} (7 days by default), which a mapping disabled for
 * a week, or a cluster whose nodes were all down that long, would meet. Without them every shard
 * started over at its start, delivering the whole retained stream again.
 *
 * <p>A copy is never newer than the offset it copies, so an offset the group still has wins. Writes
 * go through one daemon thread, in the order they were asked; reads come from the copies this node
 * has seen, kept in memory (a few per shard of each mapping).
 */
final class CheckpointCopies {

  private static final Logger LOG = Logger.getLogger(CheckpointCopies.class);
  static final String PREFIX = "checkpoint/";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Writes the copies; shared by every mapping of the node, idle almost always. */
  private static final ExecutorService WRITER =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "sluice-checkpoint-copies");
            t.setDaemon(true);
            return t;
          });

  private final StateStore state;

  /** Group → shard id → its copy. */
  private final Map<String, Map<String, Checkpoint>> byGroup = new ConcurrentHashMap<>();

  private CheckpointCopies(StateStore state) {
    this.state = state;
  }

  /** No copies: tests and tools that reach the offsets alone. */
  static CheckpointCopies none() {
    return new CheckpointCopies(null);
  }

  /** Copies in {@code state}; read before it follows, as every component's part is. */
  static CheckpointCopies shared(StateStore state) {
    CheckpointCopies c = new CheckpointCopies(state);
    state.snapshot(PREFIX).forEach(c::apply);
    state.listen(PREFIX, c::apply);
    return c;
  }

  /**
   * Writes copies of {@code checkpoints} of {@code group}; completes once each was tried, with
   * those that could not be written (none, normally). Never completes exceptionally.
   */
  CompletableFuture<Map<String, Checkpoint>> put(
      String group, Map<String, Checkpoint> checkpoints) {
    if (state == null || checkpoints.isEmpty()) {
      return CompletableFuture.completedFuture(Map.of());
    }
    Map<String, Checkpoint> copy = Map.copyOf(checkpoints);
    return CompletableFuture.supplyAsync(() -> write(group, copy), WRITER);
  }

  /**
   * Waits up to {@code bound} for {@code copied}; a copy that takes longer goes on alone. Returns
   * what was not written (everything, when the wait ran out).
   */
  static Map<String, Checkpoint> awaitQuietly(
      CompletableFuture<Map<String, Checkpoint>> copied, Duration bound) {
    try {
      return copied.get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.warnf("Checkpoints not copied to the node state in %s (%s)", bound, e);
    }
    return null;
  }

  /** Writes each copy on its own: one that fails does not keep the others from being written. */
  private Map<String, Checkpoint> write(String group, Map<String, Checkpoint> checkpoints) {
    Map<String, Checkpoint> failed = new HashMap<>();
    RuntimeException cause = null;
    for (Map.Entry<String, Checkpoint> e : checkpoints.entrySet()) {
      String key = key(group, e.getKey());
      try {
        byte[] value = JSON.writeValueAsBytes(e.getValue());
        state.put(key, value);
        apply(key, value);
      } catch (IOException | RuntimeException x) {
        failed.put(e.getKey(), e.getValue());
        cause = x instanceof RuntimeException r ? r : new UncheckedIOException((IOException) x);
      }
    }
    if (cause != null) {
      // the offsets are what counts; the caller tries these again
      LOG.warnf(
          "Consumer group %s: checkpoints of %s not copied to the node state (%s)",
          group, failed.keySet(), cause);
    }
    return failed;
  }

  /**
   * Adds to {@code checkpoints} the copies of the shards among {@code shardIds} that have no
   * checkpoint there; returns it.
   */
  Map<String, Checkpoint> fill(
      String group, Iterable<String> shardIds, Map<String, Checkpoint> checkpoints) {
    Map<String, Checkpoint> copies = byGroup.getOrDefault(group, Map.of());
    for (String id : shardIds) {
      Checkpoint c = copies.get(id);
      if (c != null) {
        checkpoints.putIfAbsent(id, c);
      }
    }
    return checkpoints;
  }

  /** The copies of every shard of {@code group}. */
  Map<String, Checkpoint> of(String group) {
    return new TreeMap<>(byGroup.getOrDefault(group, Map.of()));
  }

  /** Removes the copies of a deleted mapping's group; never fails. */
  void delete(String group) {
    if (state == null) {
      return;
    }
    for (String id : List.copyOf(of(group).keySet())) {
      try {
        state.remove(key(group, id));
        apply(key(group, id), null);
      } catch (RuntimeException e) {
        LOG.warnf("Consumer group %s: the copy of %s stays in the node state (%s)", group, id, e);
      }
    }
  }

  private static String key(String group, String shardId) {
    return PREFIX + group + "/" + shardId;
  }

  private void apply(String key, byte[] value) {
    String rest = key.substring(PREFIX.length());
    int slash = rest.lastIndexOf('/');
    if (slash < 0) {
      return; // not one of ours
    }
    String group = rest.substring(0, slash);
    String shard = rest.substring(slash + 1);
    if (value == null) {
      byGroup.computeIfPresent(group, (g, m) -> m.remove(shard) != null && m.isEmpty() ? null : m);
      return;
    }
    try {
      Checkpoint c = JSON.readValue(value, Checkpoint.class);
      byGroup.computeIfAbsent(group, g -> new ConcurrentHashMap<>()).put(shard, c);
    } catch (IOException e) {
      LOG.warnf("Skipping the checkpoint copy %s: %s", key, e.getMessage());
    }
  }
}
