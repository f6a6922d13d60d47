package dev.sluice.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One node per data directory: a second node on it would append to the same shard logs, and its
 * start would take the first node's running function instances for ones a crash left and kill them.
 * Held with an OS file lock, which the OS releases when the process dies, even by SIGKILL.
 */
public final class DataDirLock implements AutoCloseable {

  private static final String FILE = "node.lock";

  /**
   * The lock files this JVM holds. The OS lock is the process's: closing any other channel on the
   * file releases it (POSIX record locks), so a second node of this JVM is refused here, before it
   * opens the file.
   */
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(Path file, FileChannel channel, FileLock lock) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Locks {@code dataDir}, creating it if needed.
   *
   * @throws IllegalStateException when another node holds it
   */
  static DataDirLock acquire(Path dataDir) {
    try {
      // durably: every file the node syncs later lives under this directory's entry
      dev.sluice.files.AtomicFiles.createDirectories(dataDir);
      Path file = dataDir.toRealPath().resolve(FILE);
      if (!HELD.add(file)) {
        throw new IllegalStateException(heldHere(dataDir));
      }
      FileChannel ch;
      FileLock lock;
      try {
        ch =
            FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        lock = tryLock(ch);
      } catch (IOException | RuntimeException e) {
        HELD.remove(file);
        throw e;
      }
      if (lock == null) {
        ch.close();
        HELD.remove(file);
        throw new IllegalStateException(inUseMessage(dataDir, file));
      }
      ch.truncate(0);
      ch.write(
          java.nio.ByteBuffer.wrap(
              Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII)));
      return new DataDirLock(file, ch, lock);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock the data directory " + dataDir, e);
    }
  }

  /**
   * Why a node could not take {@code dataDir} now (another node holds it), or null; looks without
   * keeping the lock or creating anything, so that a command can say so before starting a node.
   *
   * @throws UncheckedIOException when the lock file cannot be read
   */
  public static String inUse(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    if (!Files.exists(file)) {
      return null;
    }
    try {
      if (HELD.contains(dataDir.toRealPath().resolve(FILE))) {
        return heldHere(dataDir); // opening it again, even to read it, would drop the lock
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      FileLock lock = tryLock(ch);
      if (lock == null) {
        return inUseMessage(dataDir, file);
      }
      lock.release();
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static FileLock tryLock(FileChannel ch) throws IOException {
    try {
      return ch.tryLock();
    } catch (OverlappingFileLockException e) {
      return null; // held by this process already: another node in this JVM
    }
  }

  private static String heldHere(Path dataDir) {
    return message(dataDir, Long.toString(ProcessHandle.current().pid()));
  }

  private static String inUseMessage(Path dataDir, Path file) throws IOException {
    return message(dataDir, Files.readString(file, StandardCharsets.US_ASCII).trim());
  }

  private static String message(Path dataDir, String holder) {
    return "The data directory "
        + dataDir
        + " is in use by another Sluice node"
        + (holder.isEmpty() ? "" : " (pid " + holder + ")")
        + "; give this one its own --data-dir";
  }

  /** Releases the directory for the next node. */
  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // the lock goes with the process anyway
    } finally {
      HELD.remove(file);
    }
  }
}
