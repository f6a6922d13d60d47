package dev.sluice.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One node per data directory, on a real lock file. */
class DataDirLockTest {

  @TempDir Path dir;

  @Test
  void acquire_directoryHeldByAnotherNode_refusedWithItsPidThenFreeOnceReleased() {
    Path data = dir.resolve("data");
    DataDirLock first = DataDirLock.acquire(data);

    assertThatThrownBy(() -> DataDirLock.acquire(data))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("in use by another Sluice node")
        .hasMessageContaining("pid " + ProcessHandle.current().pid());

    first.close();
    DataDirLock again = DataDirLock.acquire(data);
    again.close();
    assertThat(data.resolve("node.lock")).exists();
  }

  /** Tries the lock file from another process, as a second node would. */
  static final String PROBE =
      """
      import java.nio.channels.FileChannel;
      import java.nio.file.*;
      public class Probe {
        public static void main(String[] a) throws Exception {
          try (FileChannel ch = FileChannel.open(Path.of(a[0]), StandardOpenOption.WRITE)) {
            System.out.print(ch.tryLock() == null ? "held" : "free");
          }
        }
      }
      """;

  @Test
  void acquire_refusedInTheSameProcess_theHoldersLockStaysForOtherProcesses() throws Exception {
    Path data = dir.resolve("data");
    DataDirLock first = DataDirLock.acquire(data);
    try {
      assertThatThrownBy(() -> DataDirLock.acquire(data)).isInstanceOf(IllegalStateException.class);
      assertThat(DataDirLock.inUse(data)).contains("in use by another Sluice node");

      assertThat(probe(data.resolve("node.lock")))
          .as("seen from another process")
          .isEqualTo("held");
    } finally {
      first.close();
    }
  }

  private String probe(Path lockFile) throws Exception {
    Path source = dir.resolve("Probe.java");
    Files.writeString(source, PROBE);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(java, source.toString(), lockFile.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return out.strip();
  }
}
