package dev.sluice.log.kafka;

import dev.sluice.log.AppendResult;
import dev.sluice.log.LogBusyException;
import dev.sluice.log.LogEngine;
import dev.sluice.log.LogException;
import dev.sluice.log.LogListener;
import dev.sluice.log.NewRecord;
import dev.sluice.log.ReadResult;
import dev.sluice.log.ShardNotFoundException;
import dev.sluice.log.ShardOffsets;
import dev.sluice.log.ShardRef;
import dev.sluice.log.ShardSealedException;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.jboss.logging.Logger;

/**
 * A {@link LogEngine} on a Kafka cluster.
 *
 * <p>Layout: stream {@code s} is topic {@code <prefix>s}; shard {@code shardId-N} is partition N of
 * it (shard ordinals are dense within a stream, so resharding adds partitions for the children); an
 * offset is the Kafka offset and a record's arrival time its timestamp. Topics are created with
 * {@code message.timestamp.type=LogAppendTime}, so arrival times are the broker's, and with Kafka's
 * own retention off: only {@link #trim} ({@code deleteRecords}) removes records. The partition key
 * is the record key, the data its value. Sealing is kept in memory only. A deleted shard whose
 * stream keeps other shards has its records deleted but its partition stays (Kafka cannot remove
 * one); the topic goes with the stream's last shard.
 *
 * <p>Several writers: other nodes may append to the same topics. Every {@link
 * KafkaLogOptions#refreshInterval} the engine fetches the end offsets of every partition it holds
 * (one request) and moves the cached ends forward, reporting the new records to the listener as
 * {@link LogListener#onRemoteAppend remote appends}; their last arrival time is approximated by the
 * time they were noticed. So another node's records become readable here within about one interval.
 * Creating a shard whose partition exists attaches to it; deleting one whose topic or records are
 * gone already succeeds. A seal is local: the node that seals asks the broker for the end offset
 * first, and a node that has not learned of the seal yet can still append after it. So the sealed
 * shard's end keeps following the broker for {@link KafkaLogOptions#sealGrace} from the first
 * {@link #finalEnd} call (made once the seal is in the shared node state) before it is fixed. A
 * record a node appended later than that lies past the end and is never read, so no node may
 * acknowledge one: the {@link WriteFence} fails appends while the node's view of the shared state
 * is more than half the grace old, or acknowledged more than half the grace after they were sent,
 * and {@link #fence} refuses them as soon as the node reads of the seal.
 *
 * <p>Durability: one shared idempotent producer with {@code acks=all}; an append completes once the
 * partition's in-sync replicas have it. With replication factor 1 (a single broker) that means the
 * broker's page cache, not its disk, unless the topics are created with {@code flush.messages=1}
 * ({@link KafkaLogOptions#flushEachRecord}).
 *
 * <p>Threads: appends and seals of a shard run on one of the {@code writerThreads} threads {@code
 * sluice-kafka-writer-N} (chosen by hashing the shard), which hand records to the producer in call
 * order; their futures complete on the producer's I/O thread. Reads and timestamp lookups run on
 * the {@code readerThreads} threads {@code sluice-kafka-reader-N}, each with its own consumer.
 * Creating, trimming and deleting shards run on the thread {@code sluice-kafka-admin}; refreshing
 * end offsets on {@code sluice-kafka-refresh}. No method blocks its caller.
 */
public final class KafkaLogEngine implements LogEngine {

  private enum State {
    NEW,
    RUNNING,
    CLOSED
  }

  private static final Logger LOG = Logger.getLogger(KafkaLogEngine.class);

  /** The longest wait between two last looks at a sealed shard's end. */
  private static final long LAST_LOOK_MAX_WAIT_MILLIS = 5_000;

  /** Unanswered last looks after which a warning says the end waits for the broker. */
  private static final int LAST_LOOK_WARN_AFTER = 5;

