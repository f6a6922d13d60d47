package dev.sluice.cluster;

import dev.sluice.function.FunctionLogStore;
import dev.sluice.function.LogPage;
import dev.sluice.log.kafka.KafkaConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

/**
 * The function logs of nodes on one Kafka cluster, in one topic: a function's log reads the same
 * through every node and shows its invocations on all of them, and no node keeps logs on its disk.
 *
 * <p>Record format: the key is the function's name (UTF-8); the value is one invocation's lines
 * (UTF-8, each ending in a newline), or empty to mark that the function was deleted, so that one
 * made again under the name starts with an empty log. A function's records all go to one of the
 * first {@link #PARTITIONS} partitions (by its name's hash, the same on every node whatever the
 * topic's count), so its log has one order whichever node wrote it. Old records go by the topic's
 * retention (7 days, 128 MB a partition, in 16 MB segments), as CloudWatch Logs drops old events.
 *
 * <p>A position ({@link LogPage#next}) is a record's offset times {@link #LINES} plus a line within
 * it, so that a reader can stop inside an invocation's lines and go on from there through any node.
 *
 * <p>Thread model: appends come from the function service's log thread, which every invocation's
 * result passes, so they never wait for the cluster: the producer takes a record at once or it is
 * dropped (and a warning logged). A deletion mark is sent from the deleting request's thread and
 * waited for. Reads come from request threads and share one consumer, one at a time; a read that
 * takes longer than {@link #READ_TIMEOUT} in all returns what it found.
 */
public final class KafkaFunctionLogs implements FunctionLogStore {

  private static final Logger LOG = Logger.getLogger(KafkaFunctionLogs.class);

  /**
   * Partitions a function's log may be in: those of a topic made here, the least one made
   * beforehand must have. A tail reads only the records of its function's one.
   */
  static final int PARTITIONS = 8;

  /**
   * Largest record: the last 1 MB of an invocation's output (what a handler instance keeps) with
   * its START, END and REPORT lines, and room.
   */
  static final int MAX_RECORD_BYTES = 4 << 20;

  /** The most an invocation's text may take in a record; more loses its oldest lines. */
  static final int MAX_TEXT_BYTES = MAX_RECORD_BYTES - (64 << 10);

  /** Lines a position counts per record: every line takes a byte at least. */
  static final long LINES = 1L << 22;

  private static final long RETENTION_MILLIS = 7L * 24 * 3_600_000;
  private static final long RETENTION_BYTES = 128L << 20;

  /** Segments: retention deletes whole closed ones, so they are small beside it, and roll daily. */
  private static final long SEGMENT_BYTES = 16L << 20;

  private static final long SEGMENT_MILLIS = 24L * 3_600_000;

  /** How long a deleting request waits for its mark to be stored. */
  private static final long MARK_WAIT_SECONDS = 10;

  /** How long a read may take in all before it returns what it found. */
  static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

  /** Warnings about logs that could not be written, at most one per this many ms. */
  private static final long WARN_EVERY_MILLIS = 10_000;

  private final String topic;
  private final KafkaProducer<byte[], byte[]> producer;
  private final LogTopicReader reads;
  private volatile long lastWarned;

  private KafkaFunctionLogs(KafkaConnection connection, String topic) {
    this.topic = topic;
    this.producer = producer(connection);
    try {
      int partitions = warmUp(producer, topic);
      if (partitions < PARTITIONS) {
        throw new StateException(
            "the function logs' topic "
                + topic
                + " at "
                + connection.bootstrap()
                + " has "
                + partitions
                + " partitions: it needs "
                + PARTITIONS
                + " at least");
      }
      this.reads =
          new LogTopicReader(
              topic, StateClients.consumer(connection, "sluice-function-logs-reader"));
    } catch (RuntimeException e) {
      producer.close(Duration.ZERO); // its network thread would outlive the failed open
      throw e;
    }
  }

  /**
   * The state store's producer, except that a send never waits: the log thread would hold every
   * invocation's result back while the cluster cannot be reached. The topic's metadata is kept
   * however long no log is written, so that a send after a quiet hour need not wait for it either.
   */
  private static KafkaProducer<byte[], byte[]> producer(KafkaConnection connection) {
    return StateClients.producer(
        connection,
        "sluice-function-logs",
        MAX_RECORD_BYTES,
        32L << 20,
        Map.of(
            ProducerConfig.MAX_BLOCK_MS_CONFIG,
            0,
            ProducerConfig.METADATA_MAX_IDLE_CONFIG,
            7L * 24 * 3_600_000,
            ProducerConfig.LINGER_MS_CONFIG,
            5));
  }

