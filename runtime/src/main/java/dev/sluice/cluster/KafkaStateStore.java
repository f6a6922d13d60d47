package dev.sluice.cluster;

import dev.sluice.log.kafka.KafkaConnection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.jboss.logging.Logger;

/**
 * A {@link StateStore} on one compacted Kafka topic with one partition, so every node reads every
 * change in the same order.
 *
 * <p>Format: a record's key is the state key in UTF-8, its value the state value; a tombstone (null
 * value) removes the key, and compaction keeps only each key's last value. Values may be up to
 * {@link StateTopic#MAX_VALUE_BYTES} (function packages).
 *
 * <p>Own writes: each record carries the writing store's id in header {@code origin}. A node's own
 * record read back is not delivered again (its components applied it before writing it), unless a
 * record from another node for the same key was delivered while the own one was in flight: then the
 * own record is delivered too, so every node ends with the value last in the topic. For that to
 * hold, a component writes its own change and applies it under one lock, and its listener applies a
 * change before it returns, under the same lock. A write that failed may still land: its key's own
 * records are delivered from then on, since the component never applied it, and one read back
 * before its failure was reported is delivered then (unless a later record of the key came since).
 *
 * <p>Threads: {@link #put} and {@link #remove} block their caller until the broker acknowledged the
 * record on every in-sync replica. Opening reads the topic to its end on the caller's thread,
 * keeping small values and only the offsets of large ones (function packages), which {@link
 * #snapshot} reads again one at a time as they are asked for. After {@link #follow()} the thread
 * {@code sluice-state-reader} owns the consumer: it calls the {@link #peek peekers} and queues each
 * record for the thread {@code sluice-state-applier}, which calls the listeners. So a listener that
 * takes seconds (a package unzipped) does not hold back the reader, and {@link #viewAgeNanos}
 * measures how far behind the log the reader is, which the log engine's write fence depends on; the
 * queue holds at most {@code 2 * MAX_VALUE_BYTES} of records.
 */
public final class KafkaStateStore implements StateStore {

  private static final Logger LOG = Logger.getLogger(KafkaStateStore.class);
  private static final Duration POLL = Duration.ofMillis(100);

  /** How long the reader waits for the log's end before it polls anyway, still not current. */
  private static final Duration END_TIMEOUT = Duration.ofSeconds(1);

  private static final long WRITE_TIMEOUT_SECONDS = 30;
  private static final String ORIGIN = "origin";
  private static final String WRITE = "write";
  private static final long CURRENT_WAIT_MILLIS = 5_000;
  private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(60);
  private static final long NEVER = Long.MIN_VALUE;

  private final String topic;
  private final Producer<byte[], byte[]> producer;
  private final KafkaConsumer<byte[], byte[]> consumer;

  /** Asks for the log's end in {@link #awaitCurrent}, apart from the reader's consumer. */
  private final KafkaConsumer<byte[], byte[]> probe;

  private final Object progress = new Object();

  /** The offset after the last record the applier has applied. Guarded by {@link #progress}. */
  private long applied;

  private final ApplyQueue queue = new ApplyQueue(2L * MAX_VALUE_BYTES);

  /**
   * When the reader last knew it had read and peeked every record in the log ({@link
   * System#nanoTime}), or {@link #NEVER}; written by the reader (by the opening thread before).
   */
  private volatile long currentSinceNanos = NEVER;

  /** The position the reader last queued; the reader's own. */
  private long queuedPosition;

  private final String origin = UUID.randomUUID().toString();
  private final byte[] originBytes = origin.getBytes(StandardCharsets.UTF_8);

  /** Own writes per key not read back yet. */
  private final Map<String, Integer> pending = new ConcurrentHashMap<>();

  /** Keys another node changed while an own write of them was pending. */
  private final Set<String> overtaken = ConcurrentHashMap.newKeySet();

  /** Numbers this store's writes, in header {@code write}, so that each is known when read back. */
  private final AtomicLong writes = new AtomicLong();

  /** Own writes whose writer still waits for the broker's answer, by number. */
  private final Set<Long> writing = ConcurrentHashMap.newKeySet();

