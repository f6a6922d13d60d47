package dev.sluice.cli.deploy;

import dev.sluice.template.CodeUri;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Turns a template's CodeUri into a package to deploy. A Maven module is built with {@code mvn
 * -DskipTests package} when its newest input (its sources and pom, the poms above it, and those of
 * the reactor's modules it depends on) is newer than its package; from the reactor root with {@code
 * -am} when the module has a parent build, so sibling modules it needs come along. The package is
 * {@code target/function.zip} when there is one (Quarkus and SAM-style builds), else the largest
 * jar in {@code target/} (the shaded one).
 */
public final class Builder {

  private final Consumer<String> progress;
  private final String mvn;

  /** A builder reporting what it builds to {@code progress}. */
  public Builder(Consumer<String> progress) {
    this.progress = progress;
    String override = System.getenv("SLUICE_MVN");
    this.mvn = override == null || override.isBlank() ? "mvn" : override;
  }

  /** The package for {@code code}, built first when it is a stale or unbuilt Maven module. */
  public Path artifact(CodeUri code) {
    if (code.kind() != CodeUri.Kind.MAVEN_MODULE) {
      if (!Files.exists(code.path())) {
        throw new DeployException("CodeUri " + code.path() + " does not exist; build it first");
      }
      return code.path();
    }
    Optional<Path> built = packageOf(code.path());
    if (built.isEmpty() || newestSource(code.path()) > modified(built.get())) {
      build(code.path());
      built = packageOf(code.path());
    }
    return built.orElseThrow(
        () -> new DeployException("mvn package left no jar or function.zip in " + target(code)));
  }

  /** The newest modification time among a code source's inputs, to notice edits. */
  public long fingerprint(CodeUri code) {
    return code.kind() == CodeUri.Kind.MAVEN_MODULE
        ? newestSource(code.path())
        : Files.isDirectory(code.path()) ? newest(code.path()) : modified(code.path());
  }

  private static Path target(CodeUri code) {
    return code.path().resolve("target");
  }

  private void build(Path module) {
    Path root = reactorRoot(module);
    List<String> cmd =
        root.equals(module)
            ? List.of(mvn, "-q", "-B", "-DskipTests", "package")
            : List.of(
                mvn,
                "-q",
                "-B",
                "-DskipTests",
                "package",
                "-pl",
                root.relativize(module).toString(),
                "-am");
    progress.accept(
        "building " + module + " (" + String.join(" ", cmd.subList(1, cmd.size())) + ")");
    try {
      Path log = Files.createTempFile("sluice-build-", ".log");
      Process p =
          new ProcessBuilder(cmd)
              .directory(root.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      int code = p.waitFor();
      String output = Files.readString(log, StandardCharsets.UTF_8);
      Files.deleteIfExists(log);
      if (code != 0) {
        throw new DeployException("the build of " + module + " failed:\n" + output.strip());
      }
    } catch (IOException e) {
      throw new DeployException(
          "cannot run " + mvn + " to build " + module + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DeployException("interrupted while building " + module);
    }
  }

  /** The top of the chain of directories holding a pom.xml above the module. */
  static Path reactorRoot(Path module) {
    Path root = module.toAbsolutePath().normalize();
    for (Path p = root.getParent();
        p != null && Files.isRegularFile(p.resolve("pom.xml"));
        p = p.getParent()) {
      root = p;
    }
    return root;
  }

  static Optional<Path> packageOf(Path module) {
    Path target = module.resolve("target");
    if (Files.isRegularFile(target.resolve("function.zip"))) {
      return Optional.of(target.resolve("function.zip"));
    }
    if (!Files.isDirectory(target)) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.list(target)) {
      return files
          .filter(f -> deployable(f.getFileName().toString()))
          .max(Comparator.comparingLong(Builder::size));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean deployable(String name) {
    return name.endsWith(".jar")
        && !name.startsWith("original-")
        && !name.endsWith("-sources.jar")
        && !name.endsWith("-javadoc.jar")
        && !name.endsWith("-tests.jar");
  }

  /** The newest input of the module's package: see {@link ModuleInputs}. */
  private static long newestSource(Path module) {
    long newest = 0;
    for (Path p : ModuleInputs.of(module, reactorRoot(module))) {
      newest = Math.max(newest, Files.isDirectory(p) ? newest(p) : modified(p));
    }
    return newest;
  }

  /**
   * The newest modification time under {@code dir}, its directories' included: deleting, renaming
   * or moving in a file (which keeps its older time) changes only its directory's.
   */
  private static long newest(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.mapToLong(Builder::modified).max().orElse(0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long modified(Path f) {
    try {
      return Files.exists(f) ? Files.getLastModifiedTime(f).toMillis() : 0;
    } catch (java.nio.file.NoSuchFileException gone) {
      return 0; // deleted since it was listed (an editor's temporary file)
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long size(Path f) {
    try {
      return Files.size(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
