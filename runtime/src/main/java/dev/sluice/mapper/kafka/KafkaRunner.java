package dev.sluice.mapper.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.checkpoint.Checkpoint;
import dev.sluice.mapper.Drain;
import dev.sluice.mapper.GroupPosition;
import dev.sluice.mapper.GroupProgress;
import dev.sluice.mapper.MappingConfig;
import dev.sluice.mapper.RunTotals;
import dev.sluice.mapper.SourceRunner;
import dev.sluice.mapper.SourceStats;
import dev.sluice.mapper.StartingPosition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

/**
 * Runs one enabled SelfManagedKafka mapping: a {@link KafkaConsumer} in the mapping's consumer
 * group, on a thread of its own (the consumer is not thread-safe, and its calls block). The poll
 * loop hands batches to the invoke path and keeps polling while functions run, so the group
 * membership stays alive; results come back through an inbox the loop drains. Offsets are committed
 * (the next offset per partition) only past records whose invocation succeeded, that were filtered
 * out, or that were deliberately skipped to OnFailure.
 */
public final class KafkaRunner implements SourceRunner, BatchFlow.Progress {

  private static final Logger LOG = Logger.getLogger(KafkaRunner.class);
  private static final long IDLE_POLL_MILLIS = 200;
  private static final long PROGRESS_REPORT_MILLIS = 1_000;
  private static final Duration END_OFFSETS_TIMEOUT = Duration.ofMillis(200);

  /** After a failed ask for the paused partitions' ends, the next waits this long. */
  private static final long END_OFFSETS_BACKOFF_MILLIS = 30_000;

  static final int SESSION_TIMEOUT_MILLIS = 10_000;

  /**
   * What a revocation may take past its drain: the commit of what it finished (5 s at most), with
   * room to spare.
   */
  private static final long REVOKE_MARGIN_MILLIS = 30_000;

  /**
   * Finished batches are committed together at most this often: a synchronous commit per batch held
   * the poll loop for a broker round trip every time. Only the lag grows; nothing is committed past
   * a record that is not done.
   */
  private static final long COMMIT_INTERVAL_NANOS = 10_000_000;

  /**
   * The longest a synchronous commit or the consumer's close waits for the brokers (the client's
   * defaults are 60 s and 30 s): a mapping disabled or deleted while its cluster is down stops in
   * seconds, and a commit that timed out is made again by the next loop or owner.
   */
  private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(5);

  /** The most fetched records (as JSON bounds) a mapping keeps queued over all its partitions. */
  static final long MAX_QUEUED_BOUNDS = 256L * 1024 * 1024;

  private final MappingConfig config;
  private final KafkaDeps deps;
  private final KafkaFailures failures;
  private final BatchFlow flow;

  /** Which fetched records the filter criteria keep; null for all. */
  private final Predicate<ConsumerRecord<byte[], byte[]>> keep;

  private final GroupProgress group;
  private final ConcurrentLinkedQueue<Runnable> inbox = new ConcurrentLinkedQueue<>();
  private final Map<TopicPartition, PartitionWork> works = new HashMap<>();

  /** Where a LATEST mapping's partitions without an offset start; what its commits carry. */
  private final LatestStart latest = new LatestStart();

  private final Map<String, Checkpoint> checkpoints = new ConcurrentHashMap<>();
  private final SourceStats stats;
  private final RunTotals totals;
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  private volatile boolean stopped;

  /** Whether the loop waits in poll: a result posted meanwhile wakes it. */
  private volatile boolean polling;

  private long lastCommitNanos;

  /** Asynchronous commits whose answer has not come yet; only the poll thread counts them. */
  private int commitsInFlight;

  /**
   * When the running consumer must be in its group by (clock millis), or -1 once it joined or the
   * problem was reported; only the poll thread uses it.
   */
  private long joinDeadline = -1;

  /** When {@link #reportProgress} looks next (the mapper's clock); the poll thread's own. */
  private long nextProgressReport;

  /** When paused partitions' ends may be asked for again after a failure; the poll thread's. */
  private long endsRetryAt;

  /**
   * Consumer failures since its consumer last joined the group, for the backoff before the next
   * start: an outage days after the last one starts from the shortest wait again. Runner thread.
   */
  private int failuresInARow;

