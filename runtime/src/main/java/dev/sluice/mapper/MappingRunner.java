package dev.sluice.mapper;

import dev.sluice.checkpoint.Checkpoint;
import dev.sluice.checkpoint.CheckpointStore;
import dev.sluice.log.ShardRef;
import dev.sluice.stream.Shard;
import dev.sluice.stream.StreamMeta;
import io.vertx.core.Context;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one enabled mapping: a {@link ShardProcessor} per shard it may read now, children only once
 * their parents are finished, and checkpoints saved durably (coalesced: at most one save in flight,
 * the newest state always saved last). Runs on one event-loop context; a periodic reconcile picks
 * up new shards after resharding, and looks for stuck shards.
 */
final class MappingRunner implements ShardProcessor.Progress, SourceRunner {

  private static final long RECONCILE_MILLIS = 500;

  /**
   * Checkpoint saves are at least this far apart: a save is an fsync, and saving after every tiny
   * batch competed with the log's own fsyncs. A crash redelivers at most this much more.
   */
  private static final long MIN_SAVE_INTERVAL_NANOS = 200_000_000L;

  private final MappingConfig config;
  private final MapperDeps deps;
  private final CheckpointStore store;
  private final Context context;
  private final Executor loop;
  private final EventBuilder events;
  private final ShardProcessor.RecordFilter filter;
  private final FailureSink failures;
  private final MappingStats stats;
  private final Map<String, ShardProcessor> processors = new HashMap<>();
  private final Map<String, Checkpoint> checkpoints = new ConcurrentHashMap<>();
  private final AtomicReference<String> lastResult = new AtomicReference<>("No records processed");
  private boolean saving;
  private boolean dirty;
  private boolean throttled;
  private java.util.concurrent.CompletableFuture<Void> flush;
  private long lastSaveNanos;
  private long timer = -1;
  private volatile boolean stopped;

  MappingRunner(
      MappingConfig config,
      MapperDeps deps,
      CheckpointStore store,
      EventBuilder events,
      ShardProcessor.RecordFilter filter,
      FailureSink failures,
      MappingStats stats) {
    this.config = config;
    this.deps = deps;
    this.store = store;
    this.context = deps.vertx().getOrCreateContext();
    this.loop = task -> context.runOnContext(v -> task.run());
    this.events = events;
    this.filter = filter;
    this.failures = failures;
    this.stats = stats;
  }

  /** Starts with the checkpoints already stored (blocking read on the caller's thread). */
  @Override
  public void start() {
    checkpoints.putAll(store.load());
    loop.execute(
        () -> {
          reconcile();
          timer = deps.vertx().setPeriodic(RECONCILE_MILLIS, id -> loop.execute(this::periodic));
        });
  }

  /** Stops every processor; completes once the checkpoints reported so far are saved. */
  @Override
  public java.util.concurrent.CompletableFuture<Void> stop() {
    stopped = true;
    java.util.concurrent.CompletableFuture<Void> flushed =
        new java.util.concurrent.CompletableFuture<>();
    loop.execute(
        () -> {
          deps.vertx().cancelTimer(timer);
          processors.values().forEach(ShardProcessor::stop);
          processors.clear();
          flush = flushed;
          if (!saving) {
            finalSave(); // else the save in flight does it when it ends: saves never overlap
          }
        });
    return flushed;
  }

  private void finalSave() {
    saving = true;
    Map<String, Checkpoint> snapshot = new HashMap<>(checkpoints);
    java.util.concurrent.CompletableFuture<Void> done = flush;
    deps.blocking()
        .execute(
            () -> {
              try {
                store.save(snapshot);
                done.complete(null);
              } catch (RuntimeException e) {
                done.completeExceptionally(e);
              }
            });
  }

  @Override
  public long recordsProcessed() {
    return stats.records();
  }

  @Override
  public String lastProcessingResult() {
    return lastResult.get();
  }

  @Override
  public Map<String, Checkpoint> checkpoints() {
    return Map.copyOf(checkpoints);
  }

  private void periodic() {
    reconcile();
    if (!stopped) {
      stats.watch(config.functionName());
    }
  }

  private void reconcile() {
    if (stopped) {
      return;
    }
    Optional<StreamMeta> meta = deps.catalog().find(config.stream());
    if (meta.isEmpty()) {
      return;
    }
    for (Shard shard : meta.get().shards()) {
      Checkpoint cp = checkpoints.get(shard.id());
      if (processors.containsKey(shard.id())
          || (cp != null && cp.finished())
          || !parentsDone(shard, meta.get())) {
        continue;
      }
      Checkpoint start = cp != null ? cp : new Checkpoint(startOf(shard), false);
      // each shard gets an event loop of its own, so that a mapping's shards use every core
      io.vertx.core.Context own =
          ((io.vertx.core.impl.VertxInternal) deps.vertx()).createEventLoopContext();
      ShardStats shardStats = stats.started(shard.id(), config.functionName());
      ShardProcessor p =
          new ShardProcessor(
              config, shard, start, deps, own, events, filter, failures, this, shardStats);
      processors.put(shard.id(), p);
      p.start();
    }
  }

  private long startOf(Shard shard) {
    try {
      return deps.engine().offsets(new ShardRef(config.stream(), shard.id())).startOffset();
    } catch (RuntimeException e) {
      return 0;
    }
  }

  private boolean parentsDone(Shard shard, StreamMeta meta) {
    return done(shard.parent(), meta) && done(shard.adjacentParent(), meta);
  }

  private boolean done(String parent, StreamMeta meta) {
    if (parent == null || meta.shard(parent).isEmpty()) {
      return true; // no parent, or it expired with everything in it
    }
    Checkpoint cp = checkpoints.get(parent);
    return cp != null && cp.finished();
  }

  @Override
  public void checkpoint(String shardId, Checkpoint checkpoint) {
    loop.execute(() -> checkpointOnLoop(shardId, checkpoint));
  }

  private void checkpointOnLoop(String shardId, Checkpoint checkpoint) {
    if (stopped) {
      return;
    }
    checkpoints.put(shardId, checkpoint);
    if (checkpoint.finished()) {
      ShardProcessor p = processors.remove(shardId);
      if (p != null) {
        p.stop();
        stats.finished(shardId);
      }
      reconcile();
    }
    save();
  }

  @Override
  public void result(String lastProcessingResult) {
    lastResult.set(lastProcessingResult);
  }

  private void save() {
    if (flush != null) {
      return; // stopping: the final save takes the newest checkpoints
    }
    if (saving || throttled) {
      dirty = true;
      return;
    }
    long wait = lastSaveNanos + MIN_SAVE_INTERVAL_NANOS - System.nanoTime();
    if (wait > 0) {
      throttled = true;
      deps.vertx()
          .setTimer(
              Math.max(1, wait / 1_000_000),
              id ->
                  loop.execute(
                      () -> {
                        throttled = false;
                        save();
                      }));
      return;
    }
    saving = true;
    lastSaveNanos = System.nanoTime();
    Map<String, Checkpoint> snapshot = new HashMap<>(checkpoints);
    deps.blocking()
        .execute(
            () -> {
              try {
                store.save(snapshot);
              } finally {
                loop.execute(
                    () -> {
                      saving = false;
                      if (flush != null) {
                        finalSave();
                      } else if (dirty) {
                        dirty = false;
                        save();
                      }
                    });
              }
            });
  }
}