  /**
   * Gets the producer the topic's metadata, which its sends, never waiting, need at hand; returns
   * the topic's partition count. A send that finds none fails, but asks for it: so it is asked
   * again until it came, for at most {@link #READ_TIMEOUT}.
   */
  private static int warmUp(KafkaProducer<byte[], byte[]> producer, String topic) {
    long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
    while (true) {
      try {
        return producer.partitionsFor(topic).size();
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        if (System.nanoTime() > deadline) {
          throw new StateException("no metadata of the function logs' topic " + topic, e);
        }
        sleep(20);
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StateException("interrupted while opening the function logs", e);
    }
  }

  /**
   * Opens the logs on {@code topic}, made with {@code replicationFactor} (-1: the broker's) unless
   * it exists; a topic made beforehand must take records of {@link #MAX_RECORD_BYTES}.
   */
  public static KafkaFunctionLogs open(
      KafkaConnection connection, String topic, int replicationFactor) {
    EventTopic.ensure(
        connection,
        new EventTopic.Spec(
            topic,
            PARTITIONS,
            MAX_RECORD_BYTES,
            Map.of(
                TopicConfig.RETENTION_MS_CONFIG, String.valueOf(RETENTION_MILLIS),
                TopicConfig.RETENTION_BYTES_CONFIG, String.valueOf(RETENTION_BYTES),
                TopicConfig.SEGMENT_BYTES_CONFIG, String.valueOf(SEGMENT_BYTES),
                TopicConfig.SEGMENT_MS_CONFIG, String.valueOf(SEGMENT_MILLIS)),
            "sluice-logs-admin",
            "the function logs' topic",
            ", or the log of an invocation that printed much cannot be kept"),
        replicationFactor);
    return new KafkaFunctionLogs(connection, topic);
  }

  @Override
  public void append(String function, String text) {
    send(function, bounded(text.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Sends the mark and waits until it is stored, so that what the client does next through any node
   * (the function made again and invoked) is logged after it.
   */
  @Override
  public void cleared(String function) {
    Future<RecordMetadata> sent = send(function, new byte[0]);
    try {
      if (sent != null) {
        sent.get(MARK_WAIT_SECONDS, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      warn(function, e);
    }
  }

  /** Nothing is held per function. */
  @Override
  public void forget(String function) {}

  @Override
  public boolean readsOnLogThread() {
    return false;
  }

  /** Hands the record to the producer; null when it did not take it (dropped, and warned of). */
  private Future<RecordMetadata> send(String function, byte[] value) {
    byte[] key = function.getBytes(StandardCharsets.UTF_8);
    ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, partitionOf(key), key, value);
    try {
      return producer.send(
          r,
          (meta, e) -> {
            if (e != null) {
              warn(function, e);
            }
          });
    } catch (RuntimeException e) { // the producer closed, or its buffer full
      warn(function, e);
      return null;
    }
  }

  private void warn(String function, Exception e) {
    long now = System.currentTimeMillis();
    if (now - lastWarned >= WARN_EVERY_MILLIS) {
      lastWarned = now;
      LOG.warnf("Cannot write the log of %s to %s (more may be lost): %s", function, topic, e);
    }
  }

  /** The text's last {@link #MAX_TEXT_BYTES} from a line's start on, saying how much went. */
  static byte[] bounded(byte[] text) {
    if (text.length <= MAX_TEXT_BYTES) {
      return text;
    }
    int from = text.length - MAX_TEXT_BYTES + 100; // room for the note
    while (from < text.length && text[from - 1] != '\n') {
      from++;
    }
    byte[] note =
        ("[Sluice: " + from + " bytes of this invocation's log dropped]\n")
            .getBytes(StandardCharsets.UTF_8);
    byte[] out = Arrays.copyOf(note, note.length + text.length - from);
    System.arraycopy(text, from, out, note.length, text.length - from);
    return out;
  }

  static int partitionOf(byte[] key) {
    return Utils.toPositive(Utils.murmur2(key)) % PARTITIONS;
  }

  @Override
  public LogPage last(String function, int max) {
    return reads.last(function, max);
  }

  @Override
  public LogPage page(String function, long position, int max) {
    return reads.page(function, position, max);
  }

  @Override
  public void close() {
    try {
      producer.close(Duration.ofSeconds(5)); // sends the last invocations' lines
    } catch (InterruptException e) {
      Thread.currentThread().interrupt();
    }
    reads.close();
  }
}
