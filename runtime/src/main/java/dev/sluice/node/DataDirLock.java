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

/**
 * One node per data directory: a second node on it would append to the same shard logs, and its
 * start would take the first node's running function instances for ones a crash left and kill them.
 * Held with an OS file lock, which the OS releases when the process dies, even by SIGKILL.
 */
public final class DataDirLock implements AutoCloseable {

  private static final String FILE = "node.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(FileChannel channel, FileLock lock) {
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
      Files.createDirectories(dataDir);
      Path file = dataDir.resolve(FILE);
      FileChannel ch =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock = tryLock(ch);
      if (lock == null) {
        ch.close();
        throw new IllegalStateException(inUseMessage(dataDir, file));
      }
      ch.truncate(0);
      ch.write(
          java.nio.ByteBuffer.wrap(
              Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII)));
      return new DataDirLock(ch, lock);
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

  private static String inUseMessage(Path dataDir, Path file) throws IOException {
    String holder = Files.readString(file, StandardCharsets.US_ASCII).trim();
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
    }
  }
}
