package dev.sluice.bench.mapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's CPU (utime + stime from /proc/PID/stat) over an interval, as % of one core. */
public final class CpuTimes {
  private final long pid;
  private final long wall;
  private final long ticks;

  private CpuTimes(long pid) {
    this.pid = pid;
    this.wall = System.nanoTime();
    this.ticks = ticks(pid);
  }

  /** Starts measuring the CPU of process {@code pid} (no-op when it is not positive). */
  public static CpuTimes start(long pid) {
    return new CpuTimes(pid);
  }

  /** The CPU used since {@link #start}, as text, named "server". */
  public String stop() {
    return stop("server");
  }

  /** The CPU used since {@link #start}, as text, naming the process {@code who}. */
  public String stop(String who) {
    if (pid <= 0 || ticks < 0) {
      return who + " CPU unknown";
    }
    double secs = (System.nanoTime() - wall) / 1e9;
    long used = ticks(pid) - ticks;
    // USER_HZ is 100 on Linux
    return String.format("%s %.2f %% of one core (%.2f CPU s)", who, used / secs, used / 100.0);
  }

  static long ticks(long pid) {
    if (pid <= 0) {
      return -1;
    }
    return ticks(Path.of("/proc/" + pid + "/stat"));
  }

  /**
   * The CPU ticks (1/100 s) in a {@code /proc} stat file, of a process or of one of its threads
   * ({@code /proc/PID/task/TID/stat}); -1 when it cannot be read.
   */
  public static long ticks(Path statFile) {
    try {
      String stat = Files.readString(statFile);
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
