package dev.sluice.function;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The JDK's process-wide cache of jar files opened through {@code jar:} URLs. A handler reading one
 * of its resources by URL ({@code getResource(name).openStream()}, caching on as by default) leaves
 * its jar open there for as long as the JVM runs, so a deleted package's disk space was never given
 * back. Closing the cached file through a URL of the same jar takes it out of the cache.
 */
final class JarCache {

  private JarCache() {}

  /**
   * Takes every jar under {@code dir} out of the cache. Only for a package no instance uses any
   * more: a stream a handler still reads from the cached file fails once it is closed.
   */
  static void evictUnder(Path dir) {
    List<Path> jars;
    try (Stream<Path> walk = Files.walk(dir)) {
      jars = walk.filter(JarCache::isJar).toList();
    } catch (IOException | UncheckedIOException e) {
      return; // gone already, or unreadable: nothing of it can be cached
    }
    jars.forEach(JarCache::evict);
  }

  private static boolean isJar(Path p) {
    return p.getFileName().toString().endsWith(".jar")
        && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS);
  }

  private static void evict(Path jar) {
    try {
      // the URL a class loader over the jar hands out, so that it names the same cache entry
      URLConnection c = new URL("jar:" + jar.toUri().toURL() + "!/").openConnection();
      if (c instanceof JarURLConnection j) {
        j.getJarFile().close();
      }
    } catch (IOException | RuntimeException e) {
      // not a readable jar: the cache cannot hold it
    }
  }
}
