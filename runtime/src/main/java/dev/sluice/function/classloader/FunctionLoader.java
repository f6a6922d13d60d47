package dev.sluice.function.classloader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;

/**
 * One handler instance's classes, child-first: the function's own jars win over anything below, so
 * two functions can bundle conflicting library versions. Only the Lambda core interfaces, the
 * serialization library and Sluice's bridge come from the parent, so that the bridge and the
 * handler agree on what a Context or a RequestHandler is, even when the handler's jar bundles its
 * own copy of aws-lambda-java-core. Sluice's {@code events} package is defined here, in each
 * instance's loader, so that it builds events with the function's own aws-lambda-java-events.
 */
final class FunctionLoader extends URLClassLoader {

  private static final String CORE = "com.amazonaws.services.lambda.runtime.";

  static {
    registerAsParallelCapable();
  }

  FunctionLoader(String name, List<Path> classpath, ClassLoader platform) {
    super(name, urls(classpath), platform);
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    synchronized (getClassLoadingLock(name)) {
      Class<?> c = findLoadedClass(name);
      if (c == null) {
        c = loadUnloaded(name);
      }
      if (resolve) {
        resolveClass(c);
      }
      return c;
    }
  }

  private Class<?> loadUnloaded(String name) throws ClassNotFoundException {
    if (name.startsWith(PlatformLoader.EVENTS_PACKAGE)) {
      byte[] bytes = PlatformLoader.sluiceClassBytes(name);
      return defineClass(name, bytes, 0, bytes.length);
    }
    return parentFirst(name) ? getParent().loadClass(name) : childFirst(name);
  }

  private Class<?> childFirst(String name) throws ClassNotFoundException {
    try {
      return findClass(name);
    } catch (ClassNotFoundException notOurs) {
      return getParent().loadClass(name);
    }
  }

  @Override
  public URL getResource(String name) {
    URL own = findResource(name);
    return own != null ? own : getParent().getResource(name);
  }

  static boolean parentFirst(String name) {
    if (name.startsWith("java.") || name.startsWith(PlatformLoader.BRIDGE_PACKAGE)) {
      return true;
    }
    if (!name.startsWith(CORE)) {
      return false;
    }
    String rest = name.substring(CORE.length());
    return rest.indexOf('.') < 0
        || rest.startsWith("serialization.")
        || rest.startsWith("logging.");
  }

  private static URL[] urls(List<Path> classpath) {
    try {
      URL[] urls = new URL[classpath.size()];
      for (int i = 0; i < urls.length; i++) {
        urls[i] = classpath.get(i).toUri().toURL();
      }
      return urls;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
