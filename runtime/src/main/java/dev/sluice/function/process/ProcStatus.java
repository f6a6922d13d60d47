package dev.sluice.function.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Peak memory of an instance's processes, from {@code /proc/<pid>/status} where Linux has it. */
final class ProcStatus {

  private ProcStatus() {}

  /**
   * The sum of VmHWM (peak resident set) over the given processes in megabytes, rounded up, or -1
   * when none could be read (not Linux, or every process already gone).
   */
  static long peakMb(List<ProcessHandle> processes) {
    long kb = 0;
    boolean any = false;
    for (ProcessHandle p : processes) {
      long v = vmHwmKb(p.pid());
      if (v >= 0) {
        kb += v;
        any = true;
      }
    }
    return any ? (kb + 1023) / 1024 : -1;
  }

  static long vmHwmKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone, or no procfs: unknown
    }
    return -1;
  }
}