  /**
   * An own record read back, and not delivered, while its writer ({@code write}) still waited:
   * should the write then be reported failed, the record is delivered after all (see {@link
   * #failed}).
   */
  private record Early(long write, byte[] value) {}

  /** Per key, the last record applied, when it is an {@link Early} one. */
  private final Map<String, Early> early = new ConcurrentHashMap<>();

  private final List<Registered> listeners = new CopyOnWriteArrayList<>();
  private final List<Registered> peekers = new CopyOnWriteArrayList<>();

  /**
   * What opening read: each key's last value, or for a value of more than {@link
   * #HISTORY_VALUE_BYTES} its record's offset (see {@link OpenedValues}); gone once following.
   */
  private volatile Map<String, Object> snapshot = new LinkedHashMap<>();

  /** The records read when opening, small ones only (see {@link #history}); gone once following. */
  private volatile List<Map.Entry<String, byte[]>> history = new ArrayList<>();

  private volatile boolean closed;
  private Thread reader;
  private Thread applier;

  private record Registered(String prefix, StateListener listener, boolean ownToo) {}

  private KafkaStateStore(
      String topic,
      Producer<byte[], byte[]> producer,
      KafkaConsumer<byte[], byte[]> consumer,
      KafkaConsumer<byte[], byte[]> probe) {
    this.topic = topic;
    this.producer = producer;
    this.consumer = consumer;
    this.probe = probe;
  }

  /**
   * Opens the state on topic {@code topic} of the cluster at {@code bootstrap} (no client
   * properties), creating the topic when it is missing, and reads it to its end. Blocking.
   */
  public static KafkaStateStore open(String bootstrap, String topic, int replicationFactor) {
    return open(KafkaConnection.of(bootstrap), topic, replicationFactor);
  }

  /**
   * Opens the state on topic {@code topic} of {@code connection}'s cluster, creating the topic when
   * it is missing, and reads it to its end. Blocking.
   */
  public static KafkaStateStore open(
      KafkaConnection connection, String topic, int replicationFactor) {
    return open(connection, topic, replicationFactor, UnaryOperator.identity());
  }

  /** As {@link #open(KafkaConnection, String, int)}, its producer wrapped (tests fail writes). */
  static KafkaStateStore open(
      KafkaConnection connection,
      String topic,
      int replicationFactor,
      UnaryOperator<Producer<byte[], byte[]>> wrap) {
    StateTopic.ensure(connection, topic, replicationFactor);
    KafkaConsumer<byte[], byte[]> consumer =
        StateClients.consumer(connection, "sluice-state-reader");
    KafkaConsumer<byte[], byte[]> probe = null;
    Producer<byte[], byte[]> producer = null;
    try {
      probe = StateClients.consumer(connection, "sluice-state-probe");
      producer = wrap.apply(StateClients.producer(connection));
      KafkaStateStore store = new KafkaStateStore(topic, producer, consumer, probe);
      store.readToEnd();
      return store;
    } catch (RuntimeException e) {
      consumer.close();
      if (probe != null) {
        probe.close();
      }
      if (producer != null) {
        producer.close();
      }
      throw e instanceof StateException s ? s : new StateException("cannot read " + topic, e);
    }
  }

  private void readToEnd() {
    TopicPartition tp = new TopicPartition(topic, 0);
    consumer.assign(List.of(tp));
    consumer.seekToBeginning(List.of(tp));
    long asked = System.nanoTime();
    long end = consumer.endOffsets(List.of(tp)).get(tp);
    // a large state (function packages) may take long to read; only a read that stopped moving
    // fails the start
    long deadline = System.nanoTime() + STALL_NANOS;
    while (consumer.position(tp) < end) {
      if (System.nanoTime() > deadline) {
        throw new StateException(
            "reading the node state in "
                + topic
                + " made no progress for "
                + TimeUnit.NANOSECONDS.toSeconds(STALL_NANOS)
                + " s (at offset "
                + consumer.position(tp)
                + " of "
                + end
                + ")");
      }
      long before = consumer.position(tp);
      ConsumerRecords<byte[], byte[]> polled = consumer.poll(POLL);
      // compacted-away offsets and transaction markers move the position without records
      if (consumer.position(tp) > before) {
        deadline = System.nanoTime() + STALL_NANOS;
      }
      for (ConsumerRecord<byte[], byte[]> r : polled) {
        String key = new String(r.key(), StandardCharsets.UTF_8);
        snapshot.remove(key); // re-inserted last: the snapshot keeps the order of last writes
        boolean small = r.value() == null || r.value().length <= HISTORY_VALUE_BYTES;
        if (r.value() != null) {
          snapshot.put(key, small ? r.value() : Long.valueOf(r.offset()));
        }
        if (small) {
          history.add(new java.util.AbstractMap.SimpleImmutableEntry<>(key, r.value()));
        }
      }
    }
    queuedPosition = consumer.position(tp);
    advanced(queuedPosition);
    currentSinceNanos = asked;
  }

