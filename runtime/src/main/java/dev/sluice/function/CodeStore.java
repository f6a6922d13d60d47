package dev.sluice.function;

import dev.sluice.files.AtomicFiles;
import dev.sluice.files.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Unpacks deployment packages into Lambda's layout under {@code functions/NAME/code/SHA/}: a zip
 * (or a jar, which is a zip) is extracted as is, a local jar is placed in {@code lib/}, a local
 * directory is copied. A package already unpacked (same SHA-256) is reused. Blocking; never call it
 * from an event loop.
 */
final class CodeStore {

  private final Path functionsDir;

  /** When each package was last stored or unpacked (nanoTime), so a removal can tell. */
  private final Map<Path, Long> placed = new ConcurrentHashMap<>();

  /**
   * Orders placing a package (marking it, moving it in) against deleting packages and a function's
   * directories, which happen on other threads: the shared state's applier, the async queue, calls.
   */
  private final Object placing = new Object();

  /** Runs just before a package is moved into place; tests use it to interleave a removal. */
  volatile Runnable beforeMove = () -> {};

  CodeStore(Path functionsDir) {
    this.functionsDir = functionsDir;
  }

  /**
   * An unpacked package.
   *
   * @param code where it lies
   * @param sha256 base64 SHA-256 of the package, as Lambda reports CodeSha256
   * @param size bytes of the package
   */
  record Stored(DeployedCode code, String sha256, long size) {}

  Stored store(String function, CodeSource source) {
    try {
      if (source instanceof CodeSource.Upload u) {
        return unzip(function, u.bytes());
      }
      return local(function, ((CodeSource.Local) source).path());
    } catch (ZipPackages.TooLargeException e) {
      throw FunctionException.invalid(e.getMessage());
    } catch (IOException | java.io.UncheckedIOException | IllegalArgumentException e) {
      // digests and directory walks wrap theirs: an unreadable S3Key path is bad input too, and
      // so is an entry name no path can hold (a NUL) or that is not UTF-8 (InvalidPathException
      // and zipfs's own are IllegalArgumentExceptions)
      throw FunctionException.invalid("Could not unpack the deployment package: " + e.getMessage());
    }
  }

  /**
   * Stores {@code source} only to check it (a DryRun): as {@link #store}, but the package does not
   * count as placed since, so a retiring package it names is still removed once its invocations
   * end, instead of staying on disk until the next start.
   */
  Stored check(String function, CodeSource source) {
    Map<Path, Long> before = new HashMap<>(placed);
    Stored stored = store(function, source);
    Path root = stored.code().root();
    Long previous = before.get(root);
    if (previous == null) {
      placed.remove(root);
    } else {
      placed.put(root, previous);
    }
    return stored;
  }

  /**
   * The directory of a stored package, from its SHA-256 as {@link #store} reported it; fails as an
   * invalid parameter when it is not there.
   */
  DeployedCode existing(String function, String sha256) {
    DeployedCode code = placeOf(function, sha256);
    if (!Files.isDirectory(code.root())) {
      throw FunctionException.invalid("its code package " + sha256 + " is not on this node");
    }
    return code;
  }

  /** Where the package whose SHA-256 is {@code sha256} is unpacked, whether it is there or not. */
  DeployedCode placeOf(String function, String sha256) {
    return new DeployedCode(dirFor(function, sha256));
  }

  private Stored unzip(String function, byte[] bytes) throws IOException {
    String sha = CodeDigest.bytes(bytes);
    return new Stored(unpack(function, sha, bytes), sha, bytes.length);
  }

  /**
   * Unpacks {@code zip} as the package whose SHA-256 is {@code sha256} (which may be the digest of
   * another form of it, e.g. the jar it was made from), unless that one is unpacked already.
   */
  DeployedCode unpack(String function, String sha256, byte[] zip) throws IOException {
    Path dir = dirFor(function, sha256);
    place(dir, tmp -> extract(zip, tmp));
    return new DeployedCode(dir);
  }

  /**
   * Unpacks the package whose SHA-256 is {@code sha256} unless it is unpacked already; {@code zip}
   * is asked for its bytes only then, and null from it (the package is gone) unpacks nothing.
   */
  void unpackIfMissing(String function, String sha256, Supplier<byte[]> zip) throws IOException {
    Path dir = dirFor(function, sha256);
    if (!markPlaced(dir)) {
      return;
    }
    byte[] bytes = zip.get();
    if (bytes != null) {
      unpack(function, sha256, bytes);
    }
  }

