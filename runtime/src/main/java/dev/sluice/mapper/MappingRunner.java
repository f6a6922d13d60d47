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
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one enabled mapping: a {@link ShardProcessor} per shard it may read now, children only once
 * their parents are finished, and checkpoints saved durably (coalesced: at most one save in flight,
 * the newest state always saved last). Runs on one event-loop context; a periodic reconcile picks
 * up new shards after resharding.
 */
final class MappingRunner implements ShardProcessor.Progress {

  private static final long RECONCILE_MILLIS = 500;

  private final MappingConfig config;
  private final MapperDeps deps;
  private final CheckpointStore store;
  private final Context context;
  private final Executor loop;
  private final EventBuilder events;
  private final ShardProcessor.RecordFilter filter;
  private final FailureSink failures;
  private final Map<String, ShardProcessor> processors = new HashMap<>();
  private final Map<String, Checkpoint> checkpoints = new ConcurrentHashMap<>();
  private final AtomicLong processed = new AtomicLong();
  private final AtomicReference<String> lastResult = new AtomicReference<>("No records processed");
  private boolean saving;
  private boolean dirty;
  private long timer = -1;
  private volatile boolean stopped;

  MappingRunner(
      MappingConfig config,
      MapperDeps deps,
      CheckpointStore store,
      EventBuilder events,
      ShardProcessor.RecordFilter filter,
      FailureSink failures) {
    this.config = config;
    this.deps = deps;
    this.store = store;
    this.context = deps.vertx().getOrCreateContext();
    this.loop = task -> context.runOnContext(v -> task.run());
    this.events = events;
    this.filter = filter;
    this.failures = failures;
  }

  /** Starts with the checkpoints already stored (blocking read on the caller's thread). */
  void start() {
    checkpoints.putAll(store.load());
    loop.execute(
        () -> {
          reconcile();
          timer = deps.vertx().setPeriodic(RECONCILE_MILLIS, id -> loop.execute(this::reconcile));
        });
  }

  /** Stops every processor; checkpoints already reported are saved. */
  void stop() {
    stopped = true;
    loop.execute(
        () -> {
          deps.vertx().cancelTimer(timer);
          processors.values().forEach(ShardProcessor::stop);
          processors.clear();
        });
  }

  long recordsProcessed() {
    return processed.get();
  }

  String lastProcessingResult() {
    return lastResult.get();
  }

  Map<String, Checkpoint> checkpoints() {
    return Map.copyOf(checkpoints);
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
      long start = cp != null ? cp.offset() : startOf(shard);
      ShardProcessor p =
          new ShardProcessor(config, shard, start, deps, loop, events, filter, failures, this);
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
  public void checkpoint(String shardId, long offset, boolean finished) {
    checkpoints.put(shardId, new Checkpoint(offset, finished));
    if (finished) {
      ShardProcessor p = processors.remove(shardId);
      if (p != null) {
        p.stop();
      }
      reconcile();
    }
    save();
  }

  @Override
  public void processed(int records, String lastProcessingResult) {
    processed.addAndGet(records);
    lastResult.set(lastProcessingResult);
  }

  private void save() {
    if (saving) {
      dirty = true;
      return;
    }
    saving = true;
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
                      if (dirty) {
                        dirty = false;
                        save();
                      }
                    });
              }
            });
  }
}
