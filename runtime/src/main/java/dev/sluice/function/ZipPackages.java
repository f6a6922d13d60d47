package dev.sluice.function;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads and writes deployment packages as zips with their files' Unix permissions, through the
 * JDK's zip file system: Lambda runs a package's executables (a custom runtime's {@code bootstrap},
 * tools under {@code bin/}) with the modes the zip stored, which java.util.zip's streams cannot see
 * or write. Blocking.
 */
final class ZipPackages {

  private static final String PERMISSIONS = "zip:permissions";

  private ZipPackages() {}

  /**
   * Extracts the zip in {@code zip} into {@code target}; a file whose stored mode has an execute
   * bit becomes executable, and so does {@code bootstrap} whatever its mode (a zip made on Windows
   * has none). Returns how many files it wrote.
   */
  static int extract(byte[] zip, Path target) throws IOException {
    Path file = Files.createTempFile(target.getParent(), ".package-", ".zip");
    try {
      Files.write(file, zip);
      try (FileSystem fs = FileSystems.newFileSystem(file, Map.of())) {
        return extract(fs.getPath("/"), target);
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private static int extract(Path root, Path target) throws IOException {
    int files = 0;
    for (Path entry : regularFiles(root)) {
      Path out = target.resolve(root.relativize(entry).toString()).normalize();
      if (!out.startsWith(target)) {
        throw new IOException("entry " + entry + " points outside the package");
      }
      Files.createDirectories(out.getParent());
      // as before: a later entry of the same name wins (names differing only in case, on macOS)
      Files.copy(entry, out, StandardCopyOption.REPLACE_EXISTING);
      if (executable(entry) || out.getFileName().toString().equals("bootstrap")) {
        out.toFile().setExecutable(true, false);
      }
      files++;
    }
    return files;
  }

  private static boolean executable(Path entry) throws IOException {
    @SuppressWarnings("unchecked")
    Set<PosixFilePermission> perms =
        (Set<PosixFilePermission>) Files.getAttribute(entry, PERMISSIONS);
    return perms != null
        && (perms.contains(PosixFilePermission.OWNER_EXECUTE)
            || perms.contains(PosixFilePermission.GROUP_EXECUTE)
            || perms.contains(PosixFilePermission.OTHERS_EXECUTE));
  }

  /** The files under {@code root} as a zip, entries named by their path relative to it. */
  static byte[] zip(Path root) throws IOException {
    Path file = Files.createTempFile(".package-", ".zip");
    try {
      Files.delete(file); // the zip file system creates it
      try (FileSystem fs = FileSystems.newFileSystem(file, Map.of("create", "true"))) {
        for (Path f : regularFiles(root)) {
          Path entry = fs.getPath(root.relativize(f).toString().replace('\\', '/'));
          if (entry.getParent() != null) {
            Files.createDirectories(entry.getParent());
          }
          Files.copy(f, entry);
          Files.setAttribute(entry, PERMISSIONS, modeOf(f));
        }
      }
      return Files.readAllBytes(file);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private static Set<PosixFilePermission> modeOf(Path f) throws IOException {
    try {
      return Files.getPosixFilePermissions(f);
    } catch (UnsupportedOperationException e) {
      // no Unix modes here (Windows): executable as far as the JVM can tell
      return f.toFile().canExecute()
          ? Set.of(
              PosixFilePermission.OWNER_READ,
              PosixFilePermission.OWNER_WRITE,
              PosixFilePermission.OWNER_EXECUTE)
          : Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    }
  }

  private static List<Path> regularFiles(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).sorted().toList();
    }
  }
}
