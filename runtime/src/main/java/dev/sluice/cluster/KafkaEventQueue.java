package dev.sluice.cluster;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.function.EventQueue;
import dev.sluice.function.QueuedEvent;
import dev.sluice.log.kafka.KafkaConnection;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

/**
 * The asynchronous events of nodes on one Kafka cluster, in a topic of {@link
 * EventTopic#PARTITIONS} partitions that every node reads as a member of one consumer group, so
 * that Kafka spreads the partitions over the nodes and moves a dead node's to the others.
 *
 * <p>In Kafka: one record per accepted event, without a key, each to the next partition (so that
 * events spread over the partitions, and one queued again likely reaches another node), value the
 * {@link QueuedEvent} as JSON (the payload as base64), written with {@code acks=all} before the
 * 202, and again with its progress each time it waited for a retry. A partition's committed offset
 * is its first event not done yet ({@link PendingEvents}), so a node taking a partition over runs
 * every event from there: those not done, and those done after it, again.
 *
 * <p>Thread model: one thread, {@code sluice-async-events}, owns the consumer: it polls, hands each
 * event to the sink, and commits what the sink reported done, which {@link Delivery#done} queues
 * from any thread. Past {@link #MAX_OPEN_BYTES} of events not done it stops fetching. The producer
 * is Kafka's, safe for any thread; {@link #offer} blocks its caller until the broker answered.
 */
public final class KafkaEventQueue implements EventQueue {

  private static final Logger LOG = Logger.getLogger(KafkaEventQueue.class);

  /** Event bytes handed over and not done past which the node fetches no more. */
  static final long MAX_OPEN_BYTES = 64L << 20;

  private static final Duration POLL = Duration.ofMillis(100);
  private static final Duration FAILURE_PAUSE = Duration.ofSeconds(1);
  private static final long OFFER_TIMEOUT_SECONDS = 30;
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

  /** Where the next event goes; from a random start, so that nodes do not all begin at 0. */
  private final AtomicInteger nextPartition =
      new AtomicInteger(ThreadLocalRandom.current().nextInt(1 << 16));

  // a newer node's events may carry fields this one does not know: they must still run here
  private final ObjectMapper json =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private final String topic;
  private final KafkaProducer<byte[], byte[]> producer;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Map<TopicPartition, PendingEvents> held = new HashMap<>();
  private final ConcurrentLinkedQueue<Handed> doneQueue = new ConcurrentLinkedQueue<>();
  private volatile boolean closed;
  private Thread thread;
  private long openBytes;
  private boolean committing;

  private KafkaEventQueue(
      KafkaConnection connection, String topic, String group, Duration sessionTimeout) {
    this.topic = topic;
    this.producer =
        StateClients.producer(
            connection, "sluice-async-writer", EventTopic.MAX_RECORD_BYTES, 32L << 20);
    try {
      this.consumer = consumer(connection, group, sessionTimeout);
    } catch (RuntimeException e) {
      producer.close(Duration.ZERO); // its network thread would outlive the failed open
      throw e;
    }
  }

  /**
   * Opens the queue on {@code topic} (created with {@code replicationFactor}, -1 for the broker's
   * default, and with {@code flush.messages=1} when {@code flushEachRecord}), read by the members
   * of {@code group}, each losing its partitions after {@code sessionTimeout} of silence.
   */
  public static KafkaEventQueue open(
      KafkaConnection connection,
      String topic,
      String group,
      int replicationFactor,
      boolean flushEachRecord,
      Duration sessionTimeout) {
    EventTopic.ensure(connection, topic, replicationFactor, flushEachRecord);
    return new KafkaEventQueue(connection, topic, group, sessionTimeout);
  }

  /** The topic's partition count, from the producer's metadata (blocking only the first time). */
  private int partitions() {
    return Math.max(1, producer.partitionsFor(topic).size());
  }

