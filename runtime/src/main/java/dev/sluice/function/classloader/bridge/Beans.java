package dev.sluice.function.classloader.bridge;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/** Method handles to an events-library bean's no-arg constructor and setters. */
final class Beans {

  private Beans() {}

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
