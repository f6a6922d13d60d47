package dev.sluice.bench.kinesis;

import java.util.Arrays;
import java.util.Collection;

/** Call latencies in nanoseconds, for percentiles; not thread-safe (one per thread, then merge). */
final class Latencies {

  private long[] values = new long[1024];
  private int size;

  /** Records one latency. */
  void add(long nanos) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = nanos;
  }

  int count() {
    return size;
  }

  /** All latencies of {@code parts}, sorted. */
  static Latencies merge(Collection<Latencies> parts) {
    Latencies all = new Latencies();
    all.values = new long[Math.max(1, parts.stream().mapToInt(Latencies::count).sum())];
    for (Latencies p : parts) {
      System.arraycopy(p.values, 0, all.values, all.size, p.size);
      all.size += p.size;
    }
    Arrays.sort(all.values, 0, all.size);
    return all;
  }

  /** The nearest-rank percentile in milliseconds of a merged (sorted) set; NaN when empty. */
  double percentileMillis(double p) {
    if (size == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * size);
    return values[Math.min(size, Math.max(1, rank)) - 1] / 1e6;
  }

  /** {@code p50 ... p99 ... max ...} of a merged set. */
  String summary() {
    return String.format(
        "p50 %.1f ms, p99 %.1f ms, max %.1f ms",
        percentileMillis(50), percentileMillis(99), percentileMillis(100));
  }
}