  /**
   * A runner for {@code config} (a mapping with a Kafka source).
   *
   * @param filter the compiled FilterCriteria over {@link KafkaEvents#filterView}, or null
   */
  public KafkaRunner(
      MappingConfig config,
      KafkaDeps deps,
      Predicate<JsonNode> filter,
      RunTotals totals,
      SourceStats stats) {
    this.config = config;
    this.deps = deps;
    this.totals = totals;
    this.stats = stats;
    KafkaEvents events = new KafkaEvents(config.kafka().bootstrapServers());
    this.failures = new KafkaFailures(config, deps, events);
    this.flow = new BatchFlow(config, deps, events, failures, filter, this::post, this);
    this.keep = flow.keep();
    String topic = config.kafka().topic();
    this.group =
        new GroupProgress(
            config.uuid(),
            () ->
                Admin.create(
                    KafkaClientProps.admin(
                        config.kafka(),
                        "sluice-" + config.uuid() + "-progress",
                        GroupProgress.TIMEOUT_MILLIS)),
            config.kafka().consumerGroupId(),
            topic,
            p -> topic + "-" + p,
            committed -> true);
  }

  /** Whether a Kafka mapping can send failure records to {@code destination}. */
  public static boolean acceptsOnFailure(String destination, dev.sluice.stream.Arns arns) {
    return KafkaFailures.accepts(destination, arns);
  }

  @Override
  public void start() {
    TopicRetention.lookUp(config.uuid(), config.kafka(), stats);
    Thread t = new Thread(this::run, "kafka-esm-" + config.uuid());
    t.setDaemon(true);
    t.start();
  }

  /** Stops polling; completes once the offsets done so far are committed and the consumer left. */
  @Override
  public CompletableFuture<Void> stop() {
    stopped = true;
    group.close();
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    return done;
  }

  /**
   * Hands {@code task} to the poll loop and wakes it if it waits in poll, so that a finished batch
   * is committed and followed by the next at once. The loop tells such a wakeup from stop() by the
   * stopped flag.
   */
  private void post(Runnable task) {
    inbox.add(task);
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (polling && c != null) {
      c.wakeup();
    }
  }

  @Override
  public Map<String, Checkpoint> checkpoints() {
    return Map.copyOf(checkpoints);
  }

  @Override
  public Map<String, GroupPosition> groupPositions() {
    return group.positions();
  }

  @Override
  public void processed(int records, String lastProcessingResult) {
    totals.processed(records, lastProcessingResult);
  }

  @Override
  public boolean current(PartitionWork work) {
    return works.get(work.tp) == work;
  }

  private void run() {
    try {
      while (!stopped) {
        try {
          consume();
        } catch (WakeupException e) {
          // stop() woke the consumer
        } catch (RuntimeException | Error e) {
          // an Error too (a LinkageError from a SASL or TLS class, say): thrown on, it would end
          // this thread, and with it the mapping, which would still read as Enabled
          failuresInARow++;
          LOG.warnf(e, "Mapping %s: the Kafka consumer failed; starting it again", config.uuid());
          totals.connectionProblem("PROBLEM: Kafka consumer failed: " + e.getMessage());
          pause(deps.backoffMillis(failuresInARow));
        }
      }
    } finally {
      try {
        failures.close();
      } catch (RuntimeException e) { // an interrupt, say: the stop must still complete
        LOG.debugf(e, "Mapping %s: the failure destination did not close cleanly", config.uuid());
      } finally {
        done.complete(null);
      }
    }
  }

