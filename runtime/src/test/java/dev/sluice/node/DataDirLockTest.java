package dev.sluice.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
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
}
