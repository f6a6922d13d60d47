package dev.sluice.function;

import java.nio.file.Path;

/** Where a deployment package comes from. */
public sealed interface CodeSource {

  /** A zip or jar uploaded whole (Lambda's {@code ZipFile}). */
  record Upload(byte[] bytes) implements CodeSource {}

  /**
   * A jar, a zip or a directory on this machine: Sluice's extension for packages too large to
   * upload comfortably.
   */
  record Local(Path path) implements CodeSource {}
}
