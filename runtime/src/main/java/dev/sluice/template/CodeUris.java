package dev.sluice.template;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

/** Finds out what a function's CodeUri points at. */
final class CodeUris {

  private CodeUris() {}

  /** The code at {@code f} (relative to {@code baseDir}); null after reporting an error. */
  static CodeUri resolve(Field f, Path baseDir, Problems problems) {
    if (f.node().isMap()) {
      problems.error(f.path(), f.node(), "S3 locations are not supported; use a local path");
      return null;
    }
    String uri = Values.string(f, problems);
    if (uri == null) {
      return null;
    }
    if (uri.startsWith("s3://")) {
      problems.error(f.path(), f.node(), "S3 locations are not supported; use a local path");
      return null;
    }
    Path path;
    try {
      path = baseDir.resolve(uri).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      problems.error(f.path(), f.node(), uri + " is not a valid path");
      return null;
    }
    CodeUri.Kind kind = kind(path);
    if (kind == null) {
      String why = Files.exists(path) ? " is not a .jar, a .zip or a directory" : " does not exist";
      problems.error(f.path(), f.node(), uri + why);
      return null;
    }
    return new CodeUri(path, kind);
  }

  /** The kind of {@code path}; a .jar or .zip may not be built yet, so it needn't exist. */
  static CodeUri.Kind kind(Path path) {
    if (Files.isDirectory(path)) {
      return Files.isRegularFile(path.resolve("pom.xml"))
          ? CodeUri.Kind.MAVEN_MODULE
          : CodeUri.Kind.DIRECTORY;
    }
    String name = path.getFileName() == null ? "" : path.getFileName().toString();
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".jar")) {
      return CodeUri.Kind.JAR;
    }
    if (lower.endsWith(".zip")) {
      return CodeUri.Kind.ZIP;
    }
    return null;
  }
}
