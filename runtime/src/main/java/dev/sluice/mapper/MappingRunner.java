package dev.sluice.mapper;

import dev.sluice.checkpoint.Checkpoint;
import dev.sluice.log.ShardRef;
import dev.sluice.stream.Shard;
import dev.sluice.stream.StreamMeta;
import dev.sluice.stream.StreamStatus;
import io.vertx.core.Context;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Runs one enabled mapping: a {@link ShardProcessor} per shard it may read now, children only once
 * their parents are finished, and checkpoints saved durably (coalesced: at most one save in flight,
 * the newest state always saved last). Runs on one event-loop context; a periodic reconcile picks
 * up new shards after resharding, and looks for stuck shards.
 *
 * <p>Which shards are this node's is the {@link ShardLeases.Lease}'s call: every shard (file
 * storage), or those Kafka's group membership assigns it. Assignments and revocations arrive on the
 * lease's thread and are applied on the runner's context. A revoked shard's processor drains: it
 * starts nothing new, its batches in flight finish and checkpoint (within {@link Drain}), and then
 * its newest checkpoint goes back to the lease, so that the next owner does not deliver the shard
 * while this node still does. A child whose parent runs on another node waits for the parent's
 * stored checkpoint to say finished, asked on the reconcile tick. Stopping the runner drains every
 * processor the same way before the final save.
 *
 * <p>The checkpoints and processors belong to one incarnation of the stream, named by its creation
 * time ({@link StreamMeta#createdMillis()}, which shard iterators name too): a stream deleted and
 * created again under its name has the same ARN and shard ids, but its offsets start again at 0.
 * Whenever the runner looks at the stream (at start, on the reconcile tick, and when a processor
 * finds its stream gone) and finds another incarnation than its own, it stops the processors at
 * once, drops the checkpoints of the old stream, stored ones included, and reads the new stream
 * from the start of its shards: every record of it is newer than the mapping, so that is where
 * TRIM_HORIZON and LATEST mappings start, and an AT_TIMESTAMP mapping starts at its timestamp.
 * Nothing of the new stream is skipped, and nothing more of the old one is sent. Checkpoints that
 * name no incarnation were stored before Sluice recorded it and count as the current stream's.
 * While the stream does not exist (or is being deleted) no shard runs, and LastProcessingResult
 * says so.
 */
final class MappingRunner implements ShardProcessor.Progress, SourceRunner, ShardLeases.Owner {

  private static final Logger LOG = Logger.getLogger(MappingRunner.class);
  private static final long RECONCILE_MILLIS = 500;

  /**
   * Checkpoint saves are at least this far apart: a save is an fsync, and saving after every tiny
   * batch competed with the log's own fsyncs. A crash redelivers at most this much more.
   */
  private static final long MIN_SAVE_INTERVAL_NANOS = 200_000_000L;

  private final MappingConfig config;
  private final MapperDeps deps;
  private final ShardLeases.Lease lease;
  private final boolean ownsAll;
  private final Set<String> owned = new HashSet<>();
  private final Set<String> finishedElsewhere = new HashSet<>();
  private final Set<String> remoteParents = new HashSet<>();
  private boolean asking;

  /**
   * The creation time of the stream incarnation the checkpoints and processors belong to; null
   * until the runner first sees the stream.
   */
  private Long incarnation;

  /**
   * Shards of a new incarnation an AT_TIMESTAMP mapping starts at its timestamp rather than at
   * their start, until their offset for it is known; those being looked up are also in {@link
   * #lookingUp}.
   */
  private final Set<String> atTimestamp = new HashSet<>();

  private final Set<String> lookingUp = new HashSet<>();
  private final Context context;
  private final Executor loop;
  private final EventBuilder events;
  private final ShardProcessor.RecordFilter filter;
  private final FailureSink failures;
  private final MappingStats stats;
  private final Map<String, ShardProcessor> processors = new HashMap<>();

  /** Revoked shards finishing their batches in flight before they are handed over. */
  private final Map<String, ShardProcessor> draining = new HashMap<>();

  private final Map<String, Checkpoint> checkpoints = new ConcurrentHashMap<>();

  /** The mapping's, kept across its runners. */
  private final AtomicReference<String> lastResult;

  /** The LastProcessingResult while the stream does not exist; this very string, so it is known. */
  private final String missing;

  private boolean saving;
  private boolean dirty;
  private boolean throttled;
  private CompletableFuture<Void> flush;
  private long lastSaveNanos;
  private long timer = -1;
  private volatile boolean stopped;

  /** Stopping: the processors drain and no shard starts; only the runner's context touches it. */
  private boolean stopping;

  MappingRunner(
      MappingConfig config,
      MapperDeps deps,
      ShardLeases.Lease lease,
      EventBuilder events,
      ShardProcessor.RecordFilter filter,
      FailureSink failures,
      MappingStats stats,
      RunTotals totals) {
    this.config = config;
    this.lastResult = totals.lastResult();
    this.deps = deps;
    this.lease = lease;
    this.ownsAll = lease.exclusive();
    this.context = deps.vertx().getOrCreateContext();
    this.loop = task -> context.runOnContext(v -> task.run());
    this.events = events;
    this.filter = filter;
    this.failures = failures;
    this.stats = stats;
    this.missing = "PROBLEM: Stream " + config.stream() + " not found";
  }

  /**
   * Starts with the checkpoints already stored (blocking read on the caller's thread). When they
   * cannot be read, the lease is closed and the error thrown: such a runner must never be stopped,
   * as its stop would save its empty checkpoints over the stored ones.
   */
  @Override
  public void start() {
    Map<String, Checkpoint> stored;
    try {
      stored = lease.start(this);
    } catch (RuntimeException e) {
      lease.close();
      throw e;
    }
    checkpoints.putAll(stored);
    loop.execute(
        () -> {
          reconcile();
          timer = deps.vertx().setPeriodic(RECONCILE_MILLIS, id -> loop.execute(this::periodic));
        });
  }

  /**
   * Stops every processor once its batches in flight are answered (within {@link Drain#onStop}), so
   * that the next runner of the mapping, here or on another node, does not deliver a batch while
   * this one still does; completes once the checkpoints reported by then are saved.
   */
  @Override
  public CompletableFuture<Void> stop() {
    CompletableFuture<Void> flushed = new CompletableFuture<>();
    loop.execute(
        () -> {
          stopping = true; // no shard starts from now on
          deps.vertx().cancelTimer(timer);
          List<CompletableFuture<Void>> drains = new ArrayList<>();
          processors.values().forEach(p -> drains.add(p.drain()));
          draining.values().forEach(p -> drains.add(p.drain())); // revoked and still finishing
          long budget = Drain.onStop(deps.functions(), config.functionName()).toMillis();
          CompletableFuture.allOf(drains.toArray(CompletableFuture[]::new))
              .completeOnTimeout(null, budget, TimeUnit.MILLISECONDS)
              .whenComplete((v, e) -> loop.execute(() -> stopNow(flushed)));
        });
    return flushed;
  }

  private void stopNow(CompletableFuture<Void> flushed) {
    stopped = true;
    processors.values().forEach(ShardProcessor::stop); // past the budget: the rest is dropped
    processors.clear();
    draining.values().forEach(ShardProcessor::stop); // their hand-over completes now
    flush = flushed;
    if (!saving) {
      finalSave(); // else the save in flight does it when it ends: saves never overlap
    }
  }

  private void finalSave() {
    saving = true;
    Map<String, Checkpoint> snapshot = new HashMap<>(checkpoints);
    CompletableFuture<Void> done = flush;
    deps.blocking()
        .execute(
            () -> {
              RuntimeException failed = null;
              try {
                lease.save(snapshot);
              } catch (RuntimeException e) {
                failed = e;
              }
              lease.close(); // after the final save: the next owner starts from it
              if (failed == null) {
                done.complete(null);
              } else {
                done.completeExceptionally(failed);
              }
            });
  }

  @Override
  public Map<String, Checkpoint> checkpoints() {
    return Map.copyOf(checkpoints);
  }

  @Override
  public Map<String, GroupPosition> groupPositions() {
    return lease.groupPositions();
  }

  private void periodic() {
    reconcile();
    if (!stopped) {
      stats.watch(config.functionName());
    }
  }

  private void reconcile() {
    if (stopped || stopping) {
      return;
    }
    StreamMeta meta = deps.catalog().find(config.stream()).orElse(null);
    if (meta == null || meta.status() == StreamStatus.DELETING) {
      streamMissing();
      return;
    }
    if (meta.status() == StreamStatus.CREATING) {
      return; // its shard logs may not exist yet
    }
    follow(meta);
    stopExpired(meta);
    for (Shard shard : meta.shards()) {
      Checkpoint cp = checkpoints.get(shard.id());
      if (!owns(shard.id())
          || processors.containsKey(shard.id())
          || draining.containsKey(shard.id())
          || (cp != null && cp.finished())
          || !parentsDone(shard, meta)) {
        continue;
      }
      if (cp == null && atTimestamp.contains(shard.id())) {
        lookUp(shard); // starts once its offset for the timestamp is known
        continue;
      }
      Checkpoint start = cp != null ? cp : new Checkpoint(startOf(shard), false).in(incarnation);
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
    askRemoteParents();
  }

  /**
   * Binds the runner to the stream's incarnation in the catalog; see the class comment. Checkpoints
   * of another incarnation go (with Kafka storage they may come back with later assignments, and go
   * again); the changed checkpoints are saved at once, so that a restart cannot take the old
   * offsets for the new stream's nor mistake the legacy ones for another incarnation's.
   */
  private void follow(StreamMeta meta) {
    long current = meta.createdMillis();
    boolean renewed = incarnation != null && incarnation != current;
    if (renewed) {
      LOG.infof(
          "Mapping %s: stream %s was deleted and created again; the new stream is read from its"
              + " start",
          config.uuid(), config.stream());
      dropProcessors();
      finishedElsewhere.clear(); // the old stream's parents
      remoteParents.clear();
      atTimestamp.clear();
    }
    // nothing of this stream yet; by value: an earlier runner of the mapping set its own string
    lastResult.updateAndGet(v -> v.equals(missing) ? "No records processed" : v);
    Set<String> stale = new HashSet<>();
    boolean changed = false;
    for (Map.Entry<String, Checkpoint> e : checkpoints.entrySet()) {
      Long of = e.getValue().incarnation();
      if (of == null) {
        checkpoints.put(e.getKey(), e.getValue().in(current)); // stored before incarnations were
        changed = true;
      } else if (of != current) {
        stale.add(e.getKey());
      }
    }
    stale.forEach(checkpoints::remove);
    if (!stale.isEmpty() && !renewed) {
      LOG.infof(
          "Mapping %s: the checkpoints of %s are of a stream %s that was deleted since; they start"
              + " again in the new one",
          config.uuid(), stale, config.stream());
    }
    if (config.startingPosition() == StartingPosition.AT_TIMESTAMP) {
      // the whole stream is new to the mapping, or (a later assignment) one shard's checkpoint was
      if (renewed || (incarnation == null && !stale.isEmpty())) {
        meta.shards().forEach(s -> atTimestamp.add(s.id()));
      } else {
        atTimestamp.addAll(stale);
      }
      atTimestamp.removeAll(checkpoints.keySet());
    }
    incarnation = current;
    if (changed || !stale.isEmpty()) {
      save();
    }
  }

  /**
   * Stops every processor at once: their stream is gone, so no batch of it is worth waiting for.
   */
  private void dropProcessors() {
    processors.forEach(
        (id, p) -> {
          p.stop();
          stats.finished(id);
        });
    processors.clear();
    draining.values().forEach(ShardProcessor::stop); // their hand-over completes now
  }

  /** The stream does not exist, or is being deleted: no shard runs until it is created again. */
  private void streamMissing() {
    if (!processors.isEmpty()) {
      LOG.infof(
          "Mapping %s: stream %s does not exist any more; the mapping waits for it",
          config.uuid(), config.stream());
      dropProcessors();
    }
    lastResult.set(missing);
  }

  /** Stops the processors of shards the stream no longer has: they expired with their records. */
  private void stopExpired(StreamMeta meta) {
    processors
        .entrySet()
        .removeIf(
            e -> {
              if (meta.shard(e.getKey()).isPresent()) {
                return false;
              }
              e.getValue().stop();
              stats.finished(e.getKey());
              return true;
            });
    // kept, they would be saved with every checkpoint for as long as the mapping lives
    if (checkpoints.keySet().removeIf(id -> meta.expired(id) && !draining.containsKey(id))) {
      save();
    }
  }

  /**
   * Looks up where an AT_TIMESTAMP mapping starts in a shard of a new incarnation, as at its
   * creation: at the first record at or after the timestamp, and nowhere in a shard closed before
   * it. Reconciles again with the answer; a failed lookup is asked again on the next tick.
   */
  private void lookUp(Shard shard) {
    String id = shard.id();
    if (!lookingUp.add(id)) {
      return;
    }
    long of = incarnation;
    long at = config.startingTimestampMillis();
    CompletableFuture<Checkpoint> start;
    if (shard.isClosedForGood() && shard.closedMillis() < at) {
      start = CompletableFuture.completedFuture(new Checkpoint(shard.endOffset(), true));
    } else {
      try {
        start =
            deps.engine()
                .offsetForTimestamp(new ShardRef(config.stream(), id), at)
                .thenApply(offset -> new Checkpoint(offset, false));
      } catch (RuntimeException e) {
        start = CompletableFuture.failedFuture(e);
      }
    }
    start.whenComplete((cp, e) -> loop.execute(() -> lookedUp(id, of, cp, e)));
  }

  private void lookedUp(String id, long of, Checkpoint cp, Throwable e) {
    lookingUp.remove(id);
    if (stopped || incarnation == null || incarnation != of) {
      return; // the stream changed again meanwhile
    }
    if (e != null) {
      LOG.warnf(
          "Mapping %s: finding %s's offset for the timestamp failed: %s", config.uuid(), id, e);
      return;
    }
    if (atTimestamp.remove(id) && !checkpoints.containsKey(id)) {
      checkpoints.put(id, cp.in(of));
      save();
    }
    reconcile();
  }

  private boolean owns(String shardId) {
    return ownsAll || owned.contains(shardId);
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
    if (cp != null && cp.finished()) {
      return true;
    }
    if (owns(parent)) {
      return false;
    }
    if (finishedElsewhere.contains(parent)) {
      return true; // finished for good: no need to ask again
    }
    remoteParents.add(parent);
    return false;
  }

  /** Asks the lease for the checkpoints of parents other nodes run; one question at a time. */
  private void askRemoteParents() {
    if (remoteParents.isEmpty() || asking) {
      return;
    }
    asking = true;
    Set<String> parents = Set.copyOf(remoteParents);
    remoteParents.clear();
    lease.stored(parents).whenComplete((stored, e) -> loop.execute(() -> parentsStored(stored)));
  }

  private void parentsStored(Map<String, Checkpoint> stored) {
    asking = false;
    boolean any = false;
    if (stored != null) {
      for (Map.Entry<String, Checkpoint> e : stored.entrySet()) {
        any |=
            e.getValue().finished()
                && ofThisStream(e.getValue())
                && finishedElsewhere.add(e.getKey());
      }
    }
    if (any) {
      reconcile();
    }
  }

  /** Whether {@code cp} is of the incarnation the runner follows; one naming none counts as it. */
  private boolean ofThisStream(Checkpoint cp) {
    return cp.incarnation() == null || cp.incarnation().equals(incarnation);
  }

  @Override
  public void assigned(Set<String> shardIds, Map<String, Checkpoint> stored) {
    loop.execute(
        () -> {
          if (stopped) {
            return;
          }
          for (String id : shardIds) {
            Checkpoint cp = stored.get(id);
            if (cp != null) {
              checkpoints.put(id, cp);
            } else {
              checkpoints.remove(id); // none stored: the shard starts at its start
            }
          }
          owned.addAll(shardIds);
          reconcile();
        });
  }

  @Override
  public CompletableFuture<Map<String, Checkpoint>> revoked(Set<String> shardIds) {
    CompletableFuture<Map<String, Checkpoint>> last = new CompletableFuture<>();
    loop.execute(
        () -> {
          owned.removeAll(shardIds);
          List<CompletableFuture<Void>> drains = new ArrayList<>();
          for (String id : shardIds) {
            ShardProcessor p = processors.remove(id);
            if (p != null) {
              draining.put(id, p); // its batches in flight still checkpoint
              drains.add(p.drain());
            }
          }
          long budget = Drain.of(deps.functions(), config.functionName()).toMillis();
          CompletableFuture.allOf(drains.toArray(CompletableFuture[]::new))
              // past the budget, hand over what finished rather than nothing at all
              .completeOnTimeout(null, budget, TimeUnit.MILLISECONDS)
              .whenComplete((v, e) -> afterDrain(shardIds, last));
        });
    return last;
  }

  /**
   * Completes {@code last} with the hand-over whatever happens: the membership thread waits for it,
   * and with it the group's whole rebalance.
   */
  private void afterDrain(Set<String> shardIds, CompletableFuture<Map<String, Checkpoint>> last) {
    try {
      loop.execute(
          () -> {
            try {
              last.complete(handOver(shardIds));
            } catch (RuntimeException e) {
              last.completeExceptionally(e);
            }
          });
    } catch (RuntimeException e) {
      last.completeExceptionally(e); // the event loop is gone: the node is stopping
    }
  }

  /**
   * The final checkpoints of drained shards, which this node no longer runs. A shard assigned back
   * meanwhile keeps its checkpoint here and starts again from it.
   */
  private Map<String, Checkpoint> handOver(Set<String> shardIds) {
    Map<String, Checkpoint> out = new HashMap<>();
    for (String id : shardIds) {
      ShardProcessor p = draining.remove(id);
      if (p != null) {
        p.stop(); // past the budget: whatever still runs is dropped
        stats.finished(id); // its meters move with it
      }
      if (owned.contains(id)) {
        continue;
      }
      Checkpoint cp = checkpoints.remove(id);
      if (cp != null) {
        out.put(id, cp);
      }
    }
    try {
      reconcile();
    } catch (RuntimeException e) {
      // the checkpoints are handed over all the same; the next assignment reconciles again
      LOG.warnf(e, "Mapping %s: reconciling shards after a hand-over failed", config.uuid());
    }
    return out;
  }

  @Override
  public void checkpoint(String shardId, Checkpoint checkpoint) {
    loop.execute(() -> checkpointOnLoop(shardId, checkpoint));
  }

  private void checkpointOnLoop(String shardId, Checkpoint checkpoint) {
    if (stopped || !(processors.containsKey(shardId) || draining.containsKey(shardId))) {
      return; // stopping, or the shard was revoked: its next owner redelivers from the last one
    }
    if (!java.util.Objects.equals(checkpoint.incarnation(), incarnation)) {
      return; // a late report of the deleted stream's processor, whose shard id the new one has
    }
    if (behindReassigned(shardId, checkpoint)) {
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

  /**
   * Whether {@code checkpoint} comes from a processor still draining a shard that was assigned back
   * meanwhile (a lost membership rejoined at once) and lies behind the checkpoint it came back
   * with: another node went further while it was away, and the shard must not go back there.
   */
  private boolean behindReassigned(String shardId, Checkpoint checkpoint) {
    Checkpoint now = checkpoints.get(shardId);
    return draining.containsKey(shardId)
        && owned.contains(shardId)
        && now != null
        && checkpoint.offset() < now.offset();
  }

  @Override
  public void result(String lastProcessingResult) {
    lastResult.set(lastProcessingResult);
  }

  @Override
  public void streamGone(String shardId) {
    loop.execute(this::reconcile); // sooner than the next tick
  }

  /** Saves that failed in a row; only the loop touches it. */
  private long failedSaves;

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
              RuntimeException failure = null;
              try {
                lease.save(snapshot);
              } catch (RuntimeException e) {
                failure = e;
              } finally {
                RuntimeException failed = failure;
                loop.execute(() -> saved(failed));
              }
            });
  }

  /**
   * After a save: a failed one is made again after the interval, as no newer checkpoint may come to
   * trigger it (a finished parent's, which children on other nodes wait for; an idle shard's).
   */
  private void saved(RuntimeException failed) {
    saving = false;
    if (failed != null && failedSaves++ % 100 == 0) {
      LOG.warnf(
          "Mapping %s: saving checkpoints failed (%d in a row): %s",
          config.uuid(), failedSaves, failed);
    } else if (failed == null) {
      failedSaves = 0;
    }
    if (flush != null) {
      finalSave();
    } else if (dirty || failed != null) {
      dirty = false;
      save();
    }
  }
}