  private void advanced(long position) {
    synchronized (progress) {
      applied = position;
      progress.notifyAll();
    }
  }

  @Override
  public boolean awaitCurrent() {
    long end;
    TopicPartition tp = new TopicPartition(topic, 0);
    try {
      synchronized (probe) {
        end = probe.endOffsets(List.of(tp), Duration.ofMillis(CURRENT_WAIT_MILLIS)).get(tp);
      }
    } catch (RuntimeException e) {
      LOG.warnf(
          e, "Cannot learn the end of the node state in %s; changing from this node's view", topic);
      return false;
    }
    long deadline = System.currentTimeMillis() + CURRENT_WAIT_MILLIS;
    synchronized (progress) {
      for (long left = CURRENT_WAIT_MILLIS; applied < end && left > 0; ) {
        try {
          progress.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
        left = deadline - System.currentTimeMillis();
      }
      if (applied < end) {
        LOG.warnf(
            "The node state in %s is behind (at %d of %d); changing from this node's view",
            topic, applied, end);
        return false;
      }
    }
    return true;
  }

  /**
   * {@inheritDoc} Large values are read from the topic again when asked for ({@link OpenedValues});
   * blocking then.
   */
  @Override
  public Map<String, byte[]> snapshot(String prefix) {
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, Object> all = snapshot;
    if (all == null) {
      throw new IllegalStateException("the snapshot is gone once the store follows");
    }
    all.forEach(
        (k, v) -> {
          if (k.startsWith(prefix)) {
            out.put(k, v);
          }
        });
    return new OpenedValues(out, this::readAt);
  }

  /** Bytes of the values the snapshot holds in memory; for tests. */
  long heldBytes() {
    Map<String, Object> all = snapshot;
    return all == null
        ? 0
        : all.values().stream().mapToLong(v -> v instanceof byte[] b ? b.length : 0).sum();
  }

  /**
   * The value of {@code key}'s record at {@code offset}, read with the probe consumer, or null when
   * the cleaner removed that record (the key was removed since the store opened). Blocking.
   */
  private byte[] readAt(String key, long offset) {
    TopicPartition tp = new TopicPartition(topic, 0);
    synchronized (probe) {
      probe.assign(List.of(tp));
      try {
        probe.seek(tp, offset);
        long deadline = System.nanoTime() + STALL_NANOS;
        while (probe.position(tp) <= offset) {
          if (System.nanoTime() > deadline) {
            throw new StateException(
                "cannot read " + key + " at offset " + offset + " of " + topic);
          }
          for (ConsumerRecord<byte[], byte[]> r : probe.poll(POLL)) {
            if (r.offset() >= offset) {
              boolean same = r.offset() == offset && key.equals(text(r.key()));
              return same ? r.value() : null;
            }
          }
        }
        return null;
      } finally {
        probe.assign(List.of()); // drops what it fetched beyond the record: up to a fetch's 50 MB
      }
    }
  }

  private static String text(byte[] key) {
    return new String(key, StandardCharsets.UTF_8);
  }

  @Override
  public List<Map.Entry<String, byte[]>> history(String prefix) {
    List<Map.Entry<String, byte[]>> all = history;
    if (all == null) {
      throw new IllegalStateException("the history is gone once the store follows");
    }
    return all.stream().filter(e -> e.getKey().startsWith(prefix)).toList();
  }

  @Override
  public void listen(String prefix, StateListener listener) {
    listeners.add(new Registered(prefix, listener, false));
  }

  @Override
  public void listenAll(String prefix, StateListener listener) {
    listeners.add(new Registered(prefix, listener, true));
  }

  @Override
  public void peek(String prefix, StateListener peeker) {
    peekers.add(new Registered(prefix, peeker, true));
  }

  @Override
  public long viewAgeNanos() {
    long since = currentSinceNanos;
    return since == NEVER ? Long.MAX_VALUE : System.nanoTime() - since;
  }

  @Override
  public synchronized void follow() {
    if (reader != null) {
      return;
    }
    snapshot = null;
    history = null;
    applier = new Thread(this::applyLoop, "sluice-state-applier");
    applier.setDaemon(true);
    applier.start();
    reader = new Thread(this::readLoop, "sluice-state-reader");
    reader.setDaemon(true);
    reader.start();
  }

  @Override
  public void put(String key, byte[] value) {
    send(key, value);
  }

  @Override
  public void remove(String key) {
    send(key, null);
  }

  private void send(String key, byte[] value) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, 0, k, value);
    record.headers().add(ORIGIN, originBytes);
    long write = writes.incrementAndGet();
    record.headers().add(WRITE, ByteBuffer.allocate(Long.BYTES).putLong(0, write).array());
    pending.merge(key, 1, Integer::sum);
    writing.add(write);
    try {
      producer.send(record).get(WRITE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      writing.remove(write);
      early.computeIfPresent(key, (x, e) -> e.write() == write ? null : e); // applied by its writer
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failed(key, write, new StateException("interrupted while writing " + key));
    } catch (ExecutionException e) {
      throw failed(
          key, write, new StateException("cannot write " + key + " to " + topic, e.getCause()));
    } catch (TimeoutException e) {
      throw failed(key, write, new StateException("timed out writing " + key + " to " + topic, e));
    }
  }

