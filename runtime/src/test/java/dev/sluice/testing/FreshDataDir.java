package dev.sluice.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Gives the Quarkus test application a data directory of its own, new for each test run, so that
 * streams left by an earlier run (and their shards, which count against the shard limit) are not
 * there.
 */
public class FreshDataDir implements QuarkusTestResourceLifecycleManager {

  private Path dir;

  @Override
  public Map<String, String> start() {
    try {
      dir = Files.createTempDirectory("sluice-test-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Map.of("sluice.data-dir", dir.toString());
  }

  @Override
  public void stop() {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
