package dev.sluice.files;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Replaces small files atomically and durably: the new content is written to a temporary file and
 * fsync'd, renamed over the old file, and the directory is fsync'd, so that after a crash the file
 * holds either the old or the new content, never a mix.
 */
public final class AtomicFiles {

  /** Directories whose entries this process has synced in their parents. */
  private static final java.util.Set<Path> SETTLED =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** How many fsyncs {@link #syncTree} runs at once. */
  private static final int SYNC_THREADS = 16;

  private AtomicFiles() {}

  /** Writes {@code bytes} to {@code file}, creating its directory when missing. */
  public static void write(Path file, byte[] bytes) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      createDirectories(file.getParent());
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      syncDirectory(file.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /**
   * Creates {@code dir} and its missing parents durably: each new directory's entry is fsync'd in
   * its parent, or a crash could take away a new directory with the files just written in it (the
   * first checkpoint of a new mapping, say). A directory found already there has its entry synced
   * once per process too: an earlier run may have made it and been killed before syncing it, and
   * the page cache outlives a killed process but not a power loss.
   */
  public static void createDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      Path abs = dir.toAbsolutePath();
      if (abs.getParent() != null && !SETTLED.contains(abs)) {
        syncDirectory(abs.getParent());
        SETTLED.add(abs);
      }
      return;
    }
    Path parent = dir.toAbsolutePath().getParent();
    if (parent != null) {
      createDirectories(parent);
    }
    try {
      Files.createDirectory(dir);
    } catch (java.nio.file.FileAlreadyExistsException raced) {
      if (!Files.isDirectory(dir)) {
        throw raced;
      }
      // made meanwhile by another thread, which may not have synced its entry yet: what this
      // caller writes in it next must not outlive the directory in a crash
    }
    if (parent != null) {
      syncDirectory(parent);
    }
    SETTLED.add(dir.toAbsolutePath());
  }

  /**
   * Fsyncs every file and directory under {@code root}, and {@code root} itself: a tree filled in a
   * scratch place and then renamed into use must be on disk before the rename is, or a crash could
   * leave the name pointing at empty or missing files. Many at once: the file system commits
   * concurrent fsyncs together, about five times faster than one after another for a package of
   * thousands of files.
   */
  public static void syncTree(Path root) throws IOException {
    List<Path> all;
    try (Stream<Path> walk = Files.walk(root)) {
      all = walk.filter(AtomicFiles::syncable).toList();
    }
    if (all.size() <= SYNC_THREADS) {
      for (Path p : all) {
        sync(p);
      }
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(SYNC_THREADS, AtomicFiles::syncThread);
    try {
      List<Future<Void>> done = new ArrayList<>(all.size());
      for (Path p : all) {
        done.add(pool.submit(() -> sync(p)));
      }
      for (Future<Void> f : done) {
        await(f);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static boolean syncable(Path p) {
    return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
        || Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS);
  }

  private static Void sync(Path p) throws IOException {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
      ch.force(true);
    }
    return null;
  }

  private static Thread syncThread(Runnable r) {
    Thread t = new Thread(r, "sluice-fsync");
    t.setDaemon(true);
    return t;
  }

  private static void await(Future<Void> f) throws IOException {
    try {
      f.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while syncing files");
    }
  }

  /** Fsyncs a directory, so that entries created or renamed in it survive a crash. */
  public static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
