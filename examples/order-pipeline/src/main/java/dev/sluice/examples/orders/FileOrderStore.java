package dev.sluice.examples.orders;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Keeps each order's status in its own small JSON file in one directory.
 *
 * <p>A file is replaced atomically: the new content goes to a temporary file in the same directory,
 * is forced to disk, and is renamed over the old file. A crash leaves either the old or the new
 * status, never a torn one.
 */
final class FileOrderStore implements OrderStore {
  static final String DIR_VARIABLE = "ORDER_STATE_DIR";

  // Order ids that are safe as file names on every file system are used as they are; any other is
  // hashed, so that an id like "../x" can never name a file outside the directory.
  private static final Pattern PLAIN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,99}");

  private final Path dir;

  FileOrderStore(Path dir) {
    this.dir = dir;
  }

  /** The store in {@code ORDER_STATE_DIR}, or in {@code sluice-order-state} under the temp dir. */
  static FileOrderStore fromEnvironment(Map<String, String> env) {
    String configured = env.get(DIR_VARIABLE);
    Path dir =
        configured != null && !configured.isBlank()
            ? Path.of(configured)
            : Path.of(System.getProperty("java.io.tmpdir"), "sluice-order-state");
    return new FileOrderStore(dir);
  }

  Path dir() {
    return dir;
  }

  @Override
  public Optional<OrderStatus> find(String orderId) throws IOException {
    try {
      byte[] json = Files.readAllBytes(file(orderId));
      return Optional.of(OrderStatusJson.read(json));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public void save(OrderStatus status) throws IOException {
    Files.createDirectories(dir);
    Path target = file(status.orderId());
    Path temp = Files.createTempFile(dir, ".order-", ".tmp");
    try {
      writeDurably(temp, OrderStatusJson.write(status));
      move(temp, target);
    } finally {
      Files.deleteIfExists(temp);
    }
    syncDirectory();
  }

  /** The file holding the order's status. */
  Path file(String orderId) {
    String name = PLAIN_ID.matcher(orderId).matches() ? orderId : "sha256-" + sha256(orderId);
    return dir.resolve(name + ".json");
  }

  private static void writeDurably(Path file, byte[] content) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(content);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    }
  }

  private static void move(Path temp, Path target) throws IOException {
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("cannot replace " + target + " atomically", e);
    }
  }

  // The rename is durable only once the directory entry is on disk too. Some platforms (Windows)
  // cannot open a directory for this; there the rename is as durable as the OS makes it.
  private void syncDirectory() {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // best effort, see above
    }
  }

  private static String sha256(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