  /**
   * The caller will not apply this write; should it land anyway, it must be delivered. A write can
   * land and be read back before it is reported failed (the broker had it, its answer was lost or
   * said too few replicas), and that record then went by undelivered: the applier delivers it now,
   * unless a later record of the key was applied since.
   */
  private StateException failed(String key, long write, StateException e) {
    overtaken.add(key); // first: a read-back from now on is delivered (see apply)
    Early found = early.get(key);
    if (found != null && found.write() == write) {
      queue.add(ApplyQueue.Item.redeliver(key, write));
    }
    writing.remove(write); // last: see apply
    return e;
  }

  private void readLoop() {
    TopicPartition tp = new TopicPartition(topic, 0);
    long asked = NEVER;
    long end = -1;
    while (!closed) {
      try {
        if (end < 0) {
          asked = System.nanoTime();
          end = endOffset(tp);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
          ApplyQueue.Item item =
              new ApplyQueue.Item(
                  new String(r.key(), StandardCharsets.UTF_8),
                  r.value(),
                  isOwn(r),
                  r.offset() + 1,
                  isOwn(r) ? writeOf(r) : 0);
          peek(item);
          queue.put(item);
          queuedPosition = r.offset() + 1;
        }
        long position = consumer.position(tp);
        if (position > queuedPosition) { // compacted-away offsets, transaction markers
          queue.put(ApplyQueue.Item.moved(position));
          queuedPosition = position;
        }
        // Every record acknowledged before `asked` lies below the end the broker answered after
        // it: read to there, the view was current then. Only an answer counts; the end a fetch
        // answer left in the consumer stays as it was while the leader's connection hangs (a
        // network partition), which used to keep a cut-off node's view "current".
        if (end >= 0 && position >= end) {
          currentSinceNanos = Math.max(currentSinceNanos, asked);
          end = -1;
        }
      } catch (WakeupException | InterruptedException e) {
        return; // closing
      } catch (RuntimeException | Error e) {
        // a failed poll leaves the position where it was: nothing is skipped
        LOG.errorf(e, "Reading the node state in %s failed; retrying in 1 s", topic);
        end = -1;
        pause();
      }
    }
  }

  /** The partition's end as the broker answers now, or -1 when it does not answer in time. */
  private long endOffset(TopicPartition tp) {
    try {
      return consumer.endOffsets(List.of(tp), END_TIMEOUT).get(tp);
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      return -1;
    }
  }

