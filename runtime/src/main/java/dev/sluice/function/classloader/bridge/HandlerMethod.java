package dev.sluice.function.classloader.bridge;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The method a handler string names, chosen with Lambda's rules: {@code Class} alone must implement
 * RequestHandler or RequestStreamHandler; {@code Class::method} names a public method, and among
 * overloads with a handler's signature the one with the most parameters wins, ties going to the one
 * whose last parameter is a Context.
 */
record HandlerMethod(
    Class<?> handlerClass,
    Method method,
    HandlerBridge.Shape shape,
    Type inputType,
    Type outputType) {

  static HandlerMethod resolve(ClassLoader loader, String handler) throws Exception {
    int sep = handler.indexOf("::");
    String className = sep < 0 ? handler : handler.substring(0, sep);
    String methodName = sep < 0 ? null : handler.substring(sep + 2);
    Class<?> c = load(loader, className);
    if (methodName == null || methodName.equals("handleRequest")) {
      if (RequestStreamHandler.class.isAssignableFrom(c)) {
        Method m =
            c.getMethod("handleRequest", InputStream.class, OutputStream.class, Context.class);
        return new HandlerMethod(c, m, HandlerBridge.Shape.STREAM, null, null);
      }
      if (RequestHandler.class.isAssignableFrom(c)) {
        Type[] io = requestHandlerTypes(c);
        Method m = c.getMethod("handleRequest", Object.class, Context.class);
        return new HandlerMethod(c, m, HandlerBridge.Shape.EVENT_CONTEXT, io[0], io[1]);
      }
      if (methodName == null) {
        throw new NoSuchMethodException(
            "Class "
                + className
                + " implements neither RequestHandler nor RequestStreamHandler; name the method"
                + " as "
                + className
                + "::method");
      }
    }
    return pojo(c, methodName);
  }

  private static Class<?> load(ClassLoader loader, String className) throws ClassNotFoundException {
    try {
      return Class.forName(className, true, loader);
    } catch (ClassNotFoundException e) {
      throw new ClassNotFoundException("Class not found: " + className, e);
    }
  }

  private static HandlerMethod pojo(Class<?> c, String name) throws NoSuchMethodException {
    Comparator<Method> richest =
        Comparator.comparingInt(Method::getParameterCount)
            .thenComparing(HandlerMethod::endsWithContext)
            .reversed();
    // bridges last, as Lambda ranks them, but not out: a public class inheriting its handler from
    // a package-private base has only javac's visibility bridge to show for it
    List<Method> candidates =
        Arrays.stream(c.getMethods())
            .filter(m -> m.getName().equals(name))
            .sorted(Comparator.comparing(Method::isBridge).thenComparing(richest))
            .toList();
    if (candidates.isEmpty()) {
      throw new NoSuchMethodException(
          "No public method named " + name + " found on class " + c.getName());
    }
    // an overload that cannot be a handler (a helper with three strings, say) is passed over, as
    // Lambda's runtime client passes it over, for the next that can
    Method m =
        candidates.stream()
            .filter(k -> fits(k, HandlerBridge.Shape.of(k)))
            .findFirst()
            .orElseThrow(
                () ->
                    new NoSuchMethodException(
                        "Method "
                            + c.getName()
                            + "::"
                            + name
                            + " does not have a handler signature: "
                            + candidates.get(0)));
    HandlerBridge.Shape shape = HandlerBridge.Shape.of(m);
    Type in = shape.takesEvent() ? m.getGenericParameterTypes()[0] : null;
    return new HandlerMethod(c, m, shape, in, m.getGenericReturnType());
  }

  private static boolean endsWithContext(Method m) {
    Class<?>[] p = m.getParameterTypes();
    return p.length > 0 && p[p.length - 1] == Context.class;
  }

  private static boolean fits(Method m, HandlerBridge.Shape shape) {
    int n = m.getParameterCount();
    return switch (shape) {
      case STREAM -> n == 2 || (n == 3 && endsWithContext(m));
      case EVENT_CONTEXT -> n == 2 && endsWithContext(m);
      default -> n <= 1;
    };
  }

  /**
   * The I and O of RequestHandler<I, O> as the class binds them, through generic superclasses and
   * interfaces ({@code H extends Base<SQSEvent>} with {@code Base<I> implements RequestHandler<I,
   * Void>}), as Lambda's runtime client resolves them; Object where nothing binds them.
   */
  private static Type[] requestHandlerTypes(Class<?> c) {
    Type[] found = bound(c, Map.of());
    return found == null
        ? new Type[] {Object.class, Object.class}
        : new Type[] {concrete(found[0]), concrete(found[1])};
  }

  /** RequestHandler's type arguments as {@code c}'s supertypes bind them under {@code env}. */
  private static Type[] bound(Class<?> c, Map<TypeVariable<?>, Type> env) {
    List<Type> supers = new ArrayList<>(Arrays.asList(c.getGenericInterfaces()));
    if (c.getGenericSuperclass() != null) {
      supers.add(c.getGenericSuperclass());
    }
    for (Type t : supers) {
      Type[] found = boundIn(t, env);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  private static Type[] boundIn(Type t, Map<TypeVariable<?>, Type> env) {
    if (t instanceof Class<?> raw) {
      return raw == RequestHandler.class ? null : bound(raw, Map.of());
    }
    if (!(t instanceof ParameterizedType p) || !(p.getRawType() instanceof Class<?> raw)) {
      return null;
    }
    Type[] args = p.getActualTypeArguments().clone();
    for (int i = 0; i < args.length; i++) {
      args[i] = args[i] instanceof TypeVariable<?> v ? env.getOrDefault(v, v) : args[i];
    }
    if (raw == RequestHandler.class) {
      return args;
    }
    Map<TypeVariable<?>, Type> inner = new HashMap<>();
    TypeVariable<?>[] params = raw.getTypeParameters();
    for (int i = 0; i < params.length && i < args.length; i++) {
      inner.put(params[i], args[i]);
    }
    return bound(raw, inner);
  }

  private static Type concrete(Type t) {
    return t instanceof Class<?> || t instanceof ParameterizedType ? t : Object.class;
  }
}
