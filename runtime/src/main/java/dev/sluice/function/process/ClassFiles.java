package dev.sluice.function.process;

import dev.sluice.function.DeployedCode;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** Reads which Java version a deployed handler class was compiled for. */
final class ClassFiles {

  private static final int MAGIC = 0xCAFEBABE;

  private ClassFiles() {}

  /** The class name in a Java handler string: {@code pkg.Class::method} or {@code pkg.Class}. */
  static String handlerClass(String handler) {
    int sep = handler.indexOf("::");
    return sep < 0 ? handler : handler.substring(0, sep);
  }

  /**
   * The Java feature version (17, 21, ...) that {@code className} needs, looked up on the code's
   * classpath in Lambda's order; empty when the class is not found (the runtime client then reports
   * it as Lambda does).
   */
  static OptionalInt requiredFeature(DeployedCode code, String className) {
    String entry = className.replace('.', '/') + ".class";
    for (Path element : code.classpath()) {
      try {
        if (Files.isDirectory(element)) {
          Path file = element.resolve(entry);
          if (Files.isRegularFile(file)) {
            try (InputStream in = Files.newInputStream(file)) {
              return feature(in);
            }
          }
        } else if (Files.isRegularFile(element)) {
          try (ZipFile jar = new ZipFile(element.toFile())) {
            ZipEntry e = jar.getEntry(entry);
            if (e != null) {
              try (InputStream in = jar.getInputStream(e)) {
                return feature(in);
              }
            }
          }
        }
      } catch (IOException e) {
        // a jar that is no zip, a truncated class: Lambda stores such a package and fails its
        // invocations, so the search goes on and the JVM reports it when it loads the class
        continue;
      }
    }
    return OptionalInt.empty();
  }

  /** Major version 61 is Java 17: feature = major - 44. */
  private static OptionalInt feature(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    if (data.readInt() != MAGIC) {
      return OptionalInt.empty();
    }
    data.readUnsignedShort(); // minor
    return OptionalInt.of(data.readUnsignedShort() - 44);
  }
}
