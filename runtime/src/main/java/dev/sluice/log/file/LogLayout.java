package dev.sluice.log.file;

import dev.sluice.log.LogException;
import dev.sluice.log.ShardRef;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where a shard's files live: {@code <root>/s-<stream>/<shardId>/}. The prefix keeps stream names
 * such as {@code .} and {@code ..} from naming the root or its parent.
 */
final class LogLayout {

  static final String STREAM_PREFIX = "s-";

  private static final Pattern STREAM = Pattern.compile("[a-zA-Z0-9_.-]{1,128}");
  private static final Pattern SHARD = Pattern.compile("[a-zA-Z0-9_-][a-zA-Z0-9_.-]{0,127}");
  private static final Pattern SEGMENT = Pattern.compile("\\d{20}");

  private LogLayout() {}

  /** The shard's directory; fails for names that could leave the root. */
  static Path shardDir(Path root, ShardRef ref) {
    if (!STREAM.matcher(ref.stream()).matches() || !SHARD.matcher(ref.shard()).matches()) {
      throw new LogException("invalid stream or shard name: " + ref);
    }
    return root.resolve(STREAM_PREFIX + ref.stream()).resolve(ref.shard());
  }

  /** The shard a directory below the root stands for, or null when it is none. */
  static ShardRef shardOf(Path streamDir, Path shardDir) {
    String stream = streamDir.getFileName().toString();
    if (!stream.startsWith(STREAM_PREFIX) || !Files.isDirectory(shardDir)) {
      return null;
    }
    ShardRef ref =
        new ShardRef(stream.substring(STREAM_PREFIX.length()), shardDir.getFileName().toString());
    boolean valid = STREAM.matcher(ref.stream()).matches() && SHARD.matcher(ref.shard()).matches();
    return valid ? ref : null;
  }

  static String segmentFile(long baseOffset, String suffix) {
    return String.format("%020d%s", baseOffset, suffix);
  }

  /** The base offset a segment file name carries, or -1 when the name is not one. */
  static long baseOffsetOf(String fileName, String suffix) {
    if (!fileName.endsWith(suffix)) {
      return -1;
    }
    String digits = fileName.substring(0, fileName.length() - suffix.length());
    if (!SEGMENT.matcher(digits).matches()) {
      return -1;
    }
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      return -1; // 20 digits past Long.MAX_VALUE: no segment of ours, a stray file like any other
    }
  }

  /**
   * Syncs a directory so that files created or deleted in it survive a crash. A failure is thrown,
   * not ignored: the change it was to make durable is not, and acknowledging records written into a
   * segment whose directory entry may vanish would lose them.
   */
  static void syncDir(Path dir, ChannelOpener opener) throws IOException {
    try (FileChannel ch = opener.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /** Deletes a directory and everything below it; a missing directory is fine. */
  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Deletes a directory if it is empty; returns false when it is not. */
  static boolean deleteIfEmpty(Path dir) throws IOException {
    try {
      Files.deleteIfExists(dir);
      return true;
    } catch (NoSuchFileException e) {
      return true; // gone already
    } catch (DirectoryNotEmptyException e) {
      return false; // still in use by another shard
    }
  }
}
