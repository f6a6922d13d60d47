package dev.sluice.function.classloader;

import java.io.Closeable;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.security.CodeSigner;
import java.util.HashMap;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * One loader's own handles on the function's jars. Streams that URLClassLoader hands out come from
 * the JDK's JarFile cache, which every loader of the same jar shares: closing one retired
 * instance's loader closed the file under another instance's class loading or resource read. These
 * are opened by one loader, on first use, and closed with it. Thread-safe.
 */
final class OwnJars implements Closeable {

  /** A jar entry read whole, with what defining a class from it needs. */
  record Entry(byte[] bytes, CodeSigner[] signers, Manifest manifest) {}

  private final Map<URL, JarFile> open = new HashMap<>();
  private boolean closed;

  /** Reads {@code path} from the jar at {@code jar} (a {@code file:} URL) whole. */
  Entry read(URL jar, String path) throws IOException {
    JarFile file = jar(jar);
    JarEntry entry = entry(file, path);
    try (InputStream in = file.getInputStream(entry)) {
      byte[] bytes = in.readAllBytes();
      // signers are known only once the entry has been read to its end
      return new Entry(bytes, entry.getCodeSigners(), file.getManifest());
    }
  }

  /** A stream of {@code path} in the jar at {@code jar}, valid until this loader closes. */
  InputStream stream(URL jar, String path) throws IOException {
    JarFile file = jar(jar);
    return file.getInputStream(entry(file, path));
  }

  private static JarEntry entry(JarFile file, String path) throws IOException {
    JarEntry entry = file.getJarEntry(path);
    if (entry == null) {
      throw new FileNotFoundException(path + " in " + file.getName());
    }
    return entry;
  }

  private synchronized JarFile jar(URL jar) throws IOException {
    if (closed) {
      throw new IOException("The function's class loader is closed");
    }
    JarFile file = open.get(jar);
    if (file == null) {
      file = new JarFile(path(jar).toFile());
      open.put(jar, file);
    }
    return file;
  }

  private static Path path(URL jar) throws IOException {
    try {
      return Path.of(jar.toURI());
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw new IOException("Not a jar on disk: " + jar, e);
    }
  }

  /** Closes every jar opened so far; later reads fail. */
  @Override
  public synchronized void close() throws IOException {
    closed = true;
    IOException first = null;
    for (JarFile file : open.values()) {
      try {
        file.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    open.clear();
    if (first != null) {
      throw first;
    }
  }
}
