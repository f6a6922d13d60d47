package dev.sluice.cluster;

import dev.sluice.function.FunctionLogStore;
import dev.sluice.function.LogPage;
import dev.sluice.log.kafka.KafkaConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
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
 * made again under the name starts with an empty log. A function's records all go to one partition
 * (by its name's hash), so its log has one order whichever node wrote it. Old records go by the
 * topic's retention (7 days, 128 MB a partition), as CloudWatch Logs drops old events.
 *
 * <p>A position ({@link LogPage#next}) is a record's offset times {@link #LINES} plus a line within
 * it, so that a reader can stop inside an invocation's lines and go on from there through any node.
 *
 * <p>Thread model: appends and deletion marks come from the function service's log thread and only
 * hand records to the producer; reads come from request threads and share one consumer, one at a
 * time.
 */
public final class KafkaFunctionLogs implements FunctionLogStore {

  private static final Logger LOG = Logger.getLogger(KafkaFunctionLogs.class);

  /** Partitions of a topic made here: a tail reads only the records of its function's one. */
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

  /** Records a tail reads back first; each further step reads four times as many. */
  private static final long FIRST_WINDOW = 256;

  /** How long a read may take before it gives up (the broker does not answer). */
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

  /** Warnings about logs that could not be written, at most one per this many ms. */
  private static final long WARN_EVERY_MILLIS = 10_000;

  private final String topic;
  private final int partitions;
  private final KafkaProducer<byte[], byte[]> producer;
  private final KafkaConsumer<byte[], byte[]> reader;
  private volatile long lastWarned;

  private KafkaFunctionLogs(KafkaConnection connection, String topic) {
    this.topic = topic;
    this.producer =
        StateClients.producer(connection, "sluice-function-logs", MAX_RECORD_BYTES, 32L << 20);
    try {
      this.partitions = Math.max(1, producer.partitionsFor(topic).size());
      this.reader = StateClients.consumer(connection, "sluice-function-logs-reader");
    } catch (RuntimeException e) {
      producer.close(Duration.ZERO); // its network thread would outlive the failed open
      throw e;
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
                TopicConfig.RETENTION_BYTES_CONFIG, String.valueOf(RETENTION_BYTES)),
            "the function logs' topic",
            ", or the log of an invocation that printed much cannot be kept"),
        replicationFactor);
    return new KafkaFunctionLogs(connection, topic);
  }

  @Override
  public void append(String function, String text) {
    send(function, bounded(text.getBytes(StandardCharsets.UTF_8)));
  }

  @Override
  public void cleared(String function) {
    send(function, new byte[0]);
  }

  /** Nothing is held per function. */
  @Override
  public void forget(String function) {}

  @Override
  public boolean readsOnLogThread() {
    return false;
  }

  private void send(String function, byte[] value) {
    byte[] key = function.getBytes(StandardCharsets.UTF_8);
    ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, partitionOf(key), key, value);
    try {
      producer.send(
          r,
          (meta, e) -> {
            if (e != null) {
              warn(function, e);
            }
          });
    } catch (RuntimeException e) { // the producer closed, or its buffer full for 10 s
      warn(function, e);
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

  private int partitionOf(byte[] key) {
    return Utils.toPositive(Utils.murmur2(key)) % partitions;
  }

  @Override
  public synchronized LogPage last(String function, int max) {
    TopicPartition tp = new TopicPartition(topic, partitionOf(key(function)));
    long begin = beginning(tp);
    long end = end(tp);
    Deque<String> lines = new ArrayDeque<>();
    long to = end;
    long window = FIRST_WINDOW;
    while (to > begin && lines.size() < max) {
      long from = Math.max(begin, to - window);
      List<String> found = new ArrayList<>();
      boolean cleared = read(tp, function, from, to, r -> collect(r, found));
      for (int i = found.size() - 1; i >= 0; i--) {
        lines.addFirst(found.get(i));
      }
      if (cleared) {
        break; // nothing older belongs to this function
      }
      to = from;
      window *= 4;
    }
    while (lines.size() > max) {
      lines.removeFirst();
    }
    return new LogPage(new ArrayList<>(lines), end * LINES);
  }

  /** Adds a record's lines to {@code found}; a deletion mark drops those found before it. */
  private static boolean collect(ConsumerRecord<byte[], byte[]> r, List<String> found) {
    if (r.value() == null || r.value().length == 0) {
      found.clear();
    } else {
      found.addAll(lines(r.value()));
    }
    return true;
  }

  @Override
  public synchronized LogPage page(String function, long position, int max) {
    TopicPartition tp = new TopicPartition(topic, partitionOf(key(function)));
    long begin = beginning(tp);
    long end = end(tp);
    long offset = position / LINES;
    long skip = position % LINES;
    if (offset < begin) {
      offset = begin;
      skip = 0;
    }
    if (offset >= end) {
      return new LogPage(List.of(), Math.max(position, end * LINES));
    }
    List<String> out = new ArrayList<>();
    long[] next = {end * LINES};
    long first = offset;
    long firstSkip = skip;
    read(
        tp,
        function,
        offset,
        end,
        r -> {
          if (r.value() == null || r.value().length == 0) {
            return true; // a deletion mark: what follows is the log of the function made again
          }
          List<String> all = lines(r.value());
          int start = r.offset() == first ? (int) Math.min(firstSkip, all.size()) : 0;
          int take = Math.min(all.size() - start, max - out.size());
          out.addAll(all.subList(start, start + take));
          if (start + take < all.size()) {
            next[0] = r.offset() * LINES + start + take;
            return false;
          }
          return true;
        });
    return new LogPage(out, next[0]);
  }

  /** Visits records of one function in offset order; returns false to stop. */
  private interface Visitor {
    boolean visit(ConsumerRecord<byte[], byte[]> r);
  }

  /**
   * Reads {@code function}'s records of offsets {@code from} (inclusive) to {@code to} (exclusive),
   * until {@code visitor} says stop; returns whether a deletion mark was among them.
   */
  private boolean read(TopicPartition tp, String function, long from, long to, Visitor visitor) {
    byte[] key = key(function);
    boolean marked = false;
    reader.assign(List.of(tp));
    reader.seek(tp, from);
    long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
    while (reader.position(tp, READ_TIMEOUT) < to) {
      if (System.nanoTime() > deadline) {
        throw new StateException("reading the function logs of " + topic + " timed out");
      }
      for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(100)).records(tp)) {
        if (r.offset() >= to) {
          return marked;
        }
        if (!Arrays.equals(r.key(), key)) {
          continue;
        }
        marked |= r.value() == null || r.value().length == 0;
        if (!visitor.visit(r)) {
          return marked;
        }
      }
    }
    return marked;
  }

  private long beginning(TopicPartition tp) {
    return reader.beginningOffsets(List.of(tp), READ_TIMEOUT).getOrDefault(tp, 0L);
  }

  private long end(TopicPartition tp) {
    return reader.endOffsets(List.of(tp), READ_TIMEOUT).getOrDefault(tp, 0L);
  }

  private static byte[] key(String function) {
    return function.getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> lines(byte[] value) {
    return List.of(new String(value, StandardCharsets.UTF_8).split("\n"));
  }

  @Override
  public void close() {
    try {
      producer.close(Duration.ofSeconds(5)); // sends the last invocations' lines
    } catch (InterruptException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      reader.close(Duration.ofSeconds(1));
    }
  }
}
