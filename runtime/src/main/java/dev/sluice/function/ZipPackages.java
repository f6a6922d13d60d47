package dev.sluice.function;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Reads and writes deployment packages as zips with their files' Unix permissions, through the
 * JDK's zip file system: Lambda runs a package's executables (a custom runtime's {@code bootstrap},
 * tools under {@code bin/}) with the modes the zip stored, which java.util.zip's streams cannot see
 * or write. Blocking.
 */
final class ZipPackages {

  private static final String PERMISSIONS = "zip:permissions";

  /** Lambda's limit for a package's files once unpacked (250 MB). */
  static final long MAX_UNZIPPED_BYTES = 262_144_000;

  /** Linux's limit for a link's target (PATH_MAX), in bytes. */
  static final int MAX_LINK_BYTES = 4096;

  private static final String UPLOAD_PREFIX = ".package-";
  private static final String UPLOAD_SUFFIX = ".zip";

  private ZipPackages() {}

  /**
   * Extracts the zip in {@code zip} into {@code target}; a file whose stored mode has an execute
   * bit becomes executable, and so does {@code bootstrap} whatever its mode (a zip made on Windows
   * has none). Returns how many files it wrote.
   */
  static int extract(byte[] zip, Path target) throws IOException {
    Set<String> links = ZipSymlinks.names(zip);
    Path file = Files.createTempFile(target.getParent(), UPLOAD_PREFIX, UPLOAD_SUFFIX);
    try {
      Files.write(file, zip);
      try (FileSystem fs = FileSystems.newFileSystem(file, Map.of())) {
        return extract(fs.getPath("/"), target, links);
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private static int extract(Path root, Path target, Set<String> links) throws IOException {
    int files = 0;
    long written = 0;
    Map<Path, String> linksOut = new TreeMap<>();
    for (Path entry : regularFiles(root)) {
      String name = root.relativize(entry).toString();
      Path out = target.resolve(name).normalize();
      if (!out.startsWith(target)) {
        throw new IOException("entry " + entry + " points outside the package");
      }
      files++;
      if (links.contains(name)) {
        linksOut.put(out, linkText(entry, name));
        continue; // made after every file, so that no file is written through a link
      }
      Files.createDirectories(out.getParent());
      // as before: a later entry of the same name wins (names differing only in case, on macOS)
      written += copy(entry, out, MAX_UNZIPPED_BYTES - written);
      if (executable(entry) || out.getFileName().toString().equals("bootstrap")) {
        out.toFile().setExecutable(true, false);
      }
    }
    for (Map.Entry<Path, String> l : linksOut.entrySet()) {
      for (Path up = l.getKey().getParent(); !up.equals(target); up = up.getParent()) {
        if (linksOut.containsKey(up)) {
          // made through that link, it could land anywhere, before any check
          throw new IOException(
              "entry "
                  + target.relativize(l.getKey())
                  + " lies under the link "
                  + target.relativize(up));
        }
      }
      Files.createDirectories(l.getKey().getParent());
      Files.deleteIfExists(l.getKey());
      Files.createSymbolicLink(l.getKey(), linkTarget(l.getValue(), target.relativize(l.getKey())));
    }
    for (Map.Entry<Path, String> l : linksOut.entrySet()) {
      checkInside(l.getKey(), l.getValue(), target);
    }
    return files;
  }

  /** Whether {@code file} is an upload {@link #extract} was unpacking (next to its target). */
  static boolean isUpload(Path file) {
    String name = file.getFileName().toString();
    return name.startsWith(UPLOAD_PREFIX)
        && name.endsWith(UPLOAD_SUFFIX)
        && Files.isRegularFile(file);
  }

  /**
   * A link entry's target; one longer than a path can be is refused as it is read, not read whole:
   * its size is not counted against the unzipped limit, and a zip bomb could state any.
   */
  private static String linkText(Path entry, String name) throws IOException {
    byte[] target;
    try (InputStream in = Files.newInputStream(entry)) {
      target = in.readNBytes(MAX_LINK_BYTES + 1);
    }
    if (target.length > MAX_LINK_BYTES) {
      throw new IOException(
          "entry " + name + " is a link whose target is over " + MAX_LINK_BYTES + " bytes");
    }
    return new String(target, StandardCharsets.UTF_8);
  }

  /**
   * Copies {@code entry} to {@code out}, replacing it, and returns its size; past {@code room}
   * bytes it stops and throws. The bytes are counted as they are written, not taken from the
   * entry's header, which a zip bomb can understate.
   */
  private static long copy(Path entry, Path out, long room) throws IOException {
    byte[] buf = new byte[64 * 1024];
    long n = 0;
    try (InputStream in = Files.newInputStream(entry);
        OutputStream o = Files.newOutputStream(out)) {
      for (int r; (r = in.read(buf)) >= 0; ) {
        n += r;
        if (n > room) {
          throw new TooLargeException();
        }
        o.write(buf, 0, r);
      }
    }
    return n;
  }

  /** A package that unpacks to more than Lambda's limit. */
  static final class TooLargeException extends IOException {
    TooLargeException() {
      super("Unzipped size must be smaller than " + MAX_UNZIPPED_BYTES + " bytes", null);
    }
  }

  /** A link's stored target as a path; one no path can be (a NUL in it) is a bad package. */
  private static Path linkTarget(String to, Path entry) throws IOException {
    try {
      return Path.of(to);
    } catch (java.nio.file.InvalidPathException e) {
      throw new IOException(
          "the link " + entry + " has a target that is no path: " + e.getReason());
    }
  }

  /**
   * Refuses a link that leads out of the package or to nothing, once every link is made: one link
   * can lead through another ({@code a/up -> ..}, then {@code b -> a/up/..}), so only the path the
   * file system resolves tells. Lambda unpacks links as they are (a library's {@code libfoo.so ->
   * libfoo.so.1}).
   */
  private static void checkInside(Path link, String to, Path target) throws IOException {
    String entry = target.relativize(link).toString();
    Path real;
    try {
      real = link.toRealPath();
    } catch (IOException e) {
      throw new IOException(
          "entry " + entry + " is a link to " + to + ", which leads to nothing in the package");
    }
    if (!real.startsWith(target.toRealPath())) {
      throw new IOException("entry " + entry + " is a link to " + to + ", outside the package");
    }
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
    Set<String> links = new HashSet<>();
    try {
      Files.delete(file); // the zip file system creates it
      try (FileSystem fs = FileSystems.newFileSystem(file, Map.of("create", "true"))) {
        for (Path f : entries(root)) {
          String name = root.relativize(f).toString().replace('\\', '/');
          Path entry = fs.getPath(name);
          if (entry.getParent() != null) {
            Files.createDirectories(entry.getParent());
          }
          if (Files.isSymbolicLink(f)) {
            // stored as the link it is, as an upload had it (ZipSymlinks marks it below)
            Files.writeString(entry, Files.readSymbolicLink(f).toString(), StandardCharsets.UTF_8);
            links.add(name);
            continue;
          }
          Files.copy(f, entry);
          Files.setAttribute(entry, PERMISSIONS, modeOf(f));
        }
      }
      byte[] zip = Files.readAllBytes(file);
      ZipSymlinks.mark(zip, links);
      return zip;
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** The regular files and symbolic links under {@code root}, links not followed. */
  private static List<Path> entries(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(p -> Files.isSymbolicLink(p) || Files.isRegularFile(p)).sorted().toList();
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
