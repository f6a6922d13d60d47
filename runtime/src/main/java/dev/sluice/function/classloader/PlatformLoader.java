package dev.sluice.function.classloader;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;

/**
 * What every handler in classloader isolation sees besides the JDK and its own code:
 * aws-lambda-java-core and aws-lambda-java-serialization, as in AWS Lambda's Java runtime, plus
 * Sluice's bridge classes. Its parent is the JDK's platform loader, so none of Sluice's own
 * libraries (Quarkus, Vert.x, Jackson) are visible from here.
 */
final class PlatformLoader extends URLClassLoader {

  static final String BRIDGE_PACKAGE = "dev.sluice.function.classloader.bridge.";

  /**
   * Sluice's classes that each function's loader defines for itself, so that they link against the
   * function's own events library (the bridge's Beans names it too).
   */
  static final String EVENTS_PACKAGE = "dev.sluice.function.classloader.events.";

  /** Sluice's exit trap, which each function's loader defines for itself (see ExitCalls). */
  static final String TRAP_PACKAGE = "dev.sluice.function.classloader.trap.";

  static {
    registerAsParallelCapable();
  }

  PlatformLoader() {
    super(
        "sluice-lambda-platform",
        new URL[] {jarOf(RequestHandler.class), jarOf(PojoSerializer.class)},
        ClassLoader.getPlatformClassLoader());
  }

  @Override
  protected Class<?> findClass(String name) throws ClassNotFoundException {
    if (!name.startsWith(BRIDGE_PACKAGE)) {
      return super.findClass(name);
    }
    // The bridge is compiled with Sluice but must be defined here, next to the Lambda libraries
    // it uses, so it reads its bytes from Sluice's own loader.
    byte[] bytes = sluiceClassBytes(name);
    return defineClass(name, bytes, 0, bytes.length);
  }

  /** The class file of Sluice's class {@code name}, read through Sluice's own loader. */
  static byte[] sluiceClassBytes(String name) throws ClassNotFoundException {
    String resource = name.replace('.', '/') + ".class";
    try (InputStream in = PlatformLoader.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new ClassNotFoundException(name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new ClassNotFoundException(name, e);
    }
  }

  private static URL jarOf(Class<?> c) {
    try {
      URL location = c.getProtectionDomain().getCodeSource().getLocation();
      return Path.of(location.toURI()).toUri().toURL();
    } catch (URISyntaxException | IOException e) {
      throw new UncheckedIOException(new IOException("cannot locate the jar of " + c, e));
    }
  }
}
