package dev.sluice.function;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

/**
 * The CodeSha256 a deployment package gets: the SHA-256 of a jar or zip file as Lambda computes it,
 * and for a directory a digest over its files' relative paths and contents in sorted order. Clients
 * compute it too, to tell whether a package changed without uploading it.
 */
public final class CodeDigest {

  private CodeDigest() {}

  /** The base64 SHA-256 of a file or a directory tree. */
  public static String of(Path path) {
    try {
      return Files.isDirectory(path) ? directory(path) : file(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The regular files under {@code dir}, in the order the digest reads them. */
  static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).sorted().toList();
    }
  }

  static String bytes(byte[] content) {
    return Base64.getEncoder().encodeToString(sha256().digest(content));
  }

  private static String file(Path file) throws IOException {
    MessageDigest digest = sha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return Base64.getEncoder().encodeToString(digest.digest());
  }

  private static String directory(Path dir) throws IOException {
    MessageDigest digest = sha256();
    for (Path f : files(dir)) {
      digest.update(dir.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
      try (InputStream in = new DigestInputStream(Files.newInputStream(f), digest)) {
        in.transferTo(OutputStream.nullOutputStream());
      }
    }
    return Base64.getEncoder().encodeToString(digest.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