  private interface Fill {
    void into(Path tmp) throws IOException;
  }

  /**
   * Fills a temporary directory and moves it to {@code dir} at once, unless {@code dir} is there
   * already (the same package). What fails leaves nothing behind; a package with no file is
   * refused, as other nodes could not unpack it.
   */
  private void place(Path dir, Fill fill) throws IOException {
    if (!markPlaced(dir)) {
      return;
    }
    Files.createDirectories(functionsDir);
    Path tmp = Files.createTempDirectory(functionsDir, ".unpack-");
    try {
      fill.into(tmp);
      if (CodeDigest.files(tmp).isEmpty()) {
        throw new IOException("the package holds no files");
      }
      moveInto(tmp, dir);
    } catch (IOException e) {
      if (!Files.isDirectory(dir)) {
        throw e;
      }
      // another thread placed the same package meanwhile (the shared state's applier, an API call)
    } finally {
      deleteTree(tmp);
    }
  }

  /**
   * Moves a filled directory to {@code dir}; under the lock that removing a function's empty
   * directories takes, which could otherwise remove the parent just made, failing the move.
   */
  private void moveInto(Path tmp, Path dir) throws IOException {
    // on disk before the function's definition, written after this, can name it
    AtomicFiles.syncTree(tmp);
    synchronized (placing) {
      AtomicFiles.createDirectories(dir.getParent());
      beforeMove.run();
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
      AtomicFiles.syncDirectory(dir.getParent());
    }
  }

  private Stored local(String function, Path path) throws IOException {
    if (!path.isAbsolute() || !Files.exists(path)) {
      throw FunctionException.invalid(
          "Local code path " + path + " is not an existing absolute path.");
    }
    if (Files.isDirectory(path)) {
      return directory(function, path);
    }
    String name = path.getFileName().toString();
    if (name.endsWith(".zip")) {
      return unzip(function, Files.readAllBytes(path));
    }
    if (!name.endsWith(".jar")) {
      throw FunctionException.invalid("Local code must be a .jar, a .zip or a directory: " + path);
    }
    String sha = CodeDigest.of(path);
    Path dir = dirFor(function, sha);
    place(
        dir,
        tmp -> {
          Files.createDirectories(tmp.resolve("lib"));
          Files.copy(path, tmp.resolve("lib").resolve(name));
        });
    return new Stored(new DeployedCode(dir), sha, Files.size(path));
  }

  private Stored directory(String function, Path source) throws IOException {
    List<Path> files = CodeDigest.files(source);
    long size = 0;
    for (Path f : files) {
      size += Files.size(f);
    }
    String sha = CodeDigest.of(source);
    Path dir = dirFor(function, sha);
    place(
        dir,
        tmp -> {
          for (Path f : files) {
            Path target = tmp.resolve(source.relativize(f).toString());
            Files.createDirectories(target.getParent());
            Files.copy(f, target, StandardCopyOption.COPY_ATTRIBUTES);
          }
        });
    return new Stored(new DeployedCode(dir), sha, size);
  }

  private static void extract(byte[] zip, Path target) throws IOException {
    if (ZipPackages.extract(zip, target) == 0) {
      throw new IOException("the package holds no files");
    }
  }

  private Path dirFor(String function, String sha256) {
    return functionsDir.resolve(function).resolve("code").resolve(dirName(sha256));
  }

  /** A package's directory name: the hex of its SHA-256's first 12 bytes. */
  private static String dirName(String sha256) {
    return HexFormat.of().formatHex(Base64.getDecoder().decode(sha256), 0, 12);
  }

  /**
   * Whether the package at {@code root} was stored or unpacked again at or after {@code nanos}:
   * another node's rollback to it sends the package before the configuration that names it.
   */
  private boolean placedSince(Path root, long nanos) {
    Long at = placed.get(root);
    return at != null && at - nanos >= 0;
  }

  /**
   * Marks {@code dir} placed now; returns whether it must be filled (it is not there). Atomic with
   * {@link #deleteUnlessPlacedSince}: found there, the package cannot be removed after all by a
   * deletion that checked before this mark, which left a function installed without its files.
   */
  private boolean markPlaced(Path dir) {
    synchronized (placing) {
      placed.put(dir, System.nanoTime());
      return !Files.isDirectory(dir);
    }
  }

