package dev.sluice.function.process;

import dev.sluice.function.RuntimeUnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The JDKs installed on this machine, and the choice of one to run a function's instances. */
public final class JavaHomes {

  private static final Pattern JAVA_VERSION = Pattern.compile("JAVA_VERSION=\"(1\\.)?(\\d+)");

  /** A JDK and its feature version (17, 21, 25, ...). */
  record Jdk(Path home, int feature) {}

  private final Path current;
  private final List<Jdk> jdks;

  private JavaHomes(Path current, List<Jdk> jdks) {
    this.current = current;
    this.jdks = List.copyOf(jdks);
  }

  /**
   * The JDK running Sluice, the one {@code $JAVA_HOME} names (Sluice may run on another) and every
   * JDK under {@code /usr/lib/jvm}.
   */
  public static JavaHomes installed() {
    return of(Path.of("/usr/lib/jvm"), System.getenv("JAVA_HOME"));
  }

  /** The JDK running Sluice plus every JDK directly under {@code jvmDir} (which may not exist). */
  public static JavaHomes of(Path jvmDir) {
    return of(jvmDir, null);
  }

  /**
   * The JDK running Sluice, the JDK at {@code javaHome} (null, blank or not a JDK: none) and every
   * JDK directly under {@code jvmDir} (which may not exist), in that order of preference.
   */
  static JavaHomes of(Path jvmDir, String javaHome) {
    Path current = Path.of(System.getProperty("java.home"));
    Map<Path, Jdk> found = new LinkedHashMap<>();
    found.put(realPath(current), new Jdk(current, Runtime.version().feature()));
    if (javaHome != null && !javaHome.isBlank()) {
      addIfJdk(found, Path.of(javaHome));
    }
    if (Files.isDirectory(jvmDir)) {
      try (Stream<Path> dirs = Files.list(jvmDir)) {
        dirs.sorted().forEach(dir -> addIfJdk(found, dir));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new JavaHomes(current, new ArrayList<>(found.values()));
  }

  /**
   * Adds {@code home} when it is a JDK with a readable version not found yet under its real path.
   */
  private static void addIfJdk(Map<Path, Jdk> found, Path home) {
    feature(home)
        .filter(f -> Files.isExecutable(home.resolve("bin/java")))
        .ifPresent(f -> found.putIfAbsent(realPath(home), new Jdk(home, f)));
  }

  /**
   * The home of the JDK for {@code runtime} ({@code java17}, {@code java21}, {@code java25}) whose
   * handler class files need at least Java {@code classFeature}: the oldest JDK new enough for
   * both, the one running Sluice when it ties, else the first found, as Lambda runs each runtime on
   * its own Java version.
   *
   * @throws RuntimeUnavailableException when no installed JDK is new enough
   */
  public Path choose(String runtime, int classFeature) {
    int runtimeFeature =
        switch (runtime) {
          case "java17" -> 17;
          case "java21" -> 21;
          case "java25" -> 25;
          default -> throw new RuntimeUnavailableException("Unsupported runtime: " + runtime);
        };
    int needed = Math.max(runtimeFeature, classFeature);
    return jdks.stream()
        .filter(j -> j.feature() >= needed)
        .min(
            Comparator.comparingInt(Jdk::feature)
                .thenComparing(j -> j.home().equals(current) ? 0 : 1))
        .map(Jdk::home)
        .orElseThrow(
            () ->
                new RuntimeUnavailableException(
                    "Runtime "
                        + runtime
                        + (classFeature > runtimeFeature
                            ? " with handler classes compiled for Java " + classFeature
                            : "")
                        + " needs a JDK "
                        + needed
                        + " or newer; installed: "
                        + jdks.stream().map(j -> j.home() + " (" + j.feature() + ")").toList()));
  }

  /** The JDKs found, for diagnostics. */
  List<Jdk> jdks() {
    return jdks;
  }

  private static Optional<Integer> feature(Path home) {
    Path release = home.resolve("release");
    if (!Files.isRegularFile(release)) {
      return Optional.empty();
    }
    try {
      Matcher m = JAVA_VERSION.matcher(Files.readString(release));
      return m.find() ? Optional.of(Integer.parseInt(m.group(2))) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // an unreadable or odd release file: not a JDK we can vouch for
    }
  }

  private static Path realPath(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return p.toAbsolutePath().normalize();
    }
  }
}
