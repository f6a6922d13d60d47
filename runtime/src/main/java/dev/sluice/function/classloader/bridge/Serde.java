package dev.sluice.function.classloader.bridge;

import com.amazonaws.lambda.thirdparty.com.fasterxml.jackson.databind.ObjectMapper;
import com.amazonaws.lambda.thirdparty.com.fasterxml.jackson.databind.util.LRUMap;
import com.amazonaws.services.lambda.runtime.CustomPojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.ServiceLoader;

/**
 * Converts between JSON and a handler's input or output type exactly as Lambda's Java runtime does:
 * through the function's own CustomPojoSerializer when it has one, else aws-lambda-java-events
 * types through their serializers (KinesisEvent data as ByteBuffer, timestamps as Date), everything
 * else through the runtime's Jackson configuration.
 */
final class Serde {

  private static final byte[] NULL = "null".getBytes(StandardCharsets.UTF_8);

  private final PojoSerializer<Object> serializer;

  private Serde(PojoSerializer<Object> serializer) {
    this.serializer = serializer;
  }

  /**
   * The serializer for {@code type}: the function's own {@code custom} one when it has one (see
   * {@link #custom}), else the runtime's.
   */
  @SuppressWarnings("unchecked")
  static Serde forType(Type type, ClassLoader loader, CustomPojoSerializer custom) {
    if (type == void.class || type == Void.class) {
      return new Serde(null);
    }
    if (custom != null) {
      return new Serde(new Custom(custom, type));
    }
    // a type variable nothing binds (O of a generic base class named by Class::method) is no event:
    // the runtime's Jackson reads it as Object, as Lambda's does
    Class<?> raw =
        type instanceof ParameterizedType p
            ? (Class<?>) p.getRawType()
            : type instanceof Class<?> c ? c : null;
    if (raw != null && LambdaEventSerializers.isLambdaSupportedEvent(raw.getName())) {
      return new Serde((PojoSerializer<Object>) LambdaEventSerializers.serializerFor(raw, loader));
    }
    return new Serde(ownFactory().getSerializer(type));
  }

  /**
   * The function's own serializer, which Lambda's Java runtime finds as a service in the function's
   * class path ({@code META-INF/services/...CustomPojoSerializer}) and uses for every input and
   * output type, events-library ones too; null when it has none. More than one is an error, as
   * there.
   */
  static CustomPojoSerializer custom(ClassLoader loader) {
    Iterator<CustomPojoSerializer> found =
        ServiceLoader.load(CustomPojoSerializer.class, loader).iterator();
    if (!found.hasNext()) {
      return null;
    }
    CustomPojoSerializer first = found.next();
    if (found.hasNext()) {
      throw new IllegalStateException(
          "Too many serializers provided inside the META-INF/services folder, only one is"
              + " allowed");
    }
    return first;
  }

  /** A custom serializer bound to one type. */
  private record Custom(CustomPojoSerializer custom, Type type) implements PojoSerializer<Object> {

    @Override
    public Object fromJson(InputStream input) {
      return custom.fromJson(input, type);
    }

    @Override
    public Object fromJson(String input) {
      return custom.fromJson(input, type);
    }

    @Override
    public void toJson(Object value, OutputStream output) {
      custom.toJson(value, output, type);
    }
  }

  /**
   * The runtime's Jackson configuration, in a mapper and type cache of the instance's own. The
   * shared factory's mapper caches a reader per type and its type factory a type per class, and it
   * lives as long as the platform loader: every instance's POJO class, and with it the instance's
   * whole class loader, stayed reachable after the instance closed.
   */
  private static JacksonFactory ownFactory() {
    JacksonFactory shared = JacksonFactory.getInstance();
    JacksonFactory own = shared.withNamingStrategy(shared.getMapper().getPropertyNamingStrategy());
    ObjectMapper mapper = own.getMapper();
    mapper.setTypeFactory(mapper.getTypeFactory().withCache(new LRUMap<>(16, 200)));
    return own;
  }

  /**
   * Drops the types the shared factory cached: the events serializers' mappers are copies of it
   * that share its type cache, which holds the classes of the function's events library.
   */
  static void forgetSharedTypes() {
    JacksonFactory.getInstance().getMapper().getTypeFactory().clearCache();
  }

  Object read(byte[] json) {
    if (serializer == null || json.length == 0) {
      return null;
    }
    return serializer.fromJson(new ByteArrayInputStream(json));
  }

  byte[] write(Object value) {
    if (serializer == null || value == null) {
      return NULL;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    serializer.toJson(value, out);
    return out.toByteArray();
  }
}
