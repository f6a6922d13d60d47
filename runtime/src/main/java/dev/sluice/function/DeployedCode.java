package dev.sluice.function;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A deployment package unpacked on disk in Lambda's layout: classes and resources at the root,
 * libraries in {@code lib/*.jar}. A deployed jar sits in {@code lib/}. Never changes once written:
 * an update deploys a new directory.
 *
 * @param root the directory ({@code LAMBDA_TASK_ROOT})
 */
public record DeployedCode(Path root) {

  /** The classpath in Lambda's order: the root, then every {@code lib/*.jar} sorted by name. */
  public List<Path> classpath() {
    List<Path> cp = new ArrayList<>();
    cp.add(root);
    Path lib = root.resolve("lib");
    if (Files.isDirectory(lib)) {
      try (Stream<Path> jars = Files.list(lib)) {
        jars.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().forEach(cp::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return cp;
  }
}