  @Override
  public void offer(QueuedEvent event) {
    byte[] value;
    try {
      value = json.writeValueAsBytes(event);
    } catch (IOException e) {
      throw new StateException("cannot write the event as JSON", e);
    }
    try {
      // each event to the next partition: a record without a key would stay in one partition for
      // 16 KB of events (the producer's sticky partitioning), and a burst of them on one node
      int partition = Math.floorMod(nextPartition.getAndIncrement(), partitions());
      producer
          .send(new ProducerRecord<>(topic, partition, null, value))
          .get(OFFER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new StateException("Kafka refused it: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException | KafkaException e) {
      throw new StateException("Kafka did not take it: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StateException("interrupted", e);
    }
  }

  @Override
  public synchronized void start(Consumer<Delivery> sink) {
    if (thread != null || closed) {
      return;
    }
    thread = new Thread(() -> run(sink), "sluice-async-events");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void close() {
    closed = true;
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t == null) {
      consumer.close(Duration.ZERO);
    } else {
      consumer.wakeup();
      try {
        t.join(CLOSE_WAIT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    producer.close(CLOSE_WAIT);
  }

  private void run(Consumer<Delivery> sink) {
    try {
      consumer.subscribe(java.util.List.of(topic), new Rebalance());
      while (!closed) {
        step(sink);
      }
    } catch (WakeupException e) {
      // closing
    } catch (Error e) {
      LOG.errorf(e, "The asynchronous events of topic %s stopped; a restart resumes them", topic);
    } finally {
      finish();
    }
  }

  /**
   * One poll; a failure (the cluster refusing this node for a while, say) is logged and waited out.
   */
  private void step(Consumer<Delivery> sink) {
    try {
      settle();
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
        hand(r, sink);
      }
    } catch (WakeupException e) {
      throw e;
    } catch (RuntimeException e) {
      LOG.warnf("Reading the asynchronous events of topic %s failed; trying again: %s", topic, e);
      try {
        Thread.sleep(FAILURE_PAUSE.toMillis());
      } catch (InterruptedException x) {
        Thread.currentThread().interrupt();
        throw new WakeupException();
      }
    }
  }

  /** Takes in what was done, commits where that moved a partition on, and limits fetching. */
  private void settle() {
    for (Handed h; (h = doneQueue.poll()) != null; ) {
      PendingEvents p = held.get(h.partition);
      if (p != null && p == h.pending) {
        openBytes -= p.done(h.offset);
      }
    }
    Map<TopicPartition, OffsetAndMetadata> commits =
        committing ? Map.of() : toCommit(held.keySet());
    if (!commits.isEmpty()) {
      committing = true; // one at a time: the next goes from where its answer leaves the points
      consumer.commitAsync(commits, (offsets, e) -> committed(offsets, e));
    }
    if (openBytes > MAX_OPEN_BYTES) {
      consumer.pause(consumer.assignment());
    } else if (openBytes <= MAX_OPEN_BYTES / 2 && !consumer.paused().isEmpty()) {
      consumer.resume(consumer.paused());
    }
  }

  private Map<TopicPartition, OffsetAndMetadata> toCommit(Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
    for (TopicPartition tp : partitions) {
      PendingEvents p = held.get(tp);
      long point = p == null ? -1 : p.toCommit();
      if (point >= 0) {
        commits.put(tp, new OffsetAndMetadata(point));
      }
    }
    return commits;
  }

  private void committed(Map<TopicPartition, OffsetAndMetadata> offsets, Exception e) {
    committing = false;
    if (e != null) {
      // the next settle commits again, from a point at least as far on
      LOG.debugf("Committing the asynchronous events' offsets failed: %s", e.getMessage());
      return;
    }
    offsets.forEach(
        (tp, o) -> {
          PendingEvents p = held.get(tp);
          if (p != null) {
            p.committed(o.offset());
          }
        });
  }

  private void hand(ConsumerRecord<byte[], byte[]> r, Consumer<Delivery> sink) {
    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
    PendingEvents p = held.computeIfAbsent(tp, k -> new PendingEvents());
    QueuedEvent event;
    try {
      event = json.readValue(r.value(), QueuedEvent.class);
    } catch (IOException | RuntimeException e) {
      LOG.errorf("Skipping a record of %s at offset %d that is no event: %s", tp, r.offset(), e);
      p.add(r.offset(), 0);
      p.done(r.offset());
      return;
    }
    int bytes = r.serializedValueSize();
    p.add(r.offset(), bytes);
    openBytes += bytes;
    sink.accept(new Handed(event, tp, r.offset(), p, doneQueue));
  }

  /** Commits what is done, so that the next owner runs as little as possible again. */
  private void finish() {
    try {
      settle();
      Map<TopicPartition, OffsetAndMetadata> commits = toCommit(held.keySet());
      if (!commits.isEmpty()) {
        try {
          consumer.commitSync(commits, CLOSE_WAIT);
        } catch (WakeupException e) { // close's wake-up came outside a poll: it fired here
          consumer.commitSync(commits, CLOSE_WAIT);
        }
      }
    } catch (RuntimeException e) {
      LOG.debugf("Final commit of the asynchronous events failed: %s", e.getMessage());
    } finally {
      held.values().forEach(p -> p.current = false);
      // leaving the group, so that the other nodes take the partitions over at once
      consumer.close(CLOSE_WAIT.dividedBy(2));
    }
  }

  /** Hands partitions over: commits what was done in them, and stops their waiting retries. */
  private final class Rebalance implements ConsumerRebalanceListener {

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      settle();
      Map<TopicPartition, OffsetAndMetadata> commits = toCommit(partitions);
      try {
        if (!commits.isEmpty()) {
          consumer.commitSync(commits, CLOSE_WAIT);
        }
      } catch (RuntimeException e) {
        LOG.debugf("Committing revoked partitions failed: %s", e.getMessage());
      }
      drop(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      drop(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      // PendingEvents come with each partition's first record
    }

    private void drop(Collection<TopicPartition> partitions) {
      for (TopicPartition tp : partitions) {
        PendingEvents p = held.remove(tp);
        if (p != null) {
          p.current = false;
          openBytes -= p.openBytes();
        }
      }
    }
  }

  /** Where {@code d}, handed over by a queue, lies: {@code partition@offset}; for tests. */
  static String position(Delivery d) {
    Handed h = (Handed) d;
    return h.partition.partition() + "@" + h.offset;
  }

  /** An event handed to the sink. */
  private record Handed(
      QueuedEvent event,
      TopicPartition partition,
      long offset,
      PendingEvents pending,
      ConcurrentLinkedQueue<Handed> doneQueue)
      implements Delivery {

    @Override
    public boolean current() {
      return pending.current;
    }

    @Override
    public void done() {
      doneQueue.add(this);
    }
  }

  private static KafkaConsumer<byte[], byte[]> consumer(
      KafkaConnection connection, String group, Duration sessionTimeout) {
    Map<String, Object> c = connection.clientConfig("sluice-async-reader");
    c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
    c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
    long session = sessionTimeout.toMillis();
    c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) session);
    c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(1, session / 3));
    // a node joining or leaving moves only the partitions that change hands
    c.put(
        ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
        CooperativeStickyAssignor.class.getName());
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new KafkaConsumer<>(c);
  }
}
