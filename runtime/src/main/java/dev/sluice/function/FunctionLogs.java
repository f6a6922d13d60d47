package dev.sluice.function;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

/**
 * A function's log, in Lambda's format: START, what the handler logged, END and REPORT per
 * invocation. Kept in {@code functions/NAME/logs/}, bounded: the current file rotates at {@code
 * maxBytes}, and only {@code keep} older files are kept. Blocking; called from the service's log
 * thread only.
 */
final class FunctionLogs {

  private final Path dir;
  private final long maxBytes;
  private final int keep;

  FunctionLogs(Path dir, long maxBytes, int keep) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.keep = keep;
  }

  /** Lambda's lines for one invocation. */
  static String format(String requestId, FunctionConfig config, InvocationReport report) {
    StringBuilder sb = new StringBuilder();
    sb.append("START RequestId: ").append(requestId).append(" Version: $LATEST\n");
    sb.append(report.log());
    if (!report.log().isEmpty() && !report.log().endsWith("\n")) {
      sb.append('\n');
    }
    if (report.result() instanceof InvocationResult.Failure f) {
      sb.append(new String(f.toPayload(), StandardCharsets.UTF_8)).append('\n');
    }
    double ms = report.durationNanos() / 1e6;
    sb.append("END RequestId: ").append(requestId).append('\n');
    sb.append("REPORT RequestId: ").append(requestId);
    sb.append(String.format(Locale.ROOT, "\tDuration: %.2f ms", ms));
    sb.append("\tBilled Duration: ").append((long) Math.ceil(ms)).append(" ms");
    sb.append("\tMemory Size: ").append(config.memorySize()).append(" MB");
    sb.append("\tMax Memory Used: ").append(Math.max(0, report.maxMemoryUsedMb())).append(" MB");
    if (report.initDurationNanos() >= 0) {
      sb.append(
          String.format(Locale.ROOT, "\tInit Duration: %.2f ms", report.initDurationNanos() / 1e6));
    }
    return sb.append("\t\n").toString();
  }

  void append(String function, String text) {
    Path file = current(function);
    try {
      Files.createDirectories(file.getParent());
      if (Files.exists(file) && Files.size(file) + text.length() > maxBytes) {
        rotate(function);
      }
      Files.writeString(
          file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The last {@code max} lines, oldest first, across the rotated files. */
  List<String> tail(String function, int max) {
    Deque<String> lines = new ArrayDeque<>();
    for (int i = keep; i >= 0; i--) {
      Path f = i == 0 ? current(function) : rotated(function, i);
      if (!Files.exists(f)) {
        continue;
      }
      try {
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
          lines.addLast(line);
          if (lines.size() > max) {
            lines.removeFirst();
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new ArrayList<>(lines);
  }

  private void rotate(String function) throws IOException {
    Files.deleteIfExists(rotated(function, keep));
    for (int i = keep - 1; i >= 1; i--) {
      if (Files.exists(rotated(function, i))) {
        Files.move(
            rotated(function, i), rotated(function, i + 1), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Files.move(current(function), rotated(function, 1), StandardCopyOption.REPLACE_EXISTING);
  }

  private Path current(String function) {
    return dir.resolve(function).resolve("logs").resolve("function.log");
  }

  private Path rotated(String function, int n) {
    return dir.resolve(function).resolve("logs").resolve("function.log." + n);
  }
}