  private static void pause() {
    try {
      Thread.sleep(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void peek(ApplyQueue.Item item) {
    for (Registered p : peekers) {
      if (item.key().startsWith(p.prefix())) {
        try {
          p.listener().changed(item.key(), item.value(), item.own());
        } catch (RuntimeException | Error e) {
          LOG.errorf(e, "Could not look at the change of %s", item.key());
        }
      }
    }
  }

  private boolean isOwn(ConsumerRecord<byte[], byte[]> r) {
    Header h = r.headers().lastHeader(ORIGIN);
    return h != null && Arrays.equals(h.value(), originBytes);
  }

  /** The number of an own record's write; 0 when it has none. */
  private static long writeOf(ConsumerRecord<byte[], byte[]> r) {
    Header h = r.headers().lastHeader(WRITE);
    return h == null || h.value().length != Long.BYTES ? 0 : ByteBuffer.wrap(h.value()).getLong();
  }

  private void applyLoop() {
    while (true) {
      ApplyQueue.Item item;
      try {
        item = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      if (item == null) {
        return; // closing
      }
      if (item.redelivery()) {
        redeliver(item.key(), item.write());
      } else if (item.key() != null) {
        apply(item.key(), item.value(), item.own(), item.write());
      }
      if (item.position() >= 0) {
        advanced(item.position());
      }
    }
  }

  private void apply(String key, byte[] value, boolean own, long write) {
    if (own) {
      // before overtaken is read: a failure reported meanwhile then finds it (see failed)
      Early e = new Early(write, value);
      if (write != 0 && writing.contains(write)) {
        early.put(key, e);
        if (!writing.contains(write)) {
          early.remove(key, e); // its writer finished meanwhile, maybe before it looked
        }
      } else {
        early.remove(key);
      }
      // one atomic step: a write of the key starting meanwhile must keep its count
      boolean last = pending.compute(key, (k, n) -> n == null || n <= 1 ? null : n - 1) == null;
      boolean restore = last ? overtaken.remove(key) : overtaken.contains(key);
      // restore: another node's older value was applied over this one
      deliver(key, value, true, !restore);
      if (restore) {
        early.remove(key, e); // delivered already
      }
      return;
    }
    early.remove(key);
    deliver(key, value, false, false);
    if (pending.containsKey(key)) {
      overtaken.add(key); // checked after applying: the write in flight now comes later
    }
  }

  /** Delivers an own record its writer reported failed, if it is still the key's last applied. */
  private void redeliver(String key, long write) {
    Early e = early.get(key);
    if (e != null && e.write() == write && early.remove(key, e)) {
      // listenAll listeners had it when it was read back
      deliverTo(r -> !r.ownToo(), key, e.value(), true);
    }
  }

  private void deliver(String key, byte[] value, boolean own, boolean ownOnly) {
    deliverTo(r -> r.ownToo() || !ownOnly, key, value, own);
  }

  private void deliverTo(Predicate<Registered> to, String key, byte[] value, boolean own) {
    for (Registered r : listeners) {
      if (key.startsWith(r.prefix()) && to.test(r)) {
        try {
          r.listener().changed(key, value, own);
        } catch (RuntimeException | Error e) {
          // an Error too (out of memory unpacking a package, say): thrown on, it would end the
          // applying thread, and this node would apply no other node's change again
          LOG.errorf(e, "Could not apply the change of %s from another node", key);
        }
      }
    }
  }

  @Override
  public void stopFollowing() {
    closed = true;
    consumer.wakeup();
    queue.close();
    Thread r;
    Thread a;
    synchronized (this) {
      r = reader;
      a = applier;
    }
    join(r);
    join(a);
  }

  @Override
  public void close() {
    stopFollowing();
    closeQuietly(consumer);
    synchronized (probe) {
      closeQuietly(probe);
    }
    closeQuietly(producer);
  }

  private static void join(Thread t) {
    if (t == null) {
      return;
    }
    try {
      t.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      LOG.debugf(e, "closing %s", c);
    }
  }

  /** This store's id, as its records' {@code origin} header carries it. */
  String origin() {
    return origin;
  }
}
