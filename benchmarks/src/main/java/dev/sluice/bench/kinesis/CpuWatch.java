package dev.sluice.bench.kinesis;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * CPU used by this process (the client) and, when known, by the server process over an interval, in
 * cores (CPU seconds per wall-clock second).
 */
final class CpuWatch {

  private final Supplier<Optional<Duration>> server;
  private long wallStart;
  private long clientStart;
  private long serverStart = -1;
  private String report = "(not measured)";

  /** Watches this process and the server whose CPU time {@code server} reports (may be empty). */
  CpuWatch(Supplier<Optional<Duration>> server) {
    this.server = server;
  }

  /** Starts the interval. */
  void start() {
    wallStart = System.nanoTime();
    clientStart = clientNanos();
    serverStart = server.get().map(Duration::toNanos).orElse(-1L);
  }

  /** Ends the interval; {@link #report} describes it. */
  void stop() {
    double wall = System.nanoTime() - wallStart;
    String text = String.format("client %.2f cores", (clientNanos() - clientStart) / wall);
    Optional<Duration> serverNow = server.get();
    if (serverStart >= 0 && serverNow.isPresent()) {
      text +=
          String.format(", server %.2f cores", (serverNow.get().toNanos() - serverStart) / wall);
    }
    report = text + String.format(" (of %d)", Runtime.getRuntime().availableProcessors());
  }

  /** CPU use over the last interval. */
  String report() {
    return report;
  }

  private static long clientNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return 0;
  }
}
