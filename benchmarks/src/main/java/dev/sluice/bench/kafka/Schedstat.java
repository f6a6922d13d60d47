package dev.sluice.bench.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One thread's scheduler account from Linux's {@code /proc/.../schedstat}: nanoseconds on a core,
 * and nanoseconds runnable but waiting for one. The wait is what tells a thread held up by the
 * other threads of a busy machine from one waiting for the broker.
 *
 * @param cpuNanos time spent running
 * @param waitNanos time spent runnable on a run queue
 */
record Schedstat(long cpuNanos, long waitNanos) {

  static final Schedstat UNKNOWN = new Schedstat(-1, -1);

  /** The calling thread's account, or {@link #UNKNOWN}. */
  static Schedstat self() {
    return read(Path.of("/proc/thread-self/schedstat"));
  }

  /**
   * The account in {@code file} (a task's {@code schedstat}), or {@link #UNKNOWN}: also when it is
   * all zeros, as kernels without scheduler statistics report it.
   */
  static Schedstat read(Path file) {
    try {
      String[] f = Files.readString(file).strip().split(" ");
      Schedstat s = new Schedstat(Long.parseLong(f[0]), Long.parseLong(f[1]));
      return s.cpuNanos == 0 && s.waitNanos == 0 ? UNKNOWN : s;
    } catch (IOException | RuntimeException e) {
      return UNKNOWN;
    }
  }

  boolean known() {
    return cpuNanos >= 0;
  }

  /** What this thread did since {@code earlier}, or {@link #UNKNOWN}. */
  Schedstat since(Schedstat earlier) {
    return known() && earlier.known()
        ? new Schedstat(cpuNanos - earlier.cpuNanos, waitNanos - earlier.waitNanos)
        : UNKNOWN;
  }

  /** The run-queue wait as a percentage of {@code seconds} of wall time; NaN when unknown. */
  double waitPercent(double seconds) {
    return known() ? waitNanos / (seconds * 1e7) : Double.NaN;
  }
}
