package dev.sluice.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Scratch directories for benchmark data. They are created below the directory named by the {@code
 * sluice.bench.dir} system property, else below {@code java.io.tmpdir}: point it at the disk you
 * want to measure, since fsync cost is what the log benchmarks mostly measure.
 */
public final class TempDirs {

  private TempDirs() {}

  /** A new empty directory whose name starts with {@code prefix}. */
  public static Path create(String prefix) {
    try {
      String parent = System.getProperty("sluice.bench.dir");
      if (parent == null) {
        return Files.createTempDirectory(prefix);
      }
      Path base = Files.createDirectories(Path.of(parent));
      return Files.createTempDirectory(base, prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes {@code dir} and everything below it; does nothing when it is null or gone. */
  public static void delete(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
