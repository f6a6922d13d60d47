package dev.sluice.template;

import java.nio.file.Path;

/**
 * Where a function's code is.
 *
 * @param path the absolute path
 * @param kind what the path holds
 */
public record CodeUri(Path path, Kind kind) {

  /** What a code path holds. */
  public enum Kind {
    /** A .jar file (it may not be built yet). */
    JAR,
    /** A .zip file (it may not be built yet). */
    ZIP,
    /** A directory of classes and jars. */
    DIRECTORY,
    /** A directory with a pom.xml. */
    MAVEN_MODULE
  }
}