  private void consume() {
    KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(
            props(config), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    try {
      consumer = c;
      works.clear();
      commitsInFlight = 0; // a closed consumer's answers do not come
      c.subscribe(List.of(config.kafka().topic()), new Rebalance());
      joinDeadline = deps.clock().millis() + deps.joinTimeout().toMillis();
      try {
        while (!stopped) {
          step(c);
        }
      } catch (WakeupException e) {
        // stopping
      } finally {
        drainQuietly(c);
        commitQuietly(c);
        works.values().forEach(w -> w.stats.stopped());
      }
    } finally {
      consumer = null;
      closeQuietly(c);
    }
  }

  /**
   * Leaves the group; with the brokers gone, gives up after a while instead of the default 30 s.
   */
  private void closeQuietly(KafkaConsumer<byte[], byte[]> c) {
    try {
      c.close(SYNC_TIMEOUT);
    } catch (RuntimeException e) {
      LOG.debugf(e, "Mapping %s: the consumer did not close cleanly", config.uuid());
    }
  }

  /** The consumer settings of {@code config}'s mapping. */
  static Properties props(MappingConfig config) {
    Properties p = KafkaClientProps.of(config.kafka());
    p.put("group.id", config.kafka().consumerGroupId());
    p.put("client.id", "sluice-" + config.uuid());
    p.put("enable.auto.commit", "false");
    // not "latest" for a LATEST mapping: the consumer resets that way whenever it has no valid
    // offset, so a committed offset that retention overtook, or a partition added to the topic
    // later, would skip records still in the log; the mapping's first start seeks to the end itself
    p.put("auto.offset.reset", "earliest");
    // a mapping naming a topic that is not there must not make it (brokers auto-create by default)
    p.put("allow.auto.create.topics", "false");
    p.putAll(FetchSettings.of());
    // Incremental rebalancing: a node joining or leaving takes from the others only the
    // partitions that move. With the default (eager) protocol every member gave up all of them,
    // waiting for their batches in flight, and the ones it got back started over: records fetched
    // again and a failing batch's retries counted from zero. Members of the default list (range
    // first, cooperative-sticky second), as nodes of earlier versions are, agree on this one.
    p.put("partition.assignment.strategy", CooperativeStickyAssignor.class.getName());
    // Several Sluice nodes run the mapping as members of its group: a killed node's partitions
    // move to the others after this, not after the client's default 45 s.
    p.put("session.timeout.ms", String.valueOf(SESSION_TIMEOUT_MILLIS));
    p.put("heartbeat.interval.ms", String.valueOf(SESSION_TIMEOUT_MILLIS / 3));
    // the rebalance timeout: a revocation waits for its batches in flight inside poll, as long as
    // the function's timeout asks, and the group must wait for this member meanwhile instead of
    // dropping it after the client's default 5 minutes (a function may run for 15)
    p.put(
        "max.poll.interval.ms", String.valueOf(Drain.longest().toMillis() + REVOKE_MARGIN_MILLIS));
    return p;
  }

  private void step(KafkaConsumer<byte[], byte[]> c) {
    runInbox();
    if (stopped) {
      return; // no new batch once stop() is called: the drain would wait for it
    }
    long now = deps.clock().millis();
    long wait = IDLE_POLL_MILLIS;
    for (PartitionWork w : works.values()) {
      for (PartitionWork.Lane lane : w.lanes) {
        flow.dispatch(w, lane, now);
        wait = Math.min(wait, flow.due(lane, now));
      }
    }
    wait = Math.min(wait, commitSoon(c));
    pauseOrResume(c);
    long at = deps.clock().millis();
    ConsumerRecords<byte[], byte[]> fetched = poll(c, Math.max(0, wait));
    for (TopicPartition tp : fetched.partitions()) {
      PartitionWork w = works.get(tp);
      if (w != null) {
        w.add(fetched.records(tp), at, keep);
      }
    }
    reportIfNotJoined();
    reportProgress(c);
  }

  /**
   * Once a second at most: each partition's offset lag and oldest record not done, and the stuck
   * watch's log lines. The log's end comes from the consumer's last fetch, which costs nothing,
   * except for paused partitions: nothing fetches them, so their end is asked of the broker.
   */
  private void reportProgress(KafkaConsumer<byte[], byte[]> c) {
    long now = deps.clock().millis();
    if (now < nextProgressReport) {
      return;
    }
    nextProgressReport = now + PROGRESS_REPORT_MILLIS;
    Map<TopicPartition, Long> pausedEnds = pausedEnds(c);
    for (PartitionWork w : works.values()) {
      if (w.stats == null) {
        continue;
      }
      Long end = pausedEnds.get(w.tp);
      if (end != null) {
        w.reportProgress(end);
      } else if (!w.paused) {
        OptionalLong lag = c.currentLag(w.tp);
        w.reportProgress(lag.isPresent() ? w.fetchedEnd() + lag.getAsLong() : -1);
      } else {
        w.reportProgress(-1);
      }
    }
    stats.watch();
  }

  /** The log ends of the paused partitions, or none when the broker does not tell in time. */
  private Map<TopicPartition, Long> pausedEnds(KafkaConsumer<byte[], byte[]> c) {
    List<TopicPartition> paused = new ArrayList<>();
    works
        .values()
        .forEach(
            w -> {
              if (w.paused) {
                paused.add(w.tp);
              }
            });
    long now = deps.clock().millis();
    if (paused.isEmpty() || now < endsRetryAt) {
      return Map.of();
    }
    try {
      return c.endOffsets(paused, END_OFFSETS_TIMEOUT);
    } catch (WakeupException e) {
      if (stopped) {
        throw e;
      }
      return Map.of(); // a result arrived: the loop takes it next, the lag waits a second
    } catch (KafkaException e) {
      // a slow broker must not hold the poll loop every second: the lag waits meanwhile
      endsRetryAt = now + END_OFFSETS_BACKOFF_MILLIS;
      LOG.debugf("Mapping %s: no log ends for the lag (%s)", config.uuid(), e.toString());
      return Map.of();
    }
  }

  /**
   * kafka-clients retries unreachable brokers, and a TLS client on a plaintext listener, for ever
   * without an error; a consumer still outside its group after the join timeout is the sign.
   */
  private void reportIfNotJoined() {
    if (joinDeadline < 0 || deps.clock().millis() < joinDeadline) {
      return;
    }
    joinDeadline = -1;
    totals.connectionProblem(
        "PROBLEM: Connection error. The consumer has not joined group "
            + config.kafka().consumerGroupId()
            + " at "
            + String.join(",", config.kafka().bootstrapServers())
            + " within "
            + deps.joinTimeout().toSeconds()
            + " s: check the bootstrap servers and SourceAccessConfigurations (SASL and client"
            + " certificates connect with TLS, as on Lambda).");
  }

  /**
   * The consumer is in its group: a connection problem or consumer failure reported before, by this
   * runner or an earlier one of the mapping, is over.
   */
  private void joined() {
    joinDeadline = -1;
    failuresInARow = 0;
    totals.connected();
  }

  /**
   * Polls for up to {@code wait} ms, or until a result is posted. The flag is raised before the
   * inbox is looked at and post() adds before it looks at the flag, so a result is either seen here
   * or wakes the poll.
   */
  private ConsumerRecords<byte[], byte[]> poll(KafkaConsumer<byte[], byte[]> c, long wait) {
    polling = true;
    try {
      return c.poll(Duration.ofMillis(inbox.isEmpty() ? wait : 0));
    } catch (WakeupException e) {
      if (stopped) {
        throw e;
      }
      return ConsumerRecords.empty(); // a result arrived; a woken poll returns no records
    } finally {
      polling = false;
    }
  }

  /**
   * Runs a blocking consumer call again when a result's wakeup (not stop()) interrupted it: a
   * wakeup can land just after poll returned, or while a rebalance callback runs inside poll.
   */
  private <T> T unwoken(Supplier<T> call) {
    while (true) {
      try {
        return call.get();
      } catch (WakeupException e) {
        if (stopped) {
          throw e;
        }
      }
    }
  }

  /** Back-pressure: a partition with enough records waiting is not fetched until they are done. */
  private void pauseOrResume(KafkaConsumer<byte[], byte[]> c) {
    int limit = config.batchSize() * config.parallelizationFactor() * 2;
    long queued = 0;
    for (PartitionWork w : works.values()) {
      queued += w.queuedBounds();
    }
    // partitions with nothing queued keep fetching, so that none starves behind the others
    boolean overBudget = queued >= MAX_QUEUED_BOUNDS;
    for (PartitionWork w : works.values()) {
      boolean full = w.full(limit, overBudget);
      if (full && !w.paused) {
        c.pause(List.of(w.tp));
      } else if (!full && w.paused) {
        c.resume(List.of(w.tp));
      }
      w.paused = full;
    }
  }

  /**
   * Commits what is done unless the last commit was less than the interval ago or is still under
   * way; returns the milliseconds until the loop should look again, so that the poll wakes for it.
   */
  private long commitSoon(KafkaConsumer<byte[], byte[]> c) {
    if (!commitDue()) {
      return Long.MAX_VALUE;
    }
    long left = lastCommitNanos + COMMIT_INTERVAL_NANOS - System.nanoTime();
    if (commitsInFlight > 0) {
      // its answer is handled inside a poll, which does not return for it: look again in a while
      return Math.max(left, COMMIT_INTERVAL_NANOS) / 1_000_000;
    }
    if (left > 0) {
      return (left + 999_999) / 1_000_000;
    }
    commitAsync(c);
    lastCommitNanos = System.nanoTime();
    return COMMIT_INTERVAL_NANOS / 1_000_000;
  }

  private boolean commitDue() {
    for (PartitionWork w : works.values()) {
      if (w.commitPoint() > w.committed) {
        return true;
      }
    }
    return false;
  }

  /**
   * Commits without waiting for the broker: a synchronous commit held the poll loop, and so every
   * partition's next batch, for a round trip each time. The offsets are the ones a synchronous
   * commit would send; the callback, which the consumer runs inside a later poll, records them. One
   * commit is in flight at a time, so that answers cannot overtake each other.
   */
  private void commitAsync(KafkaConsumer<byte[], byte[]> c) {
    Map<TopicPartition, OffsetAndMetadata> due = dueOffsets(works.values());
    Map<TopicPartition, PartitionWork> sent = new HashMap<>();
    Map<TopicPartition, Integer> marks = new HashMap<>();
    for (TopicPartition tp : due.keySet()) {
      PartitionWork w = works.get(tp);
      sent.put(tp, w);
      marks.put(tp, w.commitMark());
    }
    commitsInFlight++;
    try {
      c.commitAsync(
          due,
          (offsets, e) -> {
            commitsInFlight--;
            if (e != null) {
              // a rebalance in progress, or the broker unreachable: a later turn commits again
              LOG.debugf(e, "Mapping %s: commit failed; retrying", config.uuid());
              return;
            }
            sent.forEach((tp, w) -> committed(w, due.get(tp).offset(), marks.get(tp)));
          });
    } catch (RuntimeException e) {
      commitsInFlight--; // no answer comes for a commit that was not sent
      throw e;
    }
  }

  /** Commits what is done and waits for it: before partitions leave, and when the consumer does. */
  private void commit(KafkaConsumer<byte[], byte[]> c, Collection<PartitionWork> which) {
    Map<TopicPartition, OffsetAndMetadata> due = dueOffsets(which);
    if (due.isEmpty()) {
      return;
    }
    try {
      unwoken(
          () -> {
            c.commitSync(due, SYNC_TIMEOUT);
            return null;
          });
    } catch (WakeupException e) {
      throw e;
    } catch (RuntimeException e) {
      // a rebalance in progress, or the broker unreachable: the next loop commits again
      LOG.debugf(e, "Mapping %s: commit failed; retrying", config.uuid());
      return;
    }
    for (PartitionWork w : which) {
      OffsetAndMetadata o = due.get(w.tp);
      if (o != null) {
        committed(w, o.offset(), w.commitMark());
      }
    }
  }

  private Map<TopicPartition, OffsetAndMetadata> dueOffsets(Collection<PartitionWork> which) {
    Map<TopicPartition, OffsetAndMetadata> due = new HashMap<>();
    for (PartitionWork w : which) {
      if (w.commitPoint() > w.committed) {
        due.put(w.tp, new OffsetAndMetadata(w.commitPoint(), latest.metadata()));
      }
    }
    return due;
  }

  /**
   * Records an offset the broker accepted, unless its partition left meanwhile, a later commit went
   * further (an asynchronous commit's answer can come after a synchronous commit's), or the
   * consumer went back since it was sent ({@code mark}).
   */
  private void committed(PartitionWork w, long offset, int mark) {
    if (works.get(w.tp) != w || !w.accepted(offset, mark)) {
      return;
    }
    w.stats.committed(offset);
    checkpoints.put(w.name, new Checkpoint(offset, false));
  }

  /**
   * When stopping (within {@link Drain#onStop}), or when the consumer failed and starts again
   * (within {@link Drain#of}), waits for the batches in flight to be answered, starting no new one
   * and fetching nothing, so that their offsets are committed and the next consumer does not
   * deliver them again while they still run (a key's next batch would then overtake them). The
   * group membership stays alive meanwhile while the consumer still polls; a revocation inside poll
   * commits and drops partitions as usual.
   */
  private void drainQuietly(KafkaConsumer<byte[], byte[]> c) {
    if (!busy(works.values())) {
      return;
    }
    DrainEnds ends = drainEnds();
    boolean polling = pauseAll(c);
    while (!ends.passed(stopped)) {
      runInbox();
      if (!busy(works.values())) {
        return;
      }
      polling = polling && pollPaused(c);
      if (!polling) {
        LockSupport.parkNanos(1_000_000); // results reach the inbox; no poll here to wake
      }
    }
  }

  /** Pauses every assigned partition; false when the consumer cannot (it failed). */
  private boolean pauseAll(KafkaConsumer<byte[], byte[]> c) {
    try {
      c.pause(c.assignment());
      return true;
    } catch (RuntimeException e) {
      LOG.debugf(e, "Mapping %s: cannot pause the consumer; draining without it", config.uuid());
      return false;
    }
  }

  /**
   * Polls the paused consumer, which keeps its membership; false once it fails: the batches in
   * flight are still waited for, as their answers need no consumer until the commit.
   */
  private boolean pollPaused(KafkaConsumer<byte[], byte[]> c) {
    try {
      c.poll(Duration.ofMillis(20));
      return true;
    } catch (WakeupException e) {
      return true; // a late wakeup from stop(): go on draining
    } catch (RuntimeException e) {
      LOG.debugf(e, "Mapping %s: the consumer failed while draining", config.uuid());
      return false;
    }
  }

  /**
   * When a rebalance takes partitions away, waits (within {@link Drain#of}, or {@link Drain#onStop}
   * once the runner is stopping) for their batches in flight, so that their offsets are committed
   * before the next owner starts from them instead of delivering them again while they still run,
   * which would break the order of their keys. It runs inside poll: the consumer's heartbeat thread
   * keeps the membership, and the group's rebalance waits for this member meanwhile (the other
   * members go on with the partitions they keep).
   */
  private void awaitInFlight(Collection<PartitionWork> leaving) {
    // also while stopping: a revocation inside the stop's draining poll drops the partitions, and
    // the drain then finds nothing busy; the consumer's close revokes with no consumer set
    DrainEnds ends = drainEnds();
    while (busy(leaving) && !ends.passed(stopped)) {
      runInbox();
      if (busy(leaving)) {
        LockSupport.parkNanos(1_000_000); // results reach the inbox; no poll here to wake
      }
    }
  }

  /** When a drain begun now gives up: after the function's whole drain, or a stop's cap. */
  private record DrainEnds(long whole, long capped) {

    /** Whether the end that applies has passed; {@code stopping} may change during the drain. */
    boolean passed(boolean stopping) {
      return System.nanoTime() >= (stopping ? capped : whole);
    }
  }

  private DrainEnds drainEnds() {
    long start = System.nanoTime();
    return new DrainEnds(
        start + Drain.of(deps.functions(), config.functionName()).toNanos(),
        start + Drain.onStop(deps.functions(), config.functionName()).toNanos());
  }

  private void runInbox() {
    for (Runnable r; (r = inbox.poll()) != null; ) {
      r.run();
    }
  }

  private static boolean busy(Collection<PartitionWork> which) {
    for (PartitionWork w : which) {
      for (PartitionWork.Lane lane : w.lanes) {
        if (lane.busy) {
          return true;
        }
      }
    }
    return false;
  }

  private void commitQuietly(KafkaConsumer<byte[], byte[]> c) {
    for (int i = 0; i < 2; i++) {
      try {
        commit(c, works.values());
        return;
      } catch (WakeupException e) {
        // a wakeup left from stop(): it is cleared now, so commit once more
      } catch (RuntimeException e) {
        LOG.warnf(e, "Mapping %s: final commit failed", config.uuid());
        return;
      }
    }
  }

  /** Waits before the consumer starts again; a stop() meanwhile ends the wait early. */
  private void pause(long millis) {
    long until = System.nanoTime() + millis * 1_000_000;
    try {
      while (!stopped && System.nanoTime() < until) {
        Thread.sleep(Math.min(50, millis));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopped = true;
    }
  }

  /** Keeps the partitions' work in step with the group's assignment; runs inside poll. */
  private final class Rebalance implements ConsumerRebalanceListener {

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      KafkaConsumer<byte[], byte[]> c = consumer;
      List<PartitionWork> leaving =
          partitions.stream().map(works::get).filter(w -> w != null).toList();
      try {
        if (c != null) {
          awaitInFlight(leaving); // one still running after that is run again by the next owner
          commitRevoked(c, leaving);
        }
      } finally {
        // also when stop() woke the commit: the stop's drain would wait for them again, and its
        // final commit would be for partitions another member owns by then
        forget(partitions);
      }
    }

    /**
     * Commits what the leaving partitions completed. A stop's wakeup (or a late result's) may hit
     * the commit: each is one-shot, so committing again goes through; else the partitions were
     * forgotten uncommitted, and their next owner ran their completed records again.
     */
    private void commitRevoked(KafkaConsumer<byte[], byte[]> c, List<PartitionWork> leaving) {
      for (int attempt = 1; ; attempt++) {
        try {
          commit(c, leaving);
          return;
        } catch (WakeupException e) {
          if (attempt == 3) {
            throw e;
          }
        }
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      forget(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      joined();
      KafkaConsumer<byte[], byte[]> c = consumer;
      Map<TopicPartition, OffsetAndMetadata> committed =
          unwoken(() -> c.committed(new HashSet<>(partitions)));
      List<TopicPartition> fresh =
          partitions.stream().filter(tp -> committed.get(tp) == null).toList();
      if (config.startingPosition() == StartingPosition.AT_TIMESTAMP) {
        seekToTimestamp(c, fresh);
      } else if (config.startingPosition() == StartingPosition.LATEST) {
        List<TopicPartition> toEnd = latest.toEnd(committed, fresh, () -> wholeTopic(c));
        if (!toEnd.isEmpty()) {
          c.seekToEnd(toEnd);
        }
      }
      for (TopicPartition tp : partitions) {
        OffsetAndMetadata stored = committed.get(tp);
        long position = unwoken(() -> c.position(tp));
        // without a committed offset, the first commit stores the starting position, so that a
        // restart continues from it even if nothing arrived meanwhile
        PartitionWork w =
            new PartitionWork(
                tp,
                config.parallelizationFactor(),
                position,
                stored == null ? -1 : stored.offset());
        w.stats = stats.partition(w.name);
        works.put(tp, w);
        if (stored != null) {
          w.stats.committed(stored.offset());
          checkpoints.put(w.name, new Checkpoint(stored.offset(), false));
        }
      }
    }

    /** The group's offsets for every partition of the topic; null for those without one. */
    private Map<TopicPartition, OffsetAndMetadata> wholeTopic(KafkaConsumer<byte[], byte[]> c) {
      String topic = config.kafka().topic();
      Set<TopicPartition> all = new HashSet<>();
      unwoken(() -> c.partitionsFor(topic))
          .forEach(p -> all.add(new TopicPartition(topic, p.partition())));
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      all.forEach(tp -> offsets.put(tp, null));
      offsets.putAll(unwoken(() -> c.committed(all)));
      return offsets;
    }

    /**
     * Starts partitions without a committed offset at their first record at or after the mapping's
     * StartingPositionTimestamp; one that has none starts at its end, for the records to come.
     */
    private void seekToTimestamp(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> fresh) {
      if (fresh.isEmpty()) {
        return;
      }
      Map<TopicPartition, Long> at = new HashMap<>();
      fresh.forEach(tp -> at.put(tp, config.startingTimestampMillis()));
      Map<TopicPartition, OffsetAndTimestamp> found = unwoken(() -> c.offsetsForTimes(at));
      List<TopicPartition> toEnd = new ArrayList<>();
      for (TopicPartition tp : fresh) {
        OffsetAndTimestamp o = found.get(tp);
        if (o == null) {
          toEnd.add(tp);
        } else {
          c.seek(tp, o.offset());
        }
      }
      if (!toEnd.isEmpty()) {
        c.seekToEnd(toEnd);
      }
    }

    private void forget(Collection<TopicPartition> partitions) {
      for (TopicPartition tp : partitions) {
        PartitionWork w = works.remove(tp);
        if (w != null) {
          checkpoints.remove(w.name);
          w.stats.stopped(); // not stuck here any more: another node has it, or none
        }
      }
    }
  }
}
