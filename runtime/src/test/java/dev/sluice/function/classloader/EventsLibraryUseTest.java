package dev.sluice.function.classloader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.function.FunctionService;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * aws-lambda-java-events is on Sluice's compile path only (provided scope), for the classes each
 * function's loader defines itself: a main class elsewhere that named one of its types would
 * compile and then fail in production with NoClassDefFoundError.
 */
class EventsLibraryUseTest {

  private static final String LIBRARY = "com/amazonaws/services/lambda/runtime/events/";
  private static final String OWN = PlatformLoader.EVENTS_PACKAGE.replace('.', '/');

  @Test
  void mainClasses_outsideTheEventsPackage_nameNoTypeOfTheLibrary() throws Exception {
    Path classes =
        Path.of(FunctionService.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> offenders;
    try (Stream<Path> all = Files.walk(classes)) {
      offenders =
          all.filter(p -> p.toString().endsWith(".class"))
              .filter(p -> !classes.relativize(p).toString().replace('\\', '/').startsWith(OWN))
              .filter(EventsLibraryUseTest::namesTheLibrary)
              .map(p -> classes.relativize(p).toString())
              .toList();
    }

    assertThat(classes.resolve(OWN).resolve("DirectKafkaBeans.class")).exists();
    assertThat(namesTheLibrary(classes.resolve(OWN).resolve("DirectKafkaBeans.class"))).isTrue();
    assertThat(offenders).isEmpty();
  }

  /** Whether the class file's constant pool holds a type or descriptor of the library. */
  private static boolean namesTheLibrary(Path classFile) {
    try {
      // class and descriptor constants are stored as modified UTF-8, plain ASCII for these names
      String text = new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1);
      return text.contains(LIBRARY);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
