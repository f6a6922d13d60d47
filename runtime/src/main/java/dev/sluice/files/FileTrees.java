package dev.sluice.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Directory trees of scratch and package files, which nothing needs removed durably. */
public final class FileTrees {

  private FileTrees() {}

  /**
   * Deletes {@code dir} and everything below it, deepest first; a missing directory is fine, and a
   * file that cannot be deleted is left (best effort: it is scratch space or a replaced package).
   *
   * @throws UncheckedIOException when the tree cannot be listed
   */
  public static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
