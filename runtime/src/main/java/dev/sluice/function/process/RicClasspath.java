package dev.sluice.function.process;

import dev.sluice.function.RuntimeUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Where the Lambda runtime interface client (RIC) and its dependencies live on Sluice's own
 * classpath, found by resource so that no RIC class is ever loaded here: loading {@code AWSLambda}
 * would run its static initialiser, which rewrites this JVM's TLS security settings. Works with
 * plain jars (tests, IDE) and Quarkus' fast-jar layout ({@code lib/main/*.jar}).
 *
 * @param jars the child's classpath, RIC first
 * @param jni the RIC's native HTTP client library, extracted for this platform
 */
record RicClasspath(List<Path> jars, Path jni) {

  static final String MAIN_CLASS = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";

  /** The system property that makes the RIC load its native library from a given file. */
  static final String JNI_PROPERTY =
      "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";

  private static final String[] REQUIRED = {
    "com/amazonaws/services/lambda/runtime/api/client/AWSLambda.class", // the RIC
    "com/amazonaws/services/lambda/runtime/Context.class", // aws-lambda-java-core
    "com/amazonaws/services/lambda/runtime/serialization/PojoSerializer.class", // serialization
    "software/amazon/awssdk/utilslite/SdkInternalThreadLocal.class", // utils-lite
  };
  private static final String OPTIONAL = "software/amazon/awssdk/annotations/SdkInternalApi.class";

  /**
   * Locates the jars through {@code loader} and extracts the native library into {@code jniDir}
   * once (the RIC would otherwise copy it to {@code /tmp/.libaws-lambda-jni.so} in every instance,
   * and concurrent starts race on that file).
   */
  static RicClasspath locate(ClassLoader loader, Path jniDir) {
    List<Path> jars = new ArrayList<>();
    for (String resource : REQUIRED) {
      URL url = loader.getResource(resource);
      if (url == null) {
        throw new IllegalStateException(
            "The Lambda runtime interface client is not on Sluice's classpath (missing "
                + resource
                + "); add com.amazonaws:aws-lambda-java-runtime-interface-client");
      }
      addOnce(jars, containerOf(url, resource));
    }
    URL annotations = loader.getResource(OPTIONAL);
    if (annotations != null) {
      addOnce(jars, containerOf(annotations, OPTIONAL));
    }
    return new RicClasspath(List.copyOf(jars), extractJni(loader, jniDir));
  }

  private static void addOnce(List<Path> jars, Path jar) {
    if (!jars.contains(jar)) {
      jars.add(jar);
    }
  }

  /** The jar (or directory) a resource URL points into. */
  static Path containerOf(URL url, String resource) {
    String s = url.toString();
    try {
      if (s.startsWith("jar:")) {
        int bang = s.indexOf("!/");
        return Path.of(new URL(s.substring(4, bang)).toURI());
      }
      if (s.startsWith("file:") && s.endsWith(resource)) {
        return Path.of(new URL(s.substring(0, s.length() - resource.length())).toURI());
      }
    } catch (IOException | URISyntaxException | IllegalArgumentException e) {
      throw new IllegalStateException("Cannot locate the jar of " + url, e);
    }
    throw new IllegalStateException("Cannot locate the jar of " + url);
  }

  /**
   * The native library under a name that carries its digest: the directory outlives restarts, and a
   * file named only for the platform kept an earlier RIC's library after an upgrade, which the new
   * RIC's classes then loaded.
   */
  private static Path extractJni(ClassLoader loader, Path jniDir) {
    String name = jniName();
    byte[] library;
    try (InputStream in = loader.getResourceAsStream("jni/" + name)) {
      if (in == null) {
        throw new IllegalStateException("The runtime interface client has no jni/" + name);
      }
      library = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path target = jniDir.resolve(digest(library) + "-" + name);
    if (!Files.isRegularFile(target)) {
      write(jniDir, name, library, target);
    }
    removeOthers(jniDir, target);
    return target;
  }

  private static void write(Path jniDir, String name, byte[] library, Path target) {
    try {
      Files.createDirectories(jniDir);
      // Written aside and renamed so a concurrently starting instance never loads half a file.
      Path tmp = Files.createTempFile(jniDir, name, ".tmp");
      Files.write(tmp, library);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Deletes earlier RICs' libraries and a crashed extraction's leftovers, which would otherwise
   * pile up with every upgrade. The directory is this node's (its data directory is locked), and a
   * runtime still running an unlinked library keeps its mapping.
   */
  private static void removeOthers(Path jniDir, Path keep) {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(jniDir, "*libaws-lambda-jni*")) {
      for (Path f : files) {
        if (!f.equals(keep)) {
          Files.deleteIfExists(f);
        }
      }
    } catch (IOException e) {
      // best effort: a stale library takes disk space, nothing else
    }
  }

  /** The first 16 hex digits of the SHA-256 of {@code bytes}. */
  private static String digest(byte[] bytes) {
    try {
      byte[] sha = MessageDigest.getInstance("SHA-256").digest(bytes);
      return HexFormat.of().formatHex(sha, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The RIC ships glibc and musl builds for x86_64 and aarch64. */
  static String jniName() {
    String arch =
        switch (System.getProperty("os.arch")) {
          case "amd64", "x86_64" -> "x86_64";
          case "aarch64", "arm64" -> "aarch_64";
          default ->
              throw new RuntimeUnavailableException(
                  "The Lambda runtime interface client has no native library for "
                      + System.getProperty("os.arch"));
        };
    boolean musl =
        Files.exists(Path.of("/lib/ld-musl-x86_64.so.1"))
            || Files.exists(Path.of("/lib/ld-musl-aarch64.so.1"));
    return "libaws-lambda-jni.linux" + (musl ? "_musl-" : "-") + arch + ".so";
  }
}
