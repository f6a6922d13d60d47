package dev.sluice.stream;

import dev.sluice.cluster.StateException;
import dev.sluice.cluster.StateStore;
import dev.sluice.files.CaseFolding;
import dev.sluice.log.LogEngine;
import dev.sluice.log.ShardNotFoundException;
import dev.sluice.log.ShardRef;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;

/**
 * The streams of a node: their shards, lineage, settings and tags, kept durably in the data
 * directory or in the node state several nodes share (then other nodes' changes apply here too),
 * and mirrored in the log engine.
 *
 * <p>Thread model: reads return an immutable snapshot and never block. Every change runs on the
 * catalog's single thread, which persists the catalog and waits for the log engine, so changes are
 * serialized and callers (event loops included) only ever get futures. Long changes (creating,
 * deleting, resharding) answer once the stream's new status is recorded and finish in the
 * background, as Kinesis does. On shared state a change other than a deletion answers once its
 * record is read back first in the shared order ({@link Landings}).
 */
public final class StreamCatalog implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(StreamCatalog.class);

  private final CatalogStore store;
  private final LogEngine engine;
  private final Clock clock;
  private final StreamLimits limits;
  private final ScheduledExecutorService thread = catalogThread();
  private final ShardWatch watch = new ShardWatch();

  private static final long SETTLE_RETRY_MILLIS = 1_000;

  /**
   * How long a creation, deletion or reshard another node accepted may stay unfinished, counted
   * from when this node read it, before this node finishes it: each takes seconds at most, so that
   * node stopped between its records. Counted from the reading, by this node's clock, and well past
   * the state store's 30 s write timeout: a write that timed out yet landed is abandoned by its own
   * node as soon as it reads the write back, and the plan's time is another node's clock.
   */
  static final long ORPHANED_CHANGE_MILLIS = 60_000;

  /** A version of a stream's record, and when this node first saw it at an orphan check. */
  private record Sighting(long createdMillis, long version, long atMillis, int takeOvers) {

    /** Whether this sighting is of {@code meta}'s record: the same generation and version. */
    boolean of(StreamMeta meta) {
      return createdMillis == meta.createdMillis() && version == meta.version();
    }
  }

  /**
   * Take-overs of one creation that fail before the taker gives it up as its own node would have,
   * by marking it DELETING: storage that refuses its logs on every node (a topic name in the way, a
   * policy) would otherwise leave it CREATING, neither usable nor deletable, until a restart.
   */
  static final int CREATION_TAKE_OVERS = 3;

  /** Per stream with a change under way, its record as first seen. Catalog's thread only. */
  private final Map<String, Sighting> unfinishedSince = new HashMap<>();

  private static final long ORPHAN_CHECK_MILLIS = 10_000;

  /** The longest pause between tries of a reshard that failed with a parent sealed. */
  private static final long RESHARD_RETRY_MAX_MILLIS = 60_000;

  /** How long another node's stale change may stay last before this node marks it gone. */
  private static final long STALE_MARK_MILLIS = 5_000;

  private static final int STALE_MARK_JITTER_MILLIS = 2_000;

  /** Shards whose attaching failed and is to be tried again; the catalog's thread only. */
  private final Set<ShardRef> attaching = new HashSet<>();

  private static final long ATTACH_RETRY_MAX_MILLIS = 60_000;

  /** Shards whose provisional end this node is waiting to settle. */
  private final Set<ShardRef> settling = ConcurrentHashMap.newKeySet();

  /**
   * Streams whose reshard this node is carrying out, until its outcome stands; only the catalog's
   * thread touches it.
   */
  private final Map<String, Resharder> resharding = new HashMap<>();

  /** This node's changes waiting for their records to come back in the shared order. */
  private final Landings landings = new Landings(thread);

  /**
   * Streams whose creation or deletion this node is to try again ({@link #retryLater}): another
   * node need not take it over. Catalog's thread only.
   */
  private final Set<String> finishing = new HashSet<>();

  /**
   * The open shards each of those reshards adds (children less parents), counted against the shard
   * limit while the stream shown lacks them; only the catalog's thread touches it.
   */
  private final Map<String, Integer> pendingShards = new HashMap<>();

  /** A shard of one generation of a stream (told apart by its creation time). */
  private record FenceKey(String stream, long createdMillis, String shard) {}

  /**
   * Shards another node closed, read ahead of being applied, with the highest version of a change
   * that closes them: the state reader adds, the catalog's thread settles them.
   */
  private final Map<FenceKey, Long> fences = new ConcurrentHashMap<>();

  private volatile Map<String, StreamMeta> streams = Map.of();
  private volatile Map<String, ShardRouter> routers = Map.of();

  /** Per stream, the highest version in the shared order so far; the catalog's thread only. */
  private final Map<String, Long> ordered = new HashMap<>();

  /**
   * Per stream, the version of this node's newest state of it, or one above its last version once
   * deleted here: an older record read back after it does not undo it. Catalog's thread only.
   */
  private final Map<String, Long> local = new HashMap<>();

  /**
   * Per stream, the highest version this node gave a change, written or refused: a refused write
   * may land later, so its version is not given again. Unlike {@link #local} it does not hold back
   * other nodes' changes, as a refused write may never land. Catalog's thread only.
   */
  private final Map<String, Long> issued = new HashMap<>();

  /**
   * Per stream, the tombstones of it this node wrote to a shared store and has not read back yet.
   * While there are any, this node's view of the stream is ahead of what it has read: a tombstone
   * read before the last of them must not change it. Catalog's thread only.
   */
  private final Map<String, Integer> unreadTombstones = new HashMap<>();

  /**
   * Streams this node created again after its latest deletion of them, while that deletion's
   * tombstone was unread. The tombstone comes back before the creation, which follows it in the
   * shared order, and must not remove the new stream nor delete its shards. Catalog's thread only.
   */
  private final Set<String> recreated = new HashSet<>();

  /**
   * Names whose last record in the shared order was a deletion: only a creation may follow it.
   * Catalog's thread only.
   */
  private final Set<String> deletedInOrder = new HashSet<>();

  /**
   * Per stream, another node's change read after the stream's deletion, while it is the last record
   * of the name read here: should its writer not mark it gone (it died), this node does, so that
   * nodes starting later do not load the deleted stream from it. Catalog's thread only.
   */
  private final Map<String, StreamMeta> staleLast = new HashMap<>();

  /**
   * Per stream, this node's own record that lost in the shared order, while it is the last record
   * of the name read here ({@link #republishWinner}). Catalog's thread only.
   */
  private final Map<String, StreamMeta> lostLast = new HashMap<>();

  /** How long a lost record of this node's must stay last before the winner is written again. */
  private static final long LOST_REPUBLISH_MILLIS = 2_000;

  /**
   * Per stream, the creation time of the generation its last accepted record in the shared order is
   * of: a change of an older generation (the stream deleted and created again meanwhile) is moot.
   * Catalog's thread only.
   */
  private final Map<String, Long> orderedGeneration = new HashMap<>();

  /** A catalog stored in {@code directory} over {@code engine}. */
  public StreamCatalog(Path directory, LogEngine engine, Clock clock, StreamLimits limits) {
    this(directory, engine, clock, limits, CaseFolding.ignoresCase(directory));
  }

  /**
   * A catalog stored in {@code directory}, whose file system {@code foldsCase} or not: then no two
   * streams may differ only by case, since their shard files would be the same.
   */
  StreamCatalog(
      Path directory, LogEngine engine, Clock clock, StreamLimits limits, boolean foldsCase) {
    this(new FileCatalogStore(directory), engine, clock, limits);
    this.foldsCase = foldsCase;
  }

  /**
   * A catalog kept in the node state several nodes share, over an engine those nodes share: a
   * stream another node creates, reshards or deletes changes here too.
   */
  public static StreamCatalog shared(
      StateStore state, LogEngine engine, Clock clock, StreamLimits limits) {
    return new StreamCatalog(new SharedCatalogStore(state), engine, clock, limits);
  }

  /** Whether stream names differing only by case would share files (the file log's). */
  private boolean foldsCase;

  private StreamCatalog(CatalogStore store, LogEngine engine, Clock clock, StreamLimits limits) {
    this.store = store;
    this.engine = engine;
    this.clock = clock;
    this.limits = limits;
  }

  /**
   * The catalog's one thread. Retries waiting at close are dropped rather than run against a closed
   * engine: what they would finish is in the catalog, and the next start finishes it.
   */
  private static ScheduledExecutorService catalogThread() {
    ScheduledThreadPoolExecutor t =
        new ScheduledThreadPoolExecutor(1, r -> new Thread(r, "sluice-catalog"));
    t.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    return t;
  }

  /** Loads the catalog and brings the log engine in line with it. Blocks; call once. */
  public void start() {
    call(this::reconcile).join();
    store.onRead(this::fenceClosed);
    store.onRemote(
        (name, meta, own) ->
            call(() -> applyRemote(name, meta, own))
                .exceptionally(e -> logFailure("apply the change of " + name, e))
                .join()); // applied before the next change is: see StateStore
    if (!store.exclusive()) {
      thread.scheduleWithFixedDelay(
          () -> finishOrphanedChanges().exceptionally(e -> logFailure("orphaned changes", e)),
          ORPHAN_CHECK_MILLIS,
          ORPHAN_CHECK_MILLIS,
          TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Finishes the creations, deletions and reshards that this node has seen unfinished for {@link
   * #ORPHANED_CHANGE_MILLIS} or more, carried out by no node of its own: the node that accepted one
   * stopped before it published the outcome, and the stream would stay CREATING or DELETING (usable
   * by no one, not even to delete) or UPDATING (refusing every further reshard) until some node
   * restarted. Should that node only be slow, carrying the same change out twice does no harm:
   * creating, sealing and deleting shard logs can be repeated, both outcomes are the same, and the
   * shared order keeps the first. (The exception: a deletion finished by both, of a name created
   * again in between, could remove the new stream.) A taker that fails tries again after another
   * wait, and does not undo the change: no ACTIVE for a reshard, and a creation is given up only at
   * the {@link #CREATION_TAKE_OVERS}th failed take-over, as its own node would have given it up.
   */
  CompletableFuture<Void> finishOrphanedChanges() {
    return call(
        () -> {
          long now = clock.millis();
          unfinishedSince.keySet().retainAll(streams.keySet());
          for (StreamMeta meta : List.copyOf(streams.values())) {
            if (orphaned(meta, now)) {
              LOG.warnf(
                  "Stream %s has been %s for %d s, a change no node finished; finishing it here",
                  meta.name(),
                  meta.status(),
                  (now - unfinishedSince.get(meta.name()).atMillis()) / 1000);
              int takeOvers = unfinishedSince.get(meta.name()).takeOvers() + 1;
              takeOver(meta, takeOvers);
              // a failed take-over is tried again after another wait, not at every check
              unfinishedSince.put(meta.name(), sighting(meta, now, takeOvers));
            }
          }
          return null;
        });
  }

  private static Sighting sighting(StreamMeta meta, long now, int takeOvers) {
    return new Sighting(meta.createdMillis(), meta.version(), now, takeOvers);
  }

  private void takeOver(StreamMeta meta, int takeOvers) {
    boolean last = takeOvers >= CREATION_TAKE_OVERS;
    switch (meta.status()) {
      case CREATING -> guarded("create " + meta.name(), () -> takeOverCreation(meta, last));
      case DELETING -> guarded("delete " + meta.name(), () -> finishDelete(meta.name(), false));
      default -> guarded("reshard " + meta.name(), () -> carryOut(meta, false));
    }
  }

  /** Whether {@code meta}'s change has waited long enough here; notes when it was first seen. */
  private boolean orphaned(StreamMeta meta, long now) {
    if (!unfinished(meta)) {
      unfinishedSince.remove(meta.name());
      return false;
    }
    Sighting seen = unfinishedSince.get(meta.name());
    if (seen == null || !seen.of(meta)) {
      unfinishedSince.put(meta.name(), sighting(meta, now, 0));
      return false;
    }
    return now - seen.atMillis() >= ORPHANED_CHANGE_MILLIS;
  }

  /**
   * Whether {@code meta} is a change under way that another node could finish: a reshard is, with
   * its plan, unless it only waits for its parents' ends to settle or this node carries it out.
   */
  private boolean unfinished(StreamMeta meta) {
    return switch (meta.status()) {
      case CREATING, DELETING -> !finishing.contains(meta.name()) && !landings.waitsFor(meta);
      case UPDATING ->
          meta.reshard() != null
              && !hasProvisionalEnds(meta)
              && !resharding.containsKey(meta.name());
      default -> false;
    };
  }

  /**
   * Carries out the reshard {@code meta} records, as the node that accepted it would have; that
   * node ({@code accepted}) makes the stream ACTIVE again when it fails, a taker leaves it as it
   * is.
   */
  private void carryOut(StreamMeta meta, boolean accepted) {
    Resharder plan = Resharder.resume(meta);
    underWay(meta.name(), plan);
    finishReshard(meta.name(), plan, accepted);
  }

  /** Notes that this node carries out {@code plan}, whose new shards count against the limit. */
  private void underWay(String name, Resharder plan) {
    resharding.put(name, plan);
    pendingShards.put(name, plan.createdOpen().size() - plan.toSeal().size());
  }

  /**
   * Stops appends to the shards another node closed as soon as this node reads of it, ahead of
   * applying the change (which may wait behind others): that node fixes their ends a grace period
   * after it published the change. A shard of a stream this node does not know yet, or of another
   * generation of it, is fenced once the catalog attaches it ({@link #settleFences}). Runs on the
   * state reader's thread.
   */
  private void fenceClosed(String name, StreamMeta meta, boolean own) {
    if (own || meta == null) {
      return;
    }
    StreamMeta known = streams.get(name);
    boolean same = known != null && known.createdMillis() == meta.createdMillis();
    for (Shard s : meta.shards()) {
      if (!s.isOpen()) {
        fences.merge(new FenceKey(name, meta.createdMillis(), s.id()), meta.version(), Math::max);
        if (same) {
          engine.fence(new ShardRef(name, s.id()));
        }
      }
    }
  }

  /**
   * Once {@code meta} is what this node shows, settles the fences read ahead of it: a shard the
   * fencing change closes is fenced here if the catalog attached it only now; once that change is
   * applied, or lost to {@code meta}, the fence goes, and a shard still open takes records again.
   * Catalog's thread.
   */
  private void settleFences(StreamMeta meta) {
    for (Shard s : meta.shards()) {
      FenceKey key = new FenceKey(meta.name(), meta.createdMillis(), s.id());
      Long version = fences.get(key);
      if (version == null) {
        continue;
      }
      ShardRef ref = new ShardRef(meta.name(), s.id());
      if (meta.version() < version) {
        engine.fence(ref); // the change that closes it is still to be applied
      } else {
        fences.remove(key, version);
        if (s.isOpen()) {
          engine.unfence(ref); // the change that closed it lost in the shared order
        }
      }
    }
  }

  /** The stream named {@code name}, unless it does not exist. */
  public Optional<StreamMeta> find(String name) {
    return Optional.ofNullable(streams.get(name));
  }

  /** The stream named {@code name}; fails with NOT_FOUND when it does not exist. */
  public StreamMeta require(String name) {
    StreamMeta meta = streams.get(name);
    if (meta == null) {
      throw StreamException.notFound("Stream " + name + " not found.");
    }
    return meta;
  }

  /** All streams, sorted by name. */
  public List<StreamMeta> list() {
    return new ArrayList<>(new TreeMap<>(streams).values());
  }

  /** Where consumers wait for appends and reshards. */
  public ShardWatch watch() {
    return watch;
  }

  /** The limits this catalog enforces. */
  public StreamLimits limits() {
    return limits;
  }

  /** Open shards across all streams. */
  public int openShardCount() {
    return streams.values().stream().mapToInt(s -> s.openShards().size()).sum();
  }

  /** Streams in ON_DEMAND mode. */
  public int onDemandStreamCount() {
    return (int) streams.values().stream().filter(s -> s.mode() == StreamMode.ON_DEMAND).count();
  }

  /**
   * The open shard of a stream that takes records with {@code hashKey}; fails with NOT_FOUND when
   * the stream does not exist or does not take records (creating or deleting).
   */
  public Shard route(String stream, BigInteger hashKey) {
    return router(stream).routeOrFail(stream, hashKey);
  }

  /** The router of a stream that takes records; {@link StreamException} when there is none. */
  ShardRouter router(String stream) {
    ShardRouter router = routers.get(stream);
    if (router == null) {
      throw StreamException.notFound("Stream " + stream + " not found.");
    }
    return router;
  }

  /**
   * Records a new stream as CREATING, then creates its shard logs and makes it ACTIVE. On shared
   * state only once the CREATING record came first in the shared order: a node whose creation of
   * the name lost to another node's answers that the stream exists, and makes no logs.
   */
  public CompletableFuture<Void> create(
      String name, int shardCount, StreamMode mode, Map<String, String> tags) {
    return edit(
        name,
        () -> {
          if (streams.containsKey(name)) {
            throw StreamException.inUse("Stream " + name + " already exists.");
          }
          String clash = foldsCase ? CaseFolding.clash(name, streams.keySet()) : null;
          if (clash != null) {
            throw StreamException.inUse(
                "Stream "
                    + name
                    + " differs from stream "
                    + clash
                    + " only by case, and this node's data directory is on a file system that"
                    + " ignores case: the two would share their files.");
          }
          String stored = engine.nameClash(name, streams.keySet());
          if (stored != null) {
            throw StreamException.inUse(stored + ".");
          }
          checkNewShards(shardCount);
          if (mode == StreamMode.ON_DEMAND
              && onDemandStreamCount() >= limits.onDemandStreamLimit()) {
            throw StreamException.limit("Too many ON_DEMAND streams.");
          }
          long now = clock.millis();
          List<Shard> shards = new ArrayList<>();
          List<HashKeyRange> ranges = HashKeys.split(shardCount);
          for (int i = 0; i < shardCount; i++) {
            shards.add(Shard.open(i, null, null, ranges.get(i), now));
          }
          StreamMeta record =
              publish(
                  new StreamMeta(
                      name,
                      StreamStatus.CREATING,
                      mode,
                      StreamLimits.MIN_RETENTION_HOURS,
                      now,
                      shards,
                      tags,
                      shardCount,
                      0)); // publish gives it its version
          if (unreadTombstones.containsKey(name)) {
            recreated.add(name);
          }
          return Landings.Published.then(
              record,
              () ->
                  thread.execute(() -> guarded("create " + name, () -> finishCreation(name, now))));
        });
  }

  /** Marks the stream DELETING, then deletes its shard logs and forgets it. */
  public CompletableFuture<Void> delete(String name) {
    return call(
        () -> {
          StreamMeta meta = require(name);
          if (meta.status() == StreamStatus.CREATING) {
            throw StreamException.inUse("Stream " + name + " is being created.");
          }
          if (meta.status() != StreamStatus.DELETING) {
            publish(meta.withStatus(StreamStatus.DELETING));
            thread.execute(() -> guarded("delete " + name, () -> finishDelete(name)));
          }
          return null;
        });
  }

  /** Sets the retention period; {@code increase} says which direction the caller asked for. */
  public CompletableFuture<Void> setRetention(String name, int hours, boolean increase) {
    return update(
        name,
        meta -> {
          boolean wrongWay =
              increase ? hours < meta.retentionHours() : hours > meta.retentionHours();
          if (wrongWay) {
            throw StreamException.invalid(
                "Requested retention period ("
                    + hours
                    + " hours) for stream "
                    + name
                    + " can not be "
                    + (increase ? "shorter" : "longer")
                    + " than existing retention period ("
                    + meta.retentionHours()
                    + " hours). Use "
                    + (increase ? "DecreaseRetentionPeriod" : "IncreaseRetentionPeriod")
                    + " API.");
          }
          return meta.withRetention(hours);
        });
  }

  /**
   * Switches the capacity mode; the shards stay as they are (Kinesis keeps them too, and then
   * scales an ON_DEMAND stream itself, which Sluice does not). Also refused while resharding.
   */
  public CompletableFuture<Void> setMode(String name, StreamMode mode) {
    return update(
        name,
        meta -> {
          if (meta.status() != StreamStatus.ACTIVE) {
            throw StreamException.inUse("Stream " + name + " is " + meta.status() + ".");
          }
          if (mode == StreamMode.ON_DEMAND
              && meta.mode() != mode
              && onDemandStreamCount() >= limits.onDemandStreamLimit()) {
            throw StreamException.limit("Too many ON_DEMAND streams.");
          }
          return meta.withMode(mode);
        });
  }

  /** Adds or overwrites tags. */
  public CompletableFuture<Void> addTags(String name, Map<String, String> tags) {
    return update(
        name,
        meta -> {
          Map<String, String> merged = new TreeMap<>(meta.tags());
          merged.putAll(tags);
          long counted =
              merged.keySet().stream()
                  .filter(k -> !k.startsWith(StreamLimits.SLUICE_TAG_PREFIX))
                  .count();
          if (counted > StreamLimits.MAX_TAGS) {
            throw StreamException.limit(
                "A stream can have at most "
                    + StreamLimits.MAX_TAGS
                    + " tags (Sluice's own sluice: tags aside).");
          }
          return meta.withTags(merged);
        });
  }

  /** Removes the tags with the given keys; unknown keys are ignored. */
  public CompletableFuture<Void> removeTags(String name, List<String> keys) {
    return update(
        name,
        meta -> {
          Map<String, String> left = new TreeMap<>(meta.tags());
          keys.forEach(left::remove);
          return meta.withTags(left);
        });
  }

  /** Splits an open shard at {@code newStartingHashKey}. */
  public CompletableFuture<Void> split(String name, String shardId, BigInteger newStartingHashKey) {
    return reshard(
        name,
        "SplitShard",
        (meta, plan) -> {
          Shard parent = openShard(meta, shardId);
          HashKeyRange r = parent.range();
          // as Kinesis: each child gets at least two hash keys
          if (newStartingHashKey.compareTo(r.start().add(BigInteger.ONE)) <= 0
              || newStartingHashKey.compareTo(r.end()) >= 0) {
            throw StreamException.invalid(
                "NewStartingHashKey "
                    + newStartingHashKey
                    + " must be greater than one plus "
                    + r.start()
                    + " and less than "
                    + r.end()
                    + ", the hash key range of "
                    + shardId
                    + ".");
          }
          checkNewShards(1);
          plan.split(parent, newStartingHashKey);
        });
  }

  /** Merges two adjacent open shards, {@code shardId} the one whose hash keys are lower. */
  public CompletableFuture<Void> merge(String name, String shardId, String adjacentShardId) {
    return reshard(
        name,
        "MergeShards",
        (meta, plan) -> {
          Shard a = openShard(meta, shardId);
          Shard b = openShard(meta, adjacentShardId);
          // ShardToMerge must be the lower of the two, as Kinesis requires
          if (!a.range().adjacentTo(b.range())) {
            throw StreamException.invalid(
                "Shards "
                    + shardId
                    + " and "
                    + adjacentShardId
                    + " in stream "
                    + name
                    + " are not an adjacent pair of shards eligible for merging");
          }
          plan.merge(a, b);
        });
  }

  /**
   * Reshapes the open shards into {@code target} equal ones (UNIFORM_SCALING); completes with how
   * many were open when the change was accepted.
   */
  public CompletableFuture<Integer> updateShardCount(String name, int target) {
    int[] before = new int[1];
    return reshard(
            name,
            "UpdateShardCount",
            (meta, plan) -> {
              int open = meta.openShards().size();
              before[0] = open;
              if (target > open * 2 || target * 2 < open) {
                // Kinesis's limit, which scaling tools catch to fall back to splits and merges
                throw StreamException.limit(
                    "UpdateShardCount cannot scale "
                        + (target > open ? "up over double" : "down below half")
                        + " your current open shard count. Current open shard count: "
                        + open
                        + ", Target shard count: "
                        + target);
              }
              checkNewShards(target - open);
              plan.uniform(meta.openShards(), target);
            })
        .thenApply(v -> before[0]);
  }

  /**
   * Applies retention now: trims expired segments of every shard and forgets closed shards whose
   * records have all expired.
   */
  public CompletableFuture<Void> applyRetention() {
    return call(
        () -> {
          long now = clock.millis();
          for (StreamMeta meta : List.copyOf(streams.values())) {
            // only ACTIVE ones: a reshard in progress publishes its plan's shard list when it
            // ends, which would bring back a shard deleted here meanwhile
            if (meta.status() == StreamStatus.ACTIVE) {
              guarded(
                  "retention of " + meta.name(),
                  () -> expire(meta, now - meta.retentionHours() * 3_600_000L));
            }
          }
          return null;
        });
  }

  /** Runs {@link #applyRetention()} every {@code periodMillis}. */
  public void scheduleRetention(long periodMillis) {
    thread.scheduleWithFixedDelay(
        () -> applyRetention().exceptionally(e -> logFailure("retention", e)),
        periodMillis,
        periodMillis,
        TimeUnit.MILLISECONDS);
  }

  /** Stops the catalog's thread after the changes already queued. */
  @Override
  public void close() {
    try {
      StateException stopped =
          new StateException(
              "The node stopped before its change was read back; DescribeStream shows whether it"
                  + " was made");
      thread.execute(() -> landings.stop(stopped));
    } catch (RejectedExecutionException e) {
      // closed already
    }
    thread.shutdown();
    try {
      thread.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Trims the stream's shards to {@code cutoff} and drops its closed shards wholly past it: out of
   * the catalog first, then their logs. A crash in between leaves a stray log, which the next start
   * removes; the other order left a listed shard whose log came back empty, and readers of it never
   * reached its children.
   */
  private void expire(StreamMeta meta, long cutoff) {
    List<Shard> kept = new ArrayList<>();
    List<ShardRef> expired = new ArrayList<>();
    for (Shard s : meta.shards()) {
      ShardRef ref = new ShardRef(meta.name(), s.id());
      if (!s.isOpen() && s.closedMillis() < cutoff) {
        expired.add(ref);
      } else {
        trimQuietly(ref, cutoff);
        kept.add(s);
      }
    }
    if (!expired.isEmpty()) {
      StreamMeta now = streams.get(meta.name());
      publish(now.withShards(kept, now.nextOrdinal()));
      expired.forEach(this::deleteExpired);
    }
  }

  /**
   * Trims one shard; one that fails (its log not attached: damaged, or still being retried) is
   * logged and left for the next pass, so that it holds back neither the stream's other shards nor
   * the removal of its expired ones.
   */
  private void trimQuietly(ShardRef ref, long cutoff) {
    try {
      engine.trim(ref, cutoff).join();
    } catch (CompletionException e) {
      LOG.warnf("Shard %s not trimmed this pass: %s", ref, e.getCause().getMessage());
    }
  }

  /** Deletes an expired shard's log; one already gone (an earlier pass, a crash) is fine. */
  private void deleteExpired(ShardRef ref) {
    try {
      engine.deleteExpiredShard(ref).join();
    } catch (CompletionException e) {
      if (!(e.getCause() instanceof ShardNotFoundException)) {
        throw e;
      }
    }
  }

  private interface Plan {
    void build(StreamMeta meta, Resharder plan);
  }

  private CompletableFuture<Void> reshard(String name, String operation, Plan planner) {
    return edit(
        name,
        () -> {
          StreamMeta meta = require(name);
          if (meta.mode() == StreamMode.ON_DEMAND) {
            // Kinesis reshards ON_DEMAND streams itself and refuses to be asked. Checked here, in
            // the catalog's order: a mode change asked for just before must count
            throw StreamException.invalid(
                operation
                    + " is only supported for streams in PROVISIONED mode; stream "
                    + name
                    + " is ON_DEMAND.");
          }
          if (meta.status() != StreamStatus.ACTIVE) {
            throw StreamException.inUse(
                "Stream " + name + " is not ACTIVE but " + meta.status() + ".");
          }
          Resharder plan = new Resharder(meta, clock.millis());
          planner.build(meta, plan);
          // the plan is kept with the status, so that a node that stops before carrying it out
          // finishes it at its next start
          StreamMeta record =
              publish(meta.withStatus(StreamStatus.UPDATING).withReshard(plan.plan()));
          underWay(name, plan);
          return new Landings.Published(
              record,
              () ->
                  thread.execute(
                      () -> guarded("reshard " + name, () -> finishReshard(name, plan, true))),
              () -> reshardDone(name, plan),
              plan.over());
        });
  }

  /**
   * Makes {@code edit} on the catalog's thread, and answers once its record stands ({@link
   * Landings}).
   */
  private CompletableFuture<Void> edit(String name, Landings.Edit edit) {
    return call(() -> landings.make(name, edit, !store.exclusive())).thenCompose(answer -> answer);
  }

  /**
   * The reshard {@code plan} of {@code name} is over: published, given up, or its stream gone. A
   * later reshard of the name (of a stream created again meanwhile) keeps its own entries.
   */
  private void reshardDone(String name, Resharder plan) {
    plan.over().complete(null);
    if (resharding.get(name) == plan) {
      resharding.remove(name);
      pendingShards.remove(name);
    }
  }

  /**
   * Carries out {@code plan}. When that fails before any parent is sealed, the node that {@code
   * accepted} the reshard makes the stream ACTIVE again with its shards; a node that took an
   * orphaned plan over leaves the stream UPDATING with it: its failure must not undo the outcome
   * the accepting node may yet publish. Once a parent is sealed there is no going back: the plan is
   * tried again, with a growing pause, until it is carried out or the stream is deleted.
   */
  private void finishReshard(String name, Resharder plan, boolean accepted) {
    finishReshard(name, plan, accepted, 0);
  }

  private void finishReshard(String name, Resharder plan, boolean accepted, int retries) {
    StreamMeta meta = streams.get(name);
    if (meta == null || meta.status() != StreamStatus.UPDATING) {
      reshardDone(name, plan);
      return; // deleted meanwhile: the delete owns the stream now
    }
    Map<String, Long> ends = new HashMap<>();
    Set<String> provisional = new HashSet<>();
    try {
      createChildren(name, plan);
      for (String id : plan.toSeal()) {
        ShardRef ref = new ShardRef(name, id);
        ends.put(id, engine.seal(ref).join());
        if (!engine.sealsAtOnce()) {
          provisional.add(id); // other nodes may still append until they learn of this
        }
      }
    } catch (RuntimeException e) {
      if (retries == 0 && ends.isEmpty() && !anyParentSealed(name, plan)) {
        reshardDone(name, plan);
        if (accepted) {
          publish(rolledBack(streams.get(name), plan));
        }
        throw e;
      }
      retryReshard(name, plan, accepted, retries, e);
      return;
    }
    publishReshard(name, plan, new Seals(ends, provisional, clock.millis()));
  }

  /**
   * The stream ACTIVE again with its shards, after a reshard that failed before any parent was
   * sealed. The plan's shard ids stay used: some of their logs were made (an intermediate one
   * sealed), and a log made again under such an id would be that old one, sealed or not.
   */
  private static StreamMeta rolledBack(StreamMeta meta, Resharder plan) {
    StreamMeta active = meta.withStatus(StreamStatus.ACTIVE);
    return active.withShards(active.shards(), Math.max(active.nextOrdinal(), plan.nextOrdinal()));
  }

  /** Creates the plan's new shard logs, after checking that every parent can be sealed. */
  private void createChildren(String name, Resharder plan) {
    // a parent that cannot be sealed (its log is unusable) must fail the reshard before any
    // other parent is sealed: a sealed parent the catalog still routes to takes no records
    for (String id : plan.toSeal()) {
      engine.offsets(new ShardRef(name, id));
    }
    for (String id : plan.createdOpen()) {
      engine.createShard(new ShardRef(name, id)).join();
    }
    for (String id : plan.createdClosed()) {
      engine.createShard(new ShardRef(name, id)).join();
      engine.seal(new ShardRef(name, id)).join();
    }
  }

  /** Whether a parent of {@code plan} is sealed already, by an earlier try or another node. */
  private boolean anyParentSealed(String name, Resharder plan) {
    for (String id : plan.toSeal()) {
      try {
        if (engine.offsets(new ShardRef(name, id)).sealed()) {
          return true;
        }
      } catch (RuntimeException unreadable) {
        // that parent's log is the one failing: it says nothing about the others
      }
    }
    return false;
  }

  /**
   * Tries {@code plan} again later: a parent is sealed, and giving the reshard up would leave the
   * catalog routing records to a shard that refuses them.
   */
  private void retryReshard(
      String name, Resharder plan, boolean accepted, int retries, RuntimeException cause) {
    long pause = Math.min(SETTLE_RETRY_MILLIS << Math.min(retries, 6), RESHARD_RETRY_MAX_MILLIS);
    LOG.warnf(
        "The reshard of %s failed with a parent sealed already (%s); trying it again in %d s",
        name, cause.getMessage(), pause / 1000);
    try {
      thread.schedule(
          () -> guarded("reshard " + name, () -> tryReshardAgain(name, plan, accepted, retries)),
          pause,
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      // the node is stopping: the stream still carries the plan, and the next start resumes it
    }
  }

  /** Tries {@code plan} again unless its stream no longer carries it (deleted, or made anew). */
  private void tryReshardAgain(String name, Resharder plan, boolean accepted, int retries) {
    if (resharding.get(name) != plan) {
      reshardDone(name, plan); // ends this plan only: a later reshard of a stream created again
      return; // under the name owns the entries
    }
    StreamMeta meta = streams.get(name);
    if (!plan.carriedBy(meta)) {
      reshardDone(name, plan);
      return;
    }
    finishReshard(name, plan, accepted, retries + 1);
  }

  /**
   * The parents' seals of a reshard carried out here.
   *
   * @param ends each sealed parent's end offset
   * @param provisional the parents whose ends may still grow (other nodes append until they learn
   *     of the seal)
   * @param at when the seals were done: the parents took records until then
   */
  private record Seals(Map<String, Long> ends, Set<String> provisional, long at) {}

  /** A reshard outcome this node wrote to shared state, waiting to come back in the order. */
  private record Outcome(Resharder plan, Seals seals, StreamMeta record) {

    /** Whether {@code meta} is this outcome's record. */
    boolean is(StreamMeta meta) {
      return record.createdMillis() == meta.createdMillis() && record.version() == meta.version();
    }
  }

  /** Per stream, this node's reshard outcome not read back yet. Catalog's thread only. */
  private final Map<String, Outcome> outcomes = new HashMap<>();

  /**
   * Publishes a reshard's outcome, and tries again while the state store refuses it: the parents
   * are sealed in the log now, so going back to them would leave the stream without a shard that
   * takes records. Nothing is left to do if the refused write landed after all.
   */
  private void publishReshard(String name, Resharder plan, Seals seals) {
    if (resharding.get(name) != plan) {
      reshardDone(name, plan); // ends this plan only: a later reshard of a stream created again
      return; // under the name owns the entries
    }
    StreamMeta meta = streams.get(name);
    if (!plan.carriedBy(meta) || meta.status() != StreamStatus.UPDATING || plan.appliedTo(meta)) {
      reshardDone(name, plan);
      return;
    }
    writeOutcome(name, plan, seals, meta);
  }

  /**
   * Writes {@code plan}'s outcome on top of {@code meta}. On shared state the reshard is over only
   * once that record comes back first in the order ({@link #applyOutcome}).
   */
  private void writeOutcome(String name, Resharder plan, Seals seals, StreamMeta meta) {
    // the stream stays UPDATING until the closed shards' ends are final, as a Kinesis reshard
    // takes a while: its new shards take records at once, and ACTIVE means the parents are done
    StreamStatus status =
        seals.provisional().isEmpty() ? StreamStatus.ACTIVE : StreamStatus.UPDATING;
    StreamMeta published;
    try {
      published =
          publish(
              plan.apply(meta, seals.ends(), seals.provisional(), seals.at()).withStatus(status));
    } catch (RuntimeException e) {
      LOG.warnf("Cannot publish the reshard of %s yet (%s); trying again", name, e.getMessage());
      retrySoon("reshard " + name, () -> publishReshard(name, plan, seals));
      return;
    }
    if (store.exclusive()) {
      reshardDone(name, plan);
    } else {
      outcomes.put(name, new Outcome(plan, seals, published));
    }
    watch.streamChanged(name);
    seals
        .provisional()
        .forEach(
            id ->
                settleLater(
                    new ShardRef(name, id), published.shard(id).orElseThrow().closedMillis()));
  }

  /**
   * This node's reshard outcome came back. The reshard is over once it came first. One that lost to
   * another node's change made meanwhile from the UPDATING stream (its tags, say) is written again
   * on top of that change while the stream still carries the plan: the parents are sealed, and the
   * winner routes records to them until the plan is carried out again.
   */
  private Void applyOutcome(String name, StreamMeta meta, Outcome outcome) {
    outcomes.remove(name);
    boolean first = firstInOrder(meta);
    try {
      return applyChange(name, meta, true);
    } finally {
      StreamMeta shown = streams.get(name);
      if (!first && outcome.plan().carriedBy(shown) && shown.status() == StreamStatus.UPDATING) {
        LOG.infof(
            "The reshard outcome of stream %s lost to another change of it; written again after it",
            name);
        writeOutcome(name, outcome.plan(), outcome.seals(), shown);
      } else {
        reshardDone(name, outcome.plan());
      }
    }
  }

  /**
   * Creates the stream's shard logs and makes it ACTIVE. When the storage refuses them (a Kafka
   * topic name that collides with another, a policy), the stream is removed again, with what was
   * created of it: left CREATING, it could not be deleted, and the node resumed it at every start.
   */
  private void finishCreate(String name) {
    finishCreate(name, true);
  }

  /**
   * Finishes this node's creation of {@code name}, made at {@code createdMillis}, once its record
   * stands; nothing when the stream shown is no longer that creation.
   */
  private void finishCreation(String name, long createdMillis) {
    StreamMeta meta = streams.get(name);
    if (meta != null
        && meta.createdMillis() == createdMillis
        && meta.status() == StreamStatus.CREATING) {
      finishCreate(name);
    }
  }

  /**
   * As {@link #finishCreate(String)} for the node that accepted the creation ({@code own}); a node
   * taking an orphaned one over only tries once, and on failure leaves the stream CREATING for its
   * next check: a failure of its own (a broker not answering it) must not remove a stream whose
   * creation its client was told of. Returns false when it left the stream so.
   */
  private boolean finishCreate(String name, boolean own) {
    StreamMeta meta = streams.get(name);
    if (meta == null) {
      return true; // removed by a later change
    }
    try {
      for (Shard s : meta.shards()) {
        engine.createShard(new ShardRef(name, s.id())).join();
      }
    } catch (RuntimeException e) {
      if (!own) {
        LOG.warnf("Cannot finish creating stream %s here (%s); tried again later", name, e);
        return false;
      }
      LOG.errorf(e, "Stream %s cannot be created in storage; it is removed", name);
      finishDelete(name);
      return true;
    }
    publishActive(name, meta.createdMillis(), own);
    return true;
  }

  /**
   * Finishes another node's orphaned creation {@code meta}; when its logs cannot be made at the
   * {@code last} try, marks it DELETING, which any node then finishes as an orphaned deletion. A
   * versioned record, unlike a removal: should another node make the stream ACTIVE meanwhile, the
   * two tie and the first in the shared order stands.
   */
  private void takeOverCreation(StreamMeta meta, boolean last) {
    if (finishCreate(meta.name(), false) || !last) {
      return;
    }
    StreamMeta now = streams.get(meta.name());
    if (now != null && now.status() == StreamStatus.CREATING && now.version() == meta.version()) {
      LOG.errorf(
          "Stream %s could not be created in storage in %d tries; it is deleted",
          meta.name(), CREATION_TAKE_OVERS);
      publish(now.withStatus(StreamStatus.DELETING));
    }
  }

  /**
   * Makes a created stream ACTIVE, and tries again while the state store refuses the write: a
   * stream left CREATING can be neither used nor deleted, until another node takes the creation
   * over a minute later or this one restarts. Nothing is left to do once the write landed after
   * all.
   */
  private void publishActive(String name, long createdMillis, boolean retry) {
    StreamMeta meta = streams.get(name);
    if (meta == null
        || meta.status() != StreamStatus.CREATING
        || meta.createdMillis() != createdMillis) {
      return;
    }
    try {
      publish(meta.withStatus(StreamStatus.ACTIVE));
    } catch (RuntimeException e) {
      LOG.warnf("Cannot make %s ACTIVE yet (%s); trying again", name, e.getMessage());
      if (retry) {
        retryLater(name, "create " + name, () -> publishActive(name, createdMillis, true));
      }
    }
  }

  /** Runs {@code step} of {@code name}'s creation or deletion again a second later. */
  private void retryLater(String name, String what, Runnable step) {
    finishing.add(name);
    Runnable again =
        () -> {
          finishing.remove(name);
          guarded(what, step);
        };
    try {
      thread.schedule(again, SETTLE_RETRY_MILLIS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      finishing.remove(name); // the next start finishes it
    }
  }

  /** Finishes the deletion of {@code name} later, unless a stream was created under it since. */
  private void deleteLater(String name, long createdMillis) {
    retryLater(
        name,
        "delete " + name,
        () -> {
          StreamMeta now = streams.get(name);
          if (now != null && now.createdMillis() == createdMillis) {
            finishDelete(name);
          }
        });
  }

  private void finishDelete(String name) {
    finishDelete(name, true);
  }

  /**
   * Deletes the stream's shard logs and forgets it; a node taking an orphaned deletion over ({@code
   * own} false) tries once, and on failure leaves it DELETING for its next check.
   */
  private void finishDelete(String name, boolean own) {
    StreamMeta meta = streams.get(name);
    if (meta == null) {
      return; // finished already
    }
    for (Shard s : meta.shards()) {
      ShardRef ref = new ShardRef(name, s.id());
      // a deletion resumed at start may find some logs gone already: a crash came between them
      // and the catalog's write, or another node sharing the storage deleted them
      if (engine.shards().contains(ref)) {
        try {
          engine.deleteShard(ref).join();
        } catch (RuntimeException e) {
          // a topic deletion the cluster refused or did not answer in time: left DELETING with
          // nothing to finish it, the name could not be used again until a restart
          LOG.warnf("Cannot delete the log of %s yet (%s); trying again", ref, e.getMessage());
          if (own) {
            deleteLater(name, meta.createdMillis());
          }
          return;
        }
      }
    }
    local.put(name, meta.version() + 1);
    Map<String, StreamMeta> next = new LinkedHashMap<>(streams);
    next.remove(name);
    try {
      install(next, name);
    } catch (RuntimeException e) {
      // its logs are gone: left DELETING, the name could not be used again until a restart
      LOG.warnf("Cannot record the deletion of %s yet (%s); trying again", name, e.getMessage());
      if (own) {
        deleteLater(name, meta.createdMillis());
      }
      return;
    }
    watch.streamChanged(name); // its readers end instead of waiting for records forever
    if (!store.exclusive()) {
      unreadTombstones.merge(name, 1, Integer::sum);
      recreated.remove(name); // this deletion comes after any creation made since the last
    }
  }

  private Void reconcile() {
    Map<String, StreamMeta> loaded = new LinkedHashMap<>();
    store.load().forEach(m -> loaded.put(m.name(), m));
    loaded.values().forEach(m -> ordered.put(m.name(), m.version()));
    loaded.values().forEach(m -> orderedGeneration.put(m.name(), m.createdMillis()));
    loaded.values().forEach(m -> local.put(m.name(), m.version()));
    routers = routersOf(loaded);
    streams = Collections.unmodifiableMap(loaded);
    for (StreamMeta meta : loaded.values()) {
      // one stream the storage refuses must not keep the node from starting
      guarded("resume " + meta.name(), () -> resume(meta));
    }
    // taken after resuming: a reshard finished now adds shards whose logs were made before the
    // stop, and one whose outcome waits for a retry of its write still needs them
    Set<ShardRef> known = new HashSet<>();
    for (StreamMeta meta : streams.values()) {
      meta.shards().forEach(s -> known.add(new ShardRef(meta.name(), s.id())));
      if (meta.reshard() != null) {
        meta.reshard().shards().forEach(s -> known.add(new ShardRef(meta.name(), s.id())));
      }
    }
    if (store.exclusive()) {
      deleteStrays(known);
    } else {
      forgetStrays(known); // another node may have created it a moment ago: not deleted
    }
    return null;
  }

  /**
   * Forgets shard logs no stream names, leaving their storage: held, they counted as a stream's
   * shards, and its deletion then kept its Kafka topic for them (empty partitions of shards that
   * expired stay in the topic and come back at a start). A stream created meanwhile by another node
   * attaches to them again when this node learns of it.
   */
  private void forgetStrays(Set<ShardRef> known) {
    for (ShardRef stray : engine.shards()) {
      if (!known.contains(stray)) {
        engine.forgetShard(stray).join();
      }
    }
  }

  private void deleteStrays(Set<ShardRef> known) {
    for (ShardRef stray : engine.shards()) {
      if (!known.contains(stray)) {
        LOG.infof("Deleting shard log %s that no stream names", stray);
        engine.deleteShard(stray).join();
      }
    }
  }

  private void resume(StreamMeta meta) {
    switch (meta.status()) {
      case CREATING -> finishCreate(meta.name());
      case DELETING -> finishDelete(meta.name());
      default -> {
        attachShards(meta);
        // a reshard whose closed shards still settle ends when they do (attachShards saw to it)
        if (meta.status() == StreamStatus.UPDATING && !hasProvisionalEnds(meta)) {
          resumeReshard(meta);
        }
      }
    }
  }

  /**
   * Finishes a reshard that was accepted before the node stopped. On shared state the plan may be
   * another node's, still under way: it is left to that node, and finished here only once it is
   * orphaned ({@link #finishOrphanedChanges}). A reshard recorded without its plan (by an older
   * version) cannot be finished: the stream is made ACTIVE with the shards it has.
   */
  private void resumeReshard(StreamMeta meta) {
    String name = meta.name();
    if (meta.reshard() != null && store.exclusive()) {
      LOG.infof("Stream %s was being resharded when the node stopped; finishing the reshard", name);
      carryOut(meta, true);
      return;
    }
    if (meta.reshard() != null) {
      return;
    }
    LOG.warnf(
        "Stream %s was being resharded when the node stopped; it is ACTIVE again with the"
            + " shards it has now. A reshard that had not taken effect (see ListShards) must"
            + " be asked for again.",
        name);
    publish(meta.withStatus(StreamStatus.ACTIVE));
  }

  /**
   * Mirrors a change in the shared order (this node's own ones come too): a version not above the
   * highest seen so far lost to a change that came first, and is dropped (the node that made it
   * then shows the winner). Otherwise the engine learns of new and sealed shards (the other node
   * created them in storage) and forgets removed ones, and waiting readers wake. Streams being
   * created or deleted are left to the node doing it until they settle. A tombstone read while this
   * node's own view is ahead of it changes nothing ({@link #aheadOf}); an own creation or deletion
   * that comes back as a change is finished here ({@link #finishLanded}).
   */
  private Void applyRemote(String name, StreamMeta meta, boolean own) {
    Outcome outcome = own && meta != null ? outcomes.get(name) : null;
    if (outcome != null && outcome.is(meta)) {
      return applyOutcome(name, meta, outcome);
    }
    if (!own || meta == null || !landings.waitsFor(meta)) {
      return applyChange(name, meta, own);
    }
    boolean first = firstInOrder(meta);
    try {
      return applyChange(name, meta, own);
    } finally {
      landings.landed(meta, first, streams.get(name));
    }
  }

  /** Whether {@code meta}, read from the shared order now, is accepted rather than dropped. */
  private boolean firstInOrder(StreamMeta meta) {
    String name = meta.name();
    return !(deletedInOrder.contains(name) && meta.status() != StreamStatus.CREATING)
        && !olderGeneration(meta)
        && meta.version() > ordered.getOrDefault(name, -1L);
  }

  private Void applyChange(String name, StreamMeta meta, boolean own) {
    staleLast.remove(name); // a later record of the name: no longer the last one
    lostLast.remove(name);
    if (meta != null && meta.status() == StreamStatus.GONE) {
      StreamMeta shown = streams.get(name);
      if (shown != null && shown.createdMillis() == meta.createdMillis()) {
        // a node that started between the stale change and this mark loaded the deleted stream
        // from it: the mark deletes that generation here too, and the name may start again from
        // version 1
        ordered.remove(name);
        orderedGeneration.remove(name);
        deletedInOrder.add(name);
        dropShown(name);
      } else if (own && !deletedInOrder.contains(name)) {
        // it repeats a deletion every node read already; it matters only if the name came back
        republishCurrent(name);
      }
      return null;
    }
    if (meta == null) {
      ordered.remove(name); // gone: the name may start again from version 1
      orderedGeneration.remove(name);
      deletedInOrder.add(name);
      if (aheadOf(name, own)) {
        return null;
      }
      local.remove(name);
      issued.remove(name);
    } else if (deletedInOrder.contains(name) && meta.status() != StreamStatus.CREATING) {
      // this node's own older write, superseded here since (say by a creation again), is moot
      if (own && meta.version() >= local.getOrDefault(name, -1L)) {
        staleAfterDeletion(meta);
      } else if (!own) {
        LOG.warnf("A change of stream %s made before its deletion came after it: dropped", name);
        markGoneLater(meta);
      }
      return null;
    } else if (olderGeneration(meta)) {
      LOG.warnf(
          "A change of stream %s made before it was deleted and created again came after that:"
              + " dropped",
          name);
      if (own) {
        republishCurrent(name);
      }
      return null;
    } else if (meta.version() <= ordered.getOrDefault(name, -1L)) {
      // made from an older state, or tied and later in the order: it lost
      if (own) {
        republishWinner(meta);
      }
      settleFencesOfShown(name);
      return null;
    } else {
      deletedInOrder.remove(name);
      ordered.put(name, meta.version());
      orderedGeneration.put(name, meta.createdMillis());
      if (meta.version() < local.getOrDefault(name, -1L)) {
        settleFencesOfShown(name);
        return null; // this node's newer change (or deletion) comes after it
      }
    }
    StreamMeta current = streams.get(name);
    if (Objects.equals(current, meta)) {
      if (meta != null) { // a deletion of a stream this node never showed changes nothing
        settleFences(meta);
      }
      return null;
    }
    if (meta != null) {
      local.put(name, meta.version());
    }
    if (meta != null
        && meta.status() != StreamStatus.CREATING
        && meta.status() != StreamStatus.DELETING) {
      attachShards(meta);
    }
    if (meta != null) {
      settleFences(meta);
    }
    forgetRemoved(current, meta);
    Map<String, StreamMeta> next = new LinkedHashMap<>(streams);
    if (meta == null) {
      next.remove(name);
    } else {
      next.put(name, meta);
    }
    show(next);
    watch.streamChanged(name);
    if (own && meta != null) {
      finishLanded(meta);
    }
    return null;
  }

  /**
   * A change of a stream made before its deletion (on a node that had not read it yet) and read
   * after it: only a creation brings a deleted name back, else the change would revive the deleted
   * stream on every node, with its old creation time (mappings would keep their old checkpoints)
   * and its sequence numbers issued again. Every node drops it. The node that wrote it, whose view
   * may show that change, drops it there too and writes a {@link StreamStatus#GONE} record after
   * it, so that the compacted state ends in a deletion and a node starting later does not load it
   * either. Not a tombstone: the name may have been created again by now, and a tombstone landing
   * after that creation would delete the new stream on every node; the GONE record is moot then.
   */
  private void staleAfterDeletion(StreamMeta stale) {
    String name = stale.name();
    LOG.warnf(
        "A change of stream %s this node made before its deletion came after it: marked gone again",
        name);
    store.markGone(stale);
    dropShown(name);
  }

  /**
   * Marks another node's stale change gone if it is still the last record of its name after a
   * while: its writer marks it at once when it reads it back, unless it died first. A mark that
   * several nodes write is harmless: every node dropped that generation already.
   */
  private void markGoneLater(StreamMeta stale) {
    staleLast.put(stale.name(), stale);
    long delay =
        STALE_MARK_MILLIS
            + java.util.concurrent.ThreadLocalRandom.current().nextInt(STALE_MARK_JITTER_MILLIS);
    try {
      thread.schedule(
          () ->
              guarded(
                  "mark " + stale.name() + " gone",
                  () -> {
                    if (staleLast.get(stale.name()) == stale) {
                      staleLast.remove(stale.name());
                      store.markGone(stale);
                    }
                  }),
          delay,
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      // the node is stopping: another node marks it
    }
  }

  /**
   * Stops showing stream {@code name}, a generation deleted in the shared order, and its shards.
   */
  private void dropShown(String name) {
    local.remove(name);
    issued.remove(name);
    Map<String, StreamMeta> next = new LinkedHashMap<>(streams);
    StreamMeta shown = next.remove(name);
    show(next);
    forgetRemoved(shown, null);
    if (shown != null) {
      watch.streamChanged(name);
    }
  }

  /** Whether {@code meta} is of an earlier generation of its stream than the shared order's. */
  private boolean olderGeneration(StreamMeta meta) {
    Long current = orderedGeneration.get(meta.name());
    return meta.status() != StreamStatus.CREATING
        && current != null
        && current != meta.createdMillis();
  }

  /**
   * This node's record of an earlier generation of stream {@code name} landed after the newer
   * one's: compaction would keep it as the name's last record, and a node starting later would load
   * it. So the stream's state is written again after it, when that state is an ACTIVE one already
   * in the order; a creation, change or deletion under way writes its next record later anyway.
   */
  private void republishCurrent(String name) {
    thread.execute(
        () ->
            guarded(
                "republish " + name,
                () -> {
                  StreamMeta shown = streams.get(name);
                  if (shown != null
                      && shown.status() == StreamStatus.ACTIVE
                      && shown.version() == ordered.getOrDefault(name, -1L)) {
                    publish(shown);
                  }
                }));
  }

  private void settleFencesOfShown(String name) {
    StreamMeta shown = streams.get(name);
    if (shown != null) {
      settleFences(shown);
    }
  }

  /**
   * Finishes a creation or deletion of this node's whose record came back as a change to what the
   * node shows, or undoes the start of a reshard: writing it failed (a timeout, say), so its caller
   * got an error and no step was scheduled, but it landed all the same, and every node now shows
   * it.
   */
  private void finishLanded(StreamMeta meta) {
    StreamStatus status = meta.status();
    if (status == StreamStatus.CREATING || status == StreamStatus.DELETING) {
      thread.execute(() -> finishIfStill(meta.name(), status));
    } else if (status == StreamStatus.UPDATING && !hasProvisionalEnds(meta)) {
      // a reshard's first record: its caller was told the reshard failed, and no plan is left to
      // carry out, so the stream goes back to ACTIVE rather than wait for a restart
      thread.execute(() -> guarded("reshard " + meta.name(), () -> abandonReshard(meta)));
    }
  }

  /**
   * Publishes {@code landed} as ACTIVE again unless a later change came meanwhile or a reshard of
   * the stream is under way here (then the record is another UPDATING change of this node's, whose
   * reshard ends by itself); tries again while the state store refuses it.
   */
  private void abandonReshard(StreamMeta landed) {
    StreamMeta meta = streams.get(landed.name());
    if (meta == null || meta.version() != landed.version() || resharding.containsKey(meta.name())) {
      return;
    }
    try {
      publish(meta.withStatus(StreamStatus.ACTIVE));
    } catch (RuntimeException e) {
      LOG.warnf("Cannot end the failed reshard of %s yet (%s); trying again", meta.name(), e);
      retrySoon("reshard " + meta.name(), () -> abandonReshard(landed));
      return;
    }
    watch.streamChanged(meta.name());
  }

  /**
   * Runs the finishing step of {@code status} unless the stream left it meanwhile: then the step
   * ran already, or the record was overtaken. (A deletion scheduled by delete() itself runs even
   * then, as before: its caller was told it succeeded.)
   */
  private void finishIfStill(String name, StreamStatus status) {
    StreamMeta meta = streams.get(name);
    if (meta == null || meta.status() != status) {
      return;
    }
    if (status == StreamStatus.CREATING) {
      guarded("create " + name, () -> finishCreate(name));
    } else {
      guarded("delete " + name, () -> finishDelete(name));
    }
  }

  /**
   * Counts a tombstone read back and says whether this node's view of the stream is ahead of it:
   * another of this node's tombstones is still to come, or this was the last of them and the node
   * has created the stream again since. The view is then left as it is, and so is the node's own
   * version of the stream, which judges the records of it still to come.
   *
   * <p>An own tombstone not counted is a write reported failed that landed after all: the deletion
   * was written again ({@link #finishDelete} retries), and that write, counted, is the one that
   * counts; applied, the stray one could delete the stream created again since.
   */
  private boolean aheadOf(String name, boolean ownRemoval) {
    Integer unread = unreadTombstones.get(name);
    if (unread == null) {
      return ownRemoval && !store.exclusive();
    }
    boolean last = ownRemoval && unread == 1;
    if (!last) {
      if (ownRemoval) {
        unreadTombstones.put(name, unread - 1);
      }
      return true; // an older tombstone (another node's, or an earlier one of this node's)
    }
    unreadTombstones.remove(name);
    return recreated.remove(name);
  }

  /**
   * Makes sure the engine holds every shard of {@code meta}, closed ones sealed. A shard the engine
   * fails (a damaged log, a partition it cannot reach) is logged and fails alone: seals are not
   * stored, so stopping at it left the closed shards after it open, and their readers never reached
   * the children.
   */
  private void attachShards(StreamMeta meta) {
    for (Shard s : meta.shards()) {
      ShardRef ref = new ShardRef(meta.name(), s.id());
      try {
        attachShard(ref, s);
      } catch (RuntimeException e) {
        logFailure("attach " + ref, e);
        attachLater(ref, SETTLE_RETRY_MILLIS);
      }
    }
  }

  /**
   * Attaches {@code ref} again after {@code delayMillis}, and after twice as long (a minute at
   * most) each time it fails, while the stream shown holds it: no later change of the stream need
   * come to attach it, and until it is attached this node answers its records as not found. The
   * engine's attach (up to half a minute against a partition whose leader does not answer) is
   * waited for off the catalog's thread, which every change of every stream needs.
   */
  private void attachLater(ShardRef ref, long delayMillis) {
    if (!attaching.add(ref)) {
      return; // tried again already
    }
    Runnable again =
        () -> {
          if (shownShard(ref) == null) {
            attaching.remove(ref); // gone, or its creation or deletion handles the log
            return;
          }
          engine
              .createShard(ref)
              .whenComplete((v, e) -> onCatalog(() -> attachedLater(ref, delayMillis, e)));
        };
    try {
      thread.schedule(again, delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      attaching.remove(ref); // the next start attaches it
    }
  }

  /** Finishes {@link #attachLater}'s try, which failed with {@code e} unless it is null. */
  private void attachedLater(ShardRef ref, long delayMillis, Throwable e) {
    attaching.remove(ref);
    Shard s = shownShard(ref);
    if (s == null) {
      return;
    }
    Throwable failed = e;
    if (failed == null) {
      try {
        attached(ref, s);
        LOG.infof("Attached %s", ref);
        return;
      } catch (RuntimeException sealing) {
        failed = sealing;
      }
    }
    LOG.warnf("Cannot attach %s yet (%s); trying again", ref, failed.getMessage());
    attachLater(ref, Math.min(2 * delayMillis, ATTACH_RETRY_MAX_MILLIS));
  }

  /** The shard {@code ref} of the stream shown, unless it is gone or being created or deleted. */
  private Shard shownShard(ShardRef ref) {
    StreamMeta shown = streams.get(ref.stream());
    if (shown == null
        || shown.status() == StreamStatus.CREATING
        || shown.status() == StreamStatus.DELETING) {
      return null;
    }
    return shown.shard(ref.shard()).orElse(null);
  }

  /** Runs {@code task} on the catalog's thread, unless the catalog is closing. */
  private void onCatalog(Runnable task) {
    try {
      thread.execute(() -> guarded("attach", task));
    } catch (RejectedExecutionException closing) {
      // the next start attaches it
    }
  }

  private void attachShard(ShardRef ref, Shard s) {
    engine.createShard(ref).join(); // with shared storage: attaches to the existing partition
    attached(ref, s);
  }

  /** Brings the attached shard {@code ref} in line with {@code s}: sealed, its end settled. */
  private void attached(ShardRef ref, Shard s) {
    if (!s.isOpen() && !engine.offsets(ref).sealed()) {
      engine.seal(ref).join();
    }
    if (s.endProvisional()) {
      settleLater(ref, s.closedMillis()); // the closing node does this too; first one wins
    } else if (!s.isOpen()) {
      engine.settledAt(ref, s.endOffset()); // its end here may have been fixed earlier
    }
  }

  /**
   * Once the engine's seal of {@code ref} is final, publishes the shard's final end unless someone
   * did already. Every node holding the shard does this, so that the end settles even when the node
   * that closed it is gone.
   */
  private void settleLater(ShardRef ref, long closedMillis) {
    if (!settling.add(ref)) {
      return;
    }
    engine
        .finalEnd(ref)
        .whenComplete(
            (end, e) -> {
              if (e != null) {
                settling.remove(ref); // closing, or the shard went: nothing to settle here
                return;
              }
              thread.execute(() -> guarded("settle " + ref, () -> settle(ref, closedMillis, end)));
            });
  }

  /**
   * Publishes the final end of the shard closed at {@code closedMillis}; a shard of the same name
   * closed at another time (the stream deleted and made again meanwhile) is left to its own wait.
   */
  private void settle(ShardRef ref, long closedMillis, long end) {
    if (awaitsOutcome(ref.stream())) {
      // made on top of this node's reshard outcome while that may still lose, it would win over
      // the change the outcome lost to, and undo it: written once the outcome stands
      retrySoon("settle " + ref, () -> settle(ref, closedMillis, end));
      return;
    }
    settling.remove(ref);
    StreamMeta meta = streams.get(ref.stream());
    Shard s = meta == null ? null : meta.shard(ref.shard()).orElse(null);
    if (s == null || !s.endProvisional() || meta.status() == StreamStatus.DELETING) {
      return;
    }
    if (s.closedMillis() != closedMillis) {
      settleLater(ref, s.closedMillis());
      return;
    }
    List<Shard> shards = new ArrayList<>();
    for (Shard each : meta.shards()) {
      shards.add(each.id().equals(s.id()) ? s.settled(end) : each);
    }
    StreamMeta next = meta.withShards(shards, meta.nextOrdinal());
    if (next.status() == StreamStatus.UPDATING && !hasProvisionalEnds(next)) {
      next = next.withStatus(StreamStatus.ACTIVE); // the reshard is done
    }
    try {
      publish(next);
    } catch (RuntimeException e) {
      // the state topic refused it: try again, or the stream would stay UPDATING
      LOG.warnf("Cannot publish the final end of %s yet (%s); trying again", ref, e.getMessage());
      settling.add(ref);
      retrySoon("settle " + ref, () -> settle(ref, closedMillis, end));
      return;
    }
    watch.streamChanged(ref.stream());
  }

  /** Whether this node's reshard outcome of the stream {@code name} shows is still to come back. */
  private boolean awaitsOutcome(String name) {
    Outcome outcome = outcomes.get(name);
    StreamMeta shown = streams.get(name);
    return outcome != null
        && shown != null
        && shown.createdMillis() == outcome.record().createdMillis();
  }

  private static boolean hasProvisionalEnds(StreamMeta meta) {
    return meta.shards().stream().anyMatch(Shard::endProvisional);
  }

  private void forgetRemoved(StreamMeta current, StreamMeta meta) {
    if (current == null || (meta != null && resharding.containsKey(current.name()))) {
      // A reshard this node carries out owns the stream's shards: a change made before its
      // outcome (this node's own, come back) lacks the new shards, whose logs exist already and
      // which the outcome, published again, routes to. Forgotten here, they took no records.
      return;
    }
    for (Shard s : current.shards()) {
      ShardRef ref = new ShardRef(current.name(), s.id());
      if ((meta == null || meta.shard(s.id()).isEmpty()) && engine.shards().contains(ref)) {
        engine.forgetShard(ref).join(); // the node that removed it deleted it in storage
      }
    }
  }

  private Shard openShard(StreamMeta meta, String shardId) {
    Shard s =
        meta.shard(shardId)
            .orElseThrow(
                () ->
                    StreamException.notFound(
                        "Could not find shard " + shardId + " in stream " + meta.name() + "."));
    if (!s.isOpen()) {
      throw StreamException.invalid("Shard " + shardId + " is closed.");
    }
    return s;
  }

  private void checkNewShards(int added) {
    // reshards under way count too while the stream shown lacks their new shards
    long pending = 0;
    for (Map.Entry<String, Integer> p : pendingShards.entrySet()) {
      Resharder plan = resharding.get(p.getKey());
      StreamMeta shown = streams.get(p.getKey());
      if (plan != null && shown != null && !plan.appliedTo(shown)) {
        pending += Math.max(0, p.getValue());
      }
    }
    if (openShardCount() + pending + added > limits.shardLimit()) { // ShardCount up to 2^31 - 1
      throw StreamException.limit(
          "This request would exceed the shard limit for the account ("
              + limits.shardLimit()
              + " shards).");
    }
  }

  private CompletableFuture<Void> update(String name, UnaryOperator<StreamMeta> change) {
    return edit(
        name,
        () -> {
          StreamMeta meta = require(name);
          if (meta.status() == StreamStatus.CREATING || meta.status() == StreamStatus.DELETING) {
            throw StreamException.inUse("Stream " + name + " is " + meta.status() + ".");
          }
          return Landings.Published.of(publish(change.apply(meta)));
        });
  }

  /**
   * Records a change, one version above anything this node has seen of the stream; returns the
   * record with its version.
   */
  private StreamMeta publish(StreamMeta meta) {
    StreamMeta current = streams.get(meta.name());
    long base =
        Math.max(
            Math.max(current == null ? 0 : current.version(), issued.getOrDefault(meta.name(), 0L)),
            Math.max(ordered.getOrDefault(meta.name(), 0L), local.getOrDefault(meta.name(), 0L)));
    StreamMeta next = meta.withVersion(base + 1);
    issued.put(next.name(), next.version());
    Map<String, StreamMeta> all = new LinkedHashMap<>(streams);
    all.put(next.name(), next);
    install(all, next.name());
    // only now: had the write been refused, other nodes' changes read meanwhile would have been
    // taken for older than this one and dropped, and the next change here made from a stale view
    local.put(next.name(), next.version());
    return next;
  }

  /**
   * This node's change lost, yet its record may be the key's last in the shared order: compaction
   * would keep it, and a node starting later would load the loser. Writing the winner again, one
   * version up, makes it last. Only the loser's own node does this, so winners do not race again,
   * and only if no record of the stream came after the lost one for {@link #LOST_REPUBLISH_MILLIS}:
   * a later record is last already (the winner's next change, or the lost change made again, {@link
   * Landings}), and writing a copy of the winner at once would tie with the winner's next change,
   * which could then lose to it.
   */
  private void republishWinner(StreamMeta lost) {
    String name = lost.name();
    lostLast.put(name, lost);
    try {
      thread.schedule(
          () ->
              guarded(
                  "republish " + name,
                  () -> {
                    if (lostLast.get(name) != lost) {
                      return;
                    }
                    lostLast.remove(name);
                    // only a settled winner: a change under way writes its next record anyway, and
                    // a copy of it could tie with that record and beat it
                    StreamMeta winner = streams.get(name);
                    if (winner != null
                        && winner.status() == StreamStatus.ACTIVE
                        && winner.version() == ordered.getOrDefault(name, -1L)) {
                      publish(winner);
                    }
                  }),
          LOST_REPUBLISH_MILLIS,
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      // the node is stopping: its next start loads and shows the winner
    }
  }

  /** Persists first: a change readers can see is a change that survives a crash. */
  private void install(Map<String, StreamMeta> next, String changed) {
    store.save(next.values(), changed);
    show(next);
  }

  private void show(Map<String, StreamMeta> next) {
    // Routers first: whoever sees the new stream state (a volatile read of streams) then sees
    // routers at least as new, so an ACTIVE stream always routes.
    routers = routersOf(next);
    streams = Collections.unmodifiableMap(next);
    endReshardsOfGone(next);
  }

  /**
   * Ends this node's reshards of streams no longer shown (deleted): one waiting for its next try
   * would hold the name's next change here (a creation again) until that try, up to a minute.
   */
  private void endReshardsOfGone(Map<String, StreamMeta> shown) {
    for (Map.Entry<String, Resharder> r : List.copyOf(resharding.entrySet())) {
      if (!shown.containsKey(r.getKey())) {
        reshardDone(r.getKey(), r.getValue());
      }
    }
  }

  private static Map<String, ShardRouter> routersOf(Map<String, StreamMeta> all) {
    Map<String, ShardRouter> out = new HashMap<>();
    for (StreamMeta m : all.values()) {
      if (m.status() == StreamStatus.ACTIVE || m.status() == StreamStatus.UPDATING) {
        out.put(m.name(), new ShardRouter(m.openShards(), m.createdMillis()));
      }
    }
    return out;
  }

  private <T> CompletableFuture<T> call(Callable<T> task) {
    CompletableFuture<T> result = new CompletableFuture<>();
    thread.execute(
        () -> {
          try {
            result.complete(task.call());
          } catch (Throwable e) {
            result.completeExceptionally(e);
          }
        });
    return result;
  }

  /**
   * Runs {@code step} again on the catalog's thread in {@link #SETTLE_RETRY_MILLIS}; not once the
   * catalog is closing, when the next start finishes what it would have.
   */
  private void retrySoon(String what, Runnable step) {
    try {
      thread.schedule(() -> guarded(what, step), SETTLE_RETRY_MILLIS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      LOG.debugf("Not trying %s again: the catalog is closing", what);
    }
  }

  private static void guarded(String what, Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      logFailure(what, e);
    }
  }

  private static Void logFailure(String what, Throwable e) {
    LOG.errorf(e, "Catalog task failed: %s", what);
    return null;
  }
}
