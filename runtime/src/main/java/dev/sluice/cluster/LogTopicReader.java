package dev.sluice.cluster;

import static dev.sluice.cluster.KafkaFunctionLogs.LINES;
import static dev.sluice.cluster.KafkaFunctionLogs.READ_TIMEOUT;
import static dev.sluice.cluster.KafkaFunctionLogs.partitionOf;

import dev.sluice.function.FunctionException;
import dev.sluice.function.LogPage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads functions' logs from the topic {@link KafkaFunctionLogs} writes, with one consumer that is
 * assigned and seeks (no group), one read at a time: reads come from request threads.
 */
final class LogTopicReader {

  /** Records a tail reads back first; each further step reads four times as many. */
  private static final long FIRST_WINDOW = 256;

  private final String topic;
  private final KafkaConsumer<byte[], byte[]> reader;

  LogTopicReader(String topic, KafkaConsumer<byte[], byte[]> reader) {
    this.topic = topic;
    this.reader = reader;
  }

  /** The last {@code max} lines of {@code function}, as {@link KafkaFunctionLogs#last}. */
  synchronized LogPage last(String function, int max) {
    try {
      return lastOf(function, max);
    } catch (KafkaException e) {
      throw unreadable(e);
    }
  }

  private LogPage lastOf(String function, int max) {
    TopicPartition tp = new TopicPartition(topic, partitionOf(key(function)));
    long begin = beginning(tp);
    long end = end(tp);
    Deque<String> lines = new ArrayDeque<>();
    long to = end;
    long window = FIRST_WINDOW;
    long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
    while (to > begin && lines.size() < max) {
      long from = Math.max(begin, to - window);
      Deque<String> found = new ArrayDeque<>();
      Read read = read(tp, function, from, to, deadline, r -> collect(r, found, max));
      if (read == Read.TIMED_OUT) {
        break; // the window's lines read so far are older than a gap: the newer ones alone go
      }
      while (!found.isEmpty()) {
        lines.addFirst(found.removeLast());
      }
      if (read == Read.MARKED) {
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

  /**
   * Adds a record's lines to {@code found}, keeping the last {@code max}; a deletion mark drops
   * those found before it.
   */
  private static boolean collect(ConsumerRecord<byte[], byte[]> r, Deque<String> found, int max) {
    if (isMark(r)) {
      found.clear();
      return true;
    }
    for (String line : lines(r.value())) {
      found.addLast(line);
      if (found.size() > max) {
        found.removeFirst();
      }
    }
    return true;
  }

  private static boolean isMark(ConsumerRecord<byte[], byte[]> r) {
    return r.value() == null || r.value().length == 0;
  }

  /** Lines from {@code position} on, as {@link KafkaFunctionLogs#page}. */
  synchronized LogPage page(String function, long position, int max) {
    try {
      return pageOf(function, position, max);
    } catch (KafkaException e) {
      throw unreadable(e);
    }
  }

  private LogPage pageOf(String function, long position, int max) {
    TopicPartition tp = new TopicPartition(topic, partitionOf(key(function)));
    long begin = beginning(tp);
    long end = end(tp);
    long first = position / LINES;
    long skip = position % LINES;
    if (first < begin) {
      first = begin;
      skip = 0;
    }
    if (first >= end) {
      return new LogPage(List.of(), Math.max(position, end * LINES));
    }
    PageBuilder page = new PageBuilder(first, skip, max);
    Read read = read(tp, function, first, end, System.nanoTime() + READ_TIMEOUT.toNanos(), page);
    long next =
        switch (read) {
          case STOPPED -> page.stoppedAt;
          case TIMED_OUT -> reached > first ? reached * LINES : position;
          default -> end * LINES;
        };
    return new LogPage(page.out, next);
  }

  /** Gathers a page's lines from the records a read visits. */
  private static final class PageBuilder implements Visitor {
    final List<String> out = new ArrayList<>();
    final long first;
    final long skip;
    final int max;

    /** The position of the first line not taken, once a record did not fit whole. */
    long stoppedAt;

    PageBuilder(long first, long skip, int max) {
      this.first = first;
      this.skip = skip;
      this.max = max;
    }

    @Override
    public boolean visit(ConsumerRecord<byte[], byte[]> r) {
      if (isMark(r)) {
        out.clear(); // what came before was the log of a function deleted since
        return true;
      }
      List<String> all = lines(r.value());
      int start = r.offset() == first ? (int) Math.min(skip, all.size()) : 0;
      int take = Math.min(all.size() - start, max - out.size());
      out.addAll(all.subList(start, start + take));
      if (start + take < all.size()) {
        stoppedAt = r.offset() * LINES + start + take;
        return false;
      }
      return true;
    }
  }

  private FunctionException unreadable(KafkaException e) {
    return new FunctionException(
        FunctionException.Kind.SERVICE,
        "The function's log cannot be read from " + topic + " now: " + e.getMessage(),
        e);
  }

  /** Visits records of one function in offset order; returns false to stop. */
  private interface Visitor {
    boolean visit(ConsumerRecord<byte[], byte[]> r);
  }

  /** How a read ended. */
  private enum Read {
    /** Every record up to the end asked for was read. */
    WHOLE,
    /** A deletion mark was among the records (all read unless the visitor stopped). */
    MARKED,
    /** The visitor said stop. */
    STOPPED,
    /** Out of time: records from {@link #reached} on were not read. */
    TIMED_OUT
  }

  /** The offset after the last record the latest read examined. */
  private long reached;

  /**
   * Reads {@code function}'s records of offsets {@code from} (inclusive) to {@code to} (exclusive),
   * until {@code visitor} says stop or {@code deadline} (a nanoTime) passes.
   */
  private Read read(
      TopicPartition tp, String function, long from, long to, long deadline, Visitor visitor) {
    byte[] key = key(function);
    boolean marked = false;
    reader.assign(List.of(tp));
    reader.seek(tp, from);
    reached = from;
    while (reached < to) {
      if (System.nanoTime() > deadline) {
        return Read.TIMED_OUT;
      }
      for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(100)).records(tp)) {
        if (r.offset() >= to) {
          reached = to;
          break;
        }
        reached = r.offset() + 1;
        if (!Arrays.equals(r.key(), key)) {
          continue;
        }
        marked |= isMark(r);
        if (!visitor.visit(r)) {
          return Read.STOPPED;
        }
      }
      // past records deleted by retention, or aborted transactions' markers, no record is returned
      reached = Math.max(reached, Math.min(to, reader.position(tp, READ_TIMEOUT)));
    }
    return marked ? Read.MARKED : Read.WHOLE;
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

  synchronized void close() {
    reader.close(Duration.ofSeconds(1));
  }
}