  private final KafkaLogOptions options;
  private final Clock clock;
  private final LogListener listener;
  private final TopicLayout layout;
  private final ConcurrentHashMap<ShardRef, ShardState> states = new ConcurrentHashMap<>();
  private final EngineThreads threads;
  private final AppendBudget budget = new AppendBudget();
  private KafkaProducer<byte[], byte[]> producer;
  private AppendSend appends;
  private final WriteFence fence;
  private TopicAdmin admin;
  private ShardAdmin shards;
  private EndRefresher refresher;
  private volatile State state = State.NEW;

  /** An engine on the cluster of {@code options}; it connects in {@link #start}. */
  public KafkaLogEngine(KafkaLogOptions options, Clock clock, LogListener listener) {
    this.options = options;
    this.clock = clock;
    this.listener = listener;
    this.layout = new TopicLayout(options.topicPrefix());
    this.threads = new EngineThreads(options);
    this.fence = new WriteFence(options.sealGrace());
  }

  /**
   * Fences appends by the age of this node's view of the shared node state (see {@link
   * WriteFence}).
   */
  @Override
  public void fenceWrites(LongSupplier viewAgeNanos) {
    fence.follow(viewAgeNanos);
  }

  /** Connects and loads the offsets of every partition of this engine's topics. */
  @Override
  public synchronized void start() {
    if (state != State.NEW) {
      throw new LogException("engine was started already");
    }
    try {
      admin = new TopicAdmin(KafkaClients.admin(options), options);
      shards = new ShardAdmin(admin, layout, states);
      shards.load();
      producer = KafkaClients.producer(options);
      appends = new AppendSend(producer, listener, fence);
      refresher = new EndRefresher(admin, states, clock, listener);
      threads.refreshEvery(options.refreshInterval(), refresher);
    } catch (RuntimeException e) {
      closeClients();
      throw e instanceof LogException l
          ? l
          : new LogException(
              "cannot open Kafka storage at " + options.connection() + ": " + e.getMessage(), e);
    }
    state = State.RUNNING;
  }

  @Override
  public Set<ShardRef> shards() {
    checkRunning();
    return Set.copyOf(states.keySet());
  }

  @Override
  public CompletableFuture<Void> createShard(ShardRef shard) {
    return onAdmin(
        () -> {
          shards.create(shard);
          return null;
        });
  }

  /**
   * Kafka refuses a topic whose name equals an existing one's once '.' and '_' are taken for one
   * character (their metric names would be the same); the cluster's other topics count too.
   */
  @Override
  public String nameClash(String name, Collection<String> existing) {
    String topic = layout.topic(name);
    for (String other : existing) {
      if (!other.equals(name) && collide(topic, layout.topic(other))) {
        return "Stream " + name + " cannot be stored beside stream " + other + ": " + why(topic);
      }
    }
    for (String other : onAdmin(admin::topics).join()) {
      if (!other.equals(topic) && collide(topic, other)) {
        return "Stream "
            + name
            + " cannot be stored beside Kafka topic "
            + other
            + ": "
            + why(topic);
      }
    }
    return null;
  }

  private static boolean collide(String a, String b) {
    return a.replace('.', '_').equals(b.replace('.', '_'));
  }

  private static String why(String topic) {
    return "its topic "
        + topic
        + " would collide with it, as Kafka does not tell '.' from '_' in topic names";
  }

  @Override
  public CompletableFuture<AppendResult> append(ShardRef shard, List<NewRecord> records) {
    try {
      ShardState s = state(shard);
      ShardOffsets o = s.offsets();
      if (o.sealed()) {
        throw new ShardSealedException(shard);
      }
      if (records.isEmpty()) {
        long arrival = Math.max(clock.millis(), o.lastArrivalMillis());
        return CompletableFuture.completedFuture(new AppendResult(o.endOffset(), 0, arrival));
      }
      List<NewRecord> copy = List.copyOf(records);
      long bytes = copy.stream().mapToLong(NewRecord::size).sum();
      if (!budget.admit(s, bytes)) {
        throw new LogBusyException(
            "shard "
                + shard
                + " has "
                + s.unacknowledged.get()
                + " bytes of appends ("
                + budget.total()
                + " on this node) not acknowledged by Kafka yet; try again later");
      }
      CompletableFuture<AppendResult> result = new CompletableFuture<>();
      result.whenComplete((r, e) -> budget.release(s, bytes));
      try {
        threads.writer(shard).execute(() -> appends.send(s, copy, result));
      } catch (RejectedExecutionException e) {
        result.completeExceptionally(closed());
      }
      return result;
    } catch (LogException e) {
      return CompletableFuture.failedFuture(e);
    } catch (NullPointerException e) {
      return CompletableFuture.failedFuture(new LogException("null record in append", e));
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(closed());
    }
  }

