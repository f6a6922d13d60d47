package dev.sluice.function.classloader;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.List;
import java.util.jar.Manifest;

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

  private final OwnJars jars = new OwnJars();

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
    if (name.startsWith(PlatformLoader.EVENTS_PACKAGE)
        || name.startsWith(PlatformLoader.TRAP_PACKAGE)) {
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

  /**
   * Defines one of the function's own classes, with its exit calls rewritten (see {@link
   * ExitCalls}). The bytes are read here because URLClassLoader has no hook between reading and
   * defining; packages get their jar's manifest, and classes their jar's signers, as URLClassLoader
   * gives them.
   */
  @Override
  protected Class<?> findClass(String name) throws ClassNotFoundException {
    String path = name.replace('.', '/') + ".class";
    URL url = findResource(path);
    if (url == null) {
      throw new ClassNotFoundException(name);
    }
    URL base = codeBase(url, path);
    OwnJars.Entry entry;
    try {
      entry = read(url, base, path);
    } catch (IOException e) {
      throw new ClassNotFoundException(name, e);
    }
    byte[] bytes = entry.bytes();
    if (ExitCalls.mayCallTrapped(bytes)) {
      bytes = ExitCalls.rewrite(bytes);
    }
    definePackageOf(name, entry.manifest(), base);
    return defineClass(name, bytes, 0, bytes.length, new CodeSource(base, entry.signers()));
  }

  private OwnJars.Entry read(URL url, URL base, String path) throws IOException {
    if (isJar(url)) {
      return jars.read(base, path);
    }
    try (InputStream in = url.openStream()) { // a file of the deployment's root directory
      return new OwnJars.Entry(in.readAllBytes(), null, null);
    }
  }

  /**
   * The function's own resources come from this loader's own jar handles (see {@link OwnJars}), so
   * that a stream stays readable while other instances of the function come and go.
   */
  @Override
  public InputStream getResourceAsStream(String name) {
    URL own = findResource(name);
    if (own == null) {
      return getParent().getResourceAsStream(name);
    }
    try {
      return isJar(own) ? jars.stream(codeBase(own, name), name) : own.openStream();
    } catch (IOException e) {
      return null;
    }
  }

  /** Closes the function's jars; classes already loaded keep working, new ones cannot load. */
  @Override
  public void close() throws IOException {
    try {
      super.close();
    } finally {
      jars.close();
    }
  }

  private static boolean isJar(URL url) {
    return url.getProtocol().equals("jar");
  }

  /**
   * The status the handler's first exit call asked for, or -1 when it made none: the trap class is
   * only loaded once such a call runs, so an instance that never exits pays a lookup.
   */
  int exitStatus() {
    Object status = callTrap("status");
    return status == null ? -1 : (int) status;
  }

  /**
   * Takes the shutdown hooks the handler registered (none when the trap class never loaded); later
   * registrations are refused, as in a JVM that is shutting down.
   */
  List<Thread> takeShutdownHooks() {
    Object hooks = callTrap("takeShutdownHooks");
    return hooks == null ? List.of() : List.of((Thread[]) hooks);
  }

  /** Calls a static method of this instance's trap; null when the trap class never loaded. */
  private Object callTrap(String method) {
    Class<?> trap = findLoadedClass(PlatformLoader.TRAP_PACKAGE + "ExitTrap");
    if (trap == null) {
      return null;
    }
    try {
      return trap.getMethod(method).invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Sluice's exit trap cannot be read", e);
    }
  }

  private void definePackageOf(String className, Manifest manifest, URL base) {
    int dot = className.lastIndexOf('.');
    if (dot < 0) {
      return;
    }
    String pkg = className.substring(0, dot);
    if (getDefinedPackage(pkg) != null) {
      return;
    }
    try {
      if (manifest != null) {
        definePackage(pkg, manifest, base);
      } else {
        definePackage(pkg, null, null, null, null, null, null, null);
      }
    } catch (IllegalArgumentException definedMeanwhile) {
      // another thread defined it first: the package is there, which is all that matters
    }
  }

  /**
   * The jar ({@code jar:file:/a.jar!/p/C.class} → {@code file:/a.jar}) or directory a class is in.
   */
  private static URL codeBase(URL resource, String path) {
    String s = resource.toString();
    try {
      if (s.startsWith("jar:")) {
        return new URL(s.substring("jar:".length(), s.lastIndexOf("!/")));
      }
      return new URL(s.substring(0, s.length() - path.length()));
    } catch (MalformedURLException e) {
      return resource;
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
