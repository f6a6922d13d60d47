package dev.sluice.function.classloader.bridge;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.function.Function;

/**
 * The ways to make a function's events-library beans: plain bytecode defined in the function's own
 * loader when it links, method handles otherwise.
 */
final class Beans {

  /**
   * The package whose classes each function's loader defines itself from Sluice's class files
   * (FunctionLoader names it too; the bridge cannot see Sluice's classes).
   */
  static final String DIRECT_PACKAGE = "dev.sluice.function.classloader.events.";

  private Beans() {}

  /**
   * The plain-bytecode {@code api} implementation {@code simpleName}, defined in {@code event}'s
   * loader so that it links against the function's copy of the library; null when that fails (a
   * library version without one of the setters, a loader that does not define the package).
   */
  private static <T> T direct(Class<?> event, Class<T> api, String simpleName) {
    try {
      Class<?> c = Class.forName(DIRECT_PACKAGE + simpleName, true, event.getClassLoader());
      return api.cast(c.getConstructor().newInstance());
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      return null;
    }
  }

  /** Makes the method-handle fallback for a function's event class. */
  interface Fallback<T> {
    T of(Class<?> event) throws ReflectiveOperationException;
  }

  /**
   * The beans that make {@code event}: the plain-bytecode {@code simpleName} when it links and its
   * {@code sample} is of the function's own class, else method handles, else null (the event is
   * parsed from JSON then, whatever this version of the library looks like).
   */
  static <T> T choose(
      Class<?> event,
      Class<T> api,
      String simpleName,
      Function<T, Object> sample,
      Fallback<T> fallback) {
    T direct = direct(event, api, simpleName);
    if (direct != null && event.isInstance(sample.apply(direct))) {
      return direct;
    }
    try {
      return fallback.of(event);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /** What a method handle threw, unchecked: setters and constructors throw nothing checked. */
  static RuntimeException unchecked(Throwable t) {
    if (t instanceof RuntimeException e) {
      return e;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IllegalStateException(t);
  }

  /** {@code new C()}, typed {@code () -> Object} so call sites need not know the class. */
  static MethodHandle ctor(Class<?> c) throws ReflectiveOperationException {
    return MethodHandles.publicLookup()
        .findConstructor(c, MethodType.methodType(void.class))
        .asType(MethodType.methodType(Object.class));
  }

  /**
   * {@code bean.name(param)}, typed {@code (Object, passed) -> void}: the bean is passed as Object
   * and the value as {@code passed}, which call sites can name (a JDK type, or Object for another
   * of the library's beans).
   */
  static MethodHandle setter(Class<?> c, String name, Class<?> param, Class<?> passed)
      throws ReflectiveOperationException {
    return MethodHandles.publicLookup()
        .findVirtual(c, name, MethodType.methodType(void.class, param))
        .asType(MethodType.methodType(void.class, Object.class, passed));
  }
}