  @Override
  public CompletableFuture<ReadResult> read(
      ShardRef shard, long fromOffset, int maxRecords, long maxBytes) {
    return onReader(shard, (r, s) -> r.read(s, fromOffset, maxRecords, maxBytes));
  }

  @Override
  public CompletableFuture<Long> offsetForTimestamp(ShardRef shard, long timestampMillis) {
    // the end first: the cached one may lag other nodes' appends, all older than the time
    return currentOffsets(shard)
        .thenCompose(o -> onReader(shard, (r, s) -> r.offsetForTimestamp(s, timestampMillis)));
  }

  @Override
  public ShardOffsets offsets(ShardRef shard) {
    return state(shard).offsets();
  }

  /**
   * Asks the broker for the end now, rather than waiting for the next refresh round; fails with a
   * {@link dev.sluice.log.LogBusyException} when it does not answer, rather than give a stale end.
   */
  @Override
  public CompletableFuture<ShardOffsets> currentOffsets(ShardRef shard) {
    try {
      ShardState s = state(shard);
      return refresher.confirm(List.of(s)).thenApply(v -> s.offsets());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Long> seal(ShardRef shard) {
    try {
      ShardState s = state(shard);
      CompletableFuture<Long> result = new CompletableFuture<>();
      threads
          .writer(shard)
          .execute(
              () -> {
                if (s.isSealed()) {
                  result.complete(s.offsets().endOffset()); // sealed before: nothing changes
                  return;
                }
                s.seal();
                // the appends queued before the seal decide the end offset, and so do other
                // nodes' appends acknowledged by now: ask the broker rather than wait for a round
                s.tail.whenComplete((v, e) -> sealedEnd(s, result));
              });
      return result;
    } catch (LogException e) {
      return CompletableFuture.failedFuture(e);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(closed());
    }
  }

  /**
   * Completes the seal with the end the broker reports now. The end keeps following the broker
   * until the grace that {@link #finalEnd} starts has passed: another node appends to the shard
   * until it learns of the reshard, and its records must not end up past the end.
   */
  private void sealedEnd(ShardState s, CompletableFuture<Long> result) {
    refresher
        .ask(List.of(s))
        .whenComplete(
            (v, e) -> {
              if (sealsAtOnce()) {
                finish(s);
              }
              result.complete(s.offsets().endOffset());
            });
  }

  private void graceThenFinish(ShardState s) {
    try {
      threads.after(options.sealGrace(), () -> lastLook(s, 0));
    } catch (RejectedExecutionException e) {
      finish(s); // closing: the end is what it is now
    }
  }

  /**
   * Asks the broker for the end once more before fixing it, again while that fails, backing off up
   * to 5 s, for as long as it takes: a stale end would cut off records acknowledged within the
   * grace, and a reshard waiting for the end is better than a record never read. A shard deleted or
   * forgotten meanwhile, or an engine closing, ends the wait without an end.
   */
  private void lastLook(ShardState s, int failed) {
    refresher
        .confirm(List.of(s))
        .whenComplete(
            (v, e) -> {
              if (e == null) {
                finish(s);
              } else if (s.isDeleted()) {
                s.finalEnd.completeExceptionally(new ShardNotFoundException(s.ref));
              } else {
                askAgain(s, failed + 1, e);
              }
            });
  }

  private void askAgain(ShardState s, int failed, Throwable why) {
    if (failed == LAST_LOOK_WARN_AFTER) {
      LOG.warnf(
          "The end of sealed shard %s cannot be confirmed (%s); it is fixed once the broker"
              + " answers",
          s.ref, why.getMessage());
    }
    long wait =
        Math.min(
            options.refreshInterval().toMillis() << Math.min(failed, 10),
            LAST_LOOK_MAX_WAIT_MILLIS);
    try {
      threads.after(java.time.Duration.ofMillis(wait), () -> lastLook(s, failed));
    } catch (RejectedExecutionException closing) {
      s.finalEnd.completeExceptionally(closed());
    }
  }

  private static void finish(ShardState s) {
    s.freeze();
    s.finalEnd.complete(s.offsets().endOffset());
  }

  @Override
  public void fence(ShardRef shard) {
    ShardState s = states.get(shard);
    if (s != null) {
      s.fence();
    }
  }

  @Override
  public void unfence(ShardRef shard) {
    ShardState s = states.get(shard);
    if (s != null) {
      s.unfence();
    }
  }

  @Override
  public void settledAt(ShardRef shard, long endOffset) {
    ShardState s = states.get(shard);
    if (s != null && s.isSealed()) {
      s.settledAt(endOffset);
    }
  }

  @Override
  public boolean sealsAtOnce() {
    return options.sealGrace().isZero();
  }

  /**
   * Completes once the shard's seal is final: the grace period starts with the first call, which
   * must come after the seal and once other nodes can learn of it.
   */
  @Override
  public CompletableFuture<Long> finalEnd(ShardRef shard) {
    try {
      ShardState s = state(shard);
      if (!s.isSealed()) {
        return CompletableFuture.failedFuture(
            new LogException("shard " + shard + " is not sealed"));
      }
      if (!sealsAtOnce() && s.startGrace()) {
        graceThenFinish(s);
      }
      return s.finalEnd.copy();
    } catch (LogException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Long> trim(ShardRef shard, long cutoffMillis) {
    return onAdmin(() -> shards.trim(state(shard), cutoffMillis));
  }

  @Override
  public CompletableFuture<Void> deleteShard(ShardRef shard) {
    return onAdmin(
        () -> {
          shards.delete(state(shard));
          return null;
        });
  }

  /** Deletes the shard's records and forgets it; the stream's topic stays. */
  @Override
  public CompletableFuture<Void> deleteExpiredShard(ShardRef shard) {
    return onAdmin(
        () -> {
          shards.deleteRecords(state(shard));
          return null;
        });
  }

  /** Forgets the shard's state; its topic is left to the node that deleted the stream. */
  @Override
  public CompletableFuture<Void> forgetShard(ShardRef shard) {
    return onAdmin(
        () -> {
          shards.forget(state(shard));
          return null;
        });
  }

  /** Waits for appends handed to the producer, then closes the clients and stops the threads. */
  @Override
  public synchronized void close() {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    try {
      threads.stop();
    } finally {
      // a seal whose grace had not passed stays unsettled here; another node settles it
      states.values().forEach(st -> st.finalEnd.completeExceptionally(closed()));
      closeClients();
    }
  }

  private void closeClients() {
    if (producer != null) {
      producer.close(java.time.Duration.ofSeconds(30));
    }
    if (admin != null) {
      admin.close();
    }
  }

  // ---- plumbing ----

  private <T> CompletableFuture<T> onAdmin(java.util.concurrent.Callable<T> action) {
    try {
      checkRunning();
      return threads.onAdmin(action);
    } catch (LogException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private <T> CompletableFuture<T> onReader(ShardRef shard, EngineThreads.ReadAction<T> action) {
    try {
      ShardState s = state(shard);
      return threads.onReader(r -> action.run(r, s));
    } catch (LogException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private ShardState state(ShardRef shard) {
    checkRunning();
    ShardState s = states.get(shard);
    if (s == null) {
      throw new ShardNotFoundException(shard);
    }
    return s;
  }

  private void checkRunning() {
    if (state != State.RUNNING) {
      throw state == State.NEW ? new LogException("engine not started") : closed();
    }
  }

  static LogException closed() {
    return new LogException("engine is closed");
  }

  static LogException wrap(Throwable e) {
    if (e instanceof java.util.concurrent.CompletionException c && c.getCause() != null) {
      e = c.getCause();
    }
    return e instanceof LogException l ? l : new LogException("Kafka storage failed: " + e, e);
  }
}
