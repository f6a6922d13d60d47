package dev.sluice.testing;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.joda.time.DateTime;

/**
 * Builds real handler jars for tests: compiles Java sources with the JDK's compiler against
 * aws-lambda-java-core and -events, and zips the classes (optionally with the events library in
 * {@code lib/}, as a Lambda zip would carry it).
 */
public final class HandlerJars {

  private HandlerJars() {}

  /** A jar (zip bytes) with the compiled {@code sources}: fully qualified name → source. */
  public static byte[] jar(Map<String, String> sources) {
    return build(sources, Map.of(), false, "17");
  }

  /** A jar with the compiled {@code sources} and {@code resources}: path in the jar → text. */
  public static byte[] jar(Map<String, String> sources, Map<String, String> resources) {
    return build(sources, resources, false, "17");
  }

  /**
   * A Lambda-style zip: classes at the root, aws-lambda-java-events and its joda-time in {@code
   * lib/}, as a Maven-built package carries them.
   */
  public static byte[] lambdaZip(Map<String, String> sources) {
    return build(sources, Map.of(), true, "17");
  }

  /** A jar compiled for Java {@code release} (at most this JDK's own version). */
  public static byte[] jarForRelease(Map<String, String> sources, String release) {
    return build(sources, Map.of(), false, release);
  }

  private static byte[] build(
      Map<String, String> sources, Map<String, String> resources, boolean withLib, String release) {
    try {
      Path src = Files.createTempDirectory("handler-src");
      Path out = Files.createTempDirectory("handler-classes");
      List<String> args =
          new ArrayList<>(List.of("-d", out.toString(), "-cp", classpath(), "--release", release));
      for (Map.Entry<String, String> e : sources.entrySet()) {
        Path file = src.resolve(e.getKey().replace('.', '/') + ".java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, e.getValue());
        args.add(file.toString());
      }
      JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
      ByteArrayOutputStream errors = new ByteArrayOutputStream();
      if (javac.run(null, null, errors, args.toArray(new String[0])) != 0) {
        throw new IllegalStateException("handler sources do not compile:\n" + errors);
      }
      for (Map.Entry<String, String> e : resources.entrySet()) {
        Path file = out.resolve(e.getKey());
        Files.createDirectories(file.getParent());
        Files.writeString(file, e.getValue());
      }
      byte[] jar =
          zip(out, withLib ? List.of(jarOf(KinesisEvent.class), jarOf(DateTime.class)) : List.of());
      deleteTree(src);
      deleteTree(out);
      return jar;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static byte[] zip(Path classes, List<Path> libs) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes);
        Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        zip.putNextEntry(new ZipEntry(classes.relativize(f).toString().replace('\\', '/')));
        zip.write(Files.readAllBytes(f));
        zip.closeEntry();
      }
      for (Path lib : libs) {
        zip.putNextEntry(new ZipEntry("lib/" + lib.getFileName()));
        zip.write(Files.readAllBytes(lib));
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  private static String classpath() {
    return jarOf(RequestHandler.class) + java.io.File.pathSeparator + jarOf(KinesisEvent.class);
  }

  /** The jar a class was loaded from. */
  public static Path jarOf(Class<?> c) {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
