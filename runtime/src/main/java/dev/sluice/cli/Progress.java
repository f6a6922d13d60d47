package dev.sluice.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A one-line progress bar on standard error for bulk loads. When standard input is a file its size
 * gives a percentage; from a pipe only the count and the rate are known. Without a terminal it
 * stays quiet, so redirected output holds only results.
 */
final class Progress {

  private static final long REDRAW_NANOS = 200_000_000L;
  private final PrintStream out;
  private final long totalBytes;
  private final boolean enabled;
  private final long started = System.nanoTime();
  private long readBytes;
  private long lastDraw;

  Progress(PrintStream out, long totalBytes, boolean enabled) {
    this.out = out;
    this.totalBytes = totalBytes;
    this.enabled = enabled;
  }

  /** Progress for standard input, sized when it is a regular file. */
  static Progress forStdin(PrintStream out) {
    long size = -1;
    try {
      Path stdin = Path.of("/dev/stdin").toRealPath();
      if (Files.isRegularFile(stdin)) {
        size = Files.size(stdin);
      }
    } catch (IOException | RuntimeException e) {
      // A pipe or a platform without /dev/stdin: show counts only.
    }
    return new Progress(out, size, interactive(System.getProperty(STDERR_TTY)));
  }

  /**
   * Set by the launcher to whether standard error is a terminal ({@code [ -t 2 ]}): the bar is
   * drawn there. Java cannot tell by itself: {@code System.console()} is null whenever standard
   * input is redirected, which it always is for {@code put}'s bulk mode. Outside the {@code
   * sluice.} prefix: the server refuses properties there that its configuration does not have.
   */
  static final String STDERR_TTY = "dev.sluice.stderr-tty";

  /** Whether to draw the bar, given the launcher's {@link #STDERR_TTY} (null: not launched so). */
  static boolean interactive(String stderrTty) {
    return stderrTty != null ? Boolean.parseBoolean(stderrTty) : System.console() != null;
  }

  void read(long bytes) {
    readBytes += bytes;
  }

  void records(long count) {
    long now = System.nanoTime();
    if (enabled && now - lastDraw >= REDRAW_NANOS) {
      lastDraw = now;
      out.print("\r" + line(count, now));
      out.flush();
    }
  }

  void done(long count) {
    if (enabled) {
      out.println("\r" + line(count, System.nanoTime()));
    }
  }

  String line(long count, long now) {
    double seconds = Math.max(1e-3, (now - started) / 1e9);
    String rate = String.format("%,d records  %,.0f/s", count, count / seconds);
    if (totalBytes <= 0) {
      return rate;
    }
    double done = Math.min(1, (double) readBytes / totalBytes);
    int width = 30;
    int filled = (int) Math.round(done * width);
    return String.format(
        "[%s%s] %3.0f%%  %s", "#".repeat(filled), " ".repeat(width - filled), done * 100, rate);
  }
}
