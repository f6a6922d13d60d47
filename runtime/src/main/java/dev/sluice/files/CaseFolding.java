package dev.sluice.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.UUID;

/**
 * Whether a directory's file system tells names apart by case. macOS's and Windows' usually do not,
 * while stream and function names are case-sensitive: there, {@code Orders} and {@code orders}
 * would share one directory, and each would overwrite and delete the other's files.
 */
public final class CaseFolding {

  private CaseFolding() {}

  /**
   * Whether names in {@code dir} that differ only by case name one file; made if missing. Probes
   * with a file of its own, removed again.
   */
  public static boolean ignoresCase(Path dir) {
    try {
      Files.createDirectories(dir);
      Path probe = dir.resolve(".Case-Probe-" + UUID.randomUUID());
      Files.createFile(probe);
      try {
        return Files.exists(dir.resolve(probe.getFileName().toString().toLowerCase(Locale.ROOT)));
      } finally {
        Files.deleteIfExists(probe);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot probe " + dir + " for case sensitivity", e);
    }
  }

  /** The name among {@code names} other than {@code name} that equals it but for case, or null. */
  public static String clash(String name, Iterable<String> names) {
    for (String n : names) {
      if (!n.equals(name) && n.equalsIgnoreCase(name)) {
        return n;
      }
    }
    return null;
  }
}
