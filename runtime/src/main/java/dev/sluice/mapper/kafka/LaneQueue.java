package dev.sluice.mapper.kafka;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A lane's fetched records waiting for a batch, in offset order. The lists a poll returned are kept
 * as they came, each with the running sum of its records' {@link KafkaBatches#jsonBound}s, so a
 * record is not copied into a queue and out of it again, and its bound is computed once: every
 * record of the mapping passes through its one poll thread, which the raw consumer loop spends on
 * fetching alone. Only the poll thread touches it.
 */
final class LaneQueue {

  private final ArrayDeque<Chunk> chunks = new ArrayDeque<>();

  /** The first record of the first chunk not taken yet. */
  private int head;

  private int size;
  private long bounds;

  /** Appends {@code records}, which the caller no longer changes. */
  void add(List<ConsumerRecord<byte[], byte[]>> records) {
    if (records.isEmpty()) {
      return;
    }
    long[] running = new long[records.size()];
    long sum = 0;
    for (int i = 0; i < running.length; i++) {
      sum += KafkaBatches.jsonBound(records.get(i));
      running[i] = sum;
    }
    chunks.add(new Chunk(records, running));
    size += running.length;
    bounds += sum;
  }

  /** How many records wait. */
  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** The offset of the first waiting record; the queue must not be empty. */
  long firstOffset() {
    return first().offset();
  }

  /** The first waiting record; the queue must not be empty. */
  ConsumerRecord<byte[], byte[]> first() {
    return chunks.peek().records.get(head);
  }

  /** The sum of the waiting records' JSON bounds. */
  long bounds() {
    return bounds;
  }

  /**
   * Takes the first records, at most {@code max} of them and no more than fit in {@code maxBounds}
   * (but always one, so that a record larger than the limit still gets its own batch and fails
   * there, rather than blocking the lane).
   */
  Taken take(int max, long maxBounds) {
    int n = 0;
    long used = 0;
    // first pass: how many fit, chunk by chunk, by the running sums
    int at = head;
    for (Chunk c : chunks) {
      int fit = c.fit(at, Math.min(max - n, c.size() - at), maxBounds - used, n == 0);
      n += fit;
      used += c.sum(at, at + fit);
      if (at + fit < c.size() || n == max) {
        break;
      }
      at = 0;
    }
    @SuppressWarnings("unchecked")
    ConsumerRecord<byte[], byte[]>[] out = new ConsumerRecord[n];
    for (int i = 0; i < n; ) {
      Chunk c = chunks.peek();
      int k = Math.min(n - i, c.size() - head);
      for (int j = 0; j < k; j++) {
        out[i++] = c.records.get(head + j);
      }
      head += k;
      if (head == c.size()) {
        chunks.poll();
        head = 0;
      }
    }
    size -= n;
    bounds -= used;
    return new Taken(Arrays.asList(out), used);
  }

  /**
   * Records taken for one batch.
   *
   * @param records the records, in offset order; never changed
   * @param bounds the sum of their JSON bounds
   */
  record Taken(List<ConsumerRecord<byte[], byte[]>> records, long bounds) {}

  /** One poll's records for this lane and their running bound sums. */
  private record Chunk(List<ConsumerRecord<byte[], byte[]>> records, long[] running) {

    int size() {
      return running.length;
    }

    /** The bound sum of records {@code from} (inclusive) to {@code to} (exclusive). */
    long sum(int from, int to) {
      if (to <= from) {
        return 0;
      }
      return running[to - 1] - (from == 0 ? 0 : running[from - 1]);
    }

    /**
     * How many of at most {@code max} records from {@code from} fit in {@code room}; one at least
     * when {@code first} (the batch has none yet) and {@code max} allows.
     */
    int fit(int from, int max, long room, boolean first) {
      if (max <= 0) {
        return 0;
      }
      long base = from == 0 ? 0 : running[from - 1];
      if (running[from + max - 1] - base <= room) {
        return max; // the usual case: everything asked for fits
      }
      // the running sums only grow: find the last record that still fits
      int i = Arrays.binarySearch(running, from, from + max, base + room);
      int fit = (i >= 0 ? i + 1 : -i - 1) - from;
      return first ? Math.max(1, fit) : fit;
    }
  }
}