  /**
   * Deletes one unpacked package unless it was stored or unpacked again at or after {@code nanos}
   * (another node's change may be about to run it); one that cannot be deleted is left, logged.
   */
  void deleteUnlessPlacedSince(DeployedCode code, long nanos) {
    synchronized (placing) {
      if (!placedSince(code.root(), nanos)) {
        delete(code);
      }
    }
  }

  /** Deletes one unpacked package; one that cannot be is left, logged. */
  void delete(DeployedCode code) {
    try {
      deleteTree(code.root());
    } catch (UncheckedIOException e) {
      org.jboss.logging.Logger.getLogger(CodeStore.class)
          .warnf(e, "Cannot remove the replaced package %s", code.root());
    }
  }

  /** Deletes a function's stored packages and logs. */
  void deleteAll(String function) {
    synchronized (placing) {
      deleteTree(functionsDir.resolve(function));
    }
  }

  /**
   * Deletes what a function's directory holds besides its packages (its definition, its logs): the
   * packages may still serve invocations in flight, and go with {@link #delete} once they ended.
   */
  void deleteAllButPackages(String function) {
    Path root = functionsDir.resolve(function);
    if (!Files.isDirectory(root)) {
      return;
    }
    try (Stream<Path> entries = Files.list(root)) {
      entries
          .filter(p -> !p.getFileName().toString().equals("code"))
          .forEach(CodeStore::deleteTree);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      // the deletion was acknowledged: a crash must not bring the definition back
      AtomicFiles.syncDirectory(root);
    } catch (IOException e) {
      // done all the same: failing now would leave the deleted function's package behind
      org.jboss.logging.Logger.getLogger(CodeStore.class)
          .warnf(e, "Cannot sync the removal of %s's definition", function);
    }
  }

  /**
   * Deletes what the shared state no longer names, on a node starting from it: the packages of each
   * function in {@code kept} other than the ones given (base64 SHA-256s), every directory of a
   * function not in it (deleted while this node was down: its logs go too, as on a single node),
   * and packages half placed when the node stopped. On a file system that ignores case ({@code
   * foldsCase}) names that differ only in case are one directory, which keeps what each of them
   * keeps. Call before anything runs.
   */
  void keepOnly(Map<String, Set<String>> kept, boolean foldsCase) throws IOException {
    if (!Files.isDirectory(functionsDir)) {
      return;
    }
    Map<String, Set<String>> dirs = new HashMap<>();
    kept.forEach(
        (fn, shas) -> {
          Set<String> names = dirs.computeIfAbsent(folded(fn, foldsCase), n -> new HashSet<>());
          shas.forEach(sha -> names.add(dirName(sha)));
        });
    try (Stream<Path> entries = Files.list(functionsDir)) {
      for (Path fn : entries.filter(Files::isDirectory).toList()) {
        String name = fn.getFileName().toString();
        Set<String> packages = dirs.get(folded(name, foldsCase));
        if (name.startsWith(".") || packages == null) {
          deleteTree(fn);
        } else {
          deletePackagesBut(fn.resolve("code"), packages);
        }
      }
    }
  }

  private static String folded(String name, boolean foldsCase) {
    return foldsCase ? name.toLowerCase(Locale.ROOT) : name;
  }

  /** Deletes the package directories in {@code packages} not named in {@code kept}. */
  private static void deletePackagesBut(Path packages, Set<String> kept) {
    if (!Files.isDirectory(packages)) {
      return;
    }
    try (Stream<Path> entries = Files.list(packages)) {
      entries
          .filter(p -> !kept.contains(p.getFileName().toString()))
          .forEach(CodeStore::deleteTree);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes the function's stored packages other than {@code kept}. */
  void deleteOtherPackages(String function, DeployedCode kept) {
    Path packages = functionsDir.resolve(function).resolve("code");
    deletePackagesBut(packages, Set.of(kept.root().getFileName().toString()));
  }

  /** Removes a function's directory if no package (nor anything else) is left in it. */
  void deleteIfEmpty(String function) {
    Path root = functionsDir.resolve(function);
    synchronized (placing) {
      for (Path dir : List.of(root.resolve("code"), root)) {
        try {
          Files.deleteIfExists(dir);
        } catch (IOException e) {
          return; // not empty: a package of the function created again under the name
        }
      }
    }
  }

  private static void deleteTree(Path dir) {
    JarCache.evictUnder(dir);
    FileTrees.delete(dir);
  }
}
