package dev.sluice.bench.kafka;

import dev.sluice.bench.mapper.CpuTimes;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The CPU of a process's threads over one run, summed by thread name with digits dropped (so a
 * pool's threads count as one), from /proc: which of the broker's threads a reader keeps busy.
 */
final class ThreadTicks {

  private final long pid;
  private final Map<String, Long> start;

  private ThreadTicks(long pid) {
    this.pid = pid;
    this.start = read(pid);
  }

  /** Starts counting the threads of process {@code pid}. */
  static ThreadTicks start(long pid) {
    return new ThreadTicks(pid);
  }

  /** The {@code n} busiest thread groups since {@link #start}, in CPU seconds, as text. */
  String stop(int n) {
    Map<String, Long> end = read(pid);
    Map<String, Long> used = new HashMap<>();
    end.forEach((k, v) -> used.merge(group(k), v - start.getOrDefault(k, 0L), Long::sum));
    return used.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(n)
        .map(e -> String.format("%s %.2f", e.getKey(), e.getValue() / 100.0))
        .collect(Collectors.joining(", ", "threads (CPU s): ", ""));
  }

  private static String group(String key) {
    return key.substring(key.indexOf(' ') + 1).replaceAll("[0-9]+", "#");
  }

  /** "TID NAME" to ticks, for each thread of {@code pid}. */
  private static Map<String, Long> read(long pid) {
    Map<String, Long> out = new HashMap<>();
    try (DirectoryStream<Path> tasks =
        Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
      for (Path t : tasks) {
        try {
          String name = Files.readString(t.resolve("comm")).strip();
          out.put(t.getFileName() + " " + name, CpuTimes.ticks(t.resolve("stat")));
        } catch (IOException gone) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      return out;
    }
    return out;
  }
}
