package dev.sluice.function.classloader.bridge;

import com.amazonaws.lambda.thirdparty.com.fasterxml.jackson.databind.ObjectMapper;
import com.amazonaws.lambda.thirdparty.com.fasterxml.jackson.databind.util.LRUMap;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;

/**
 * Converts between JSON and a handler's input or output type exactly as Lambda's Java runtime does:
 * aws-lambda-java-events types through their serializers (KinesisEvent data as ByteBuffer,
 * timestamps as Date), everything else through the runtime's Jackson configuration.
 */
final class Serde {

  private static final byte[] NULL = "null".getBytes(StandardCharsets.UTF_8);

  private final PojoSerializer<Object> serializer;

  private Serde(PojoSerializer<Object> serializer) {
    this.serializer = serializer;
  }

  @SuppressWarnings("unchecked")
  static Serde forType(Type type, ClassLoader loader) {
    if (type == void.class || type == Void.class) {
      return new Serde(null);
    }
    Class<?> raw =
        type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
    if (LambdaEventSerializers.isLambdaSupportedEvent(raw.getName())) {
      return new Serde((PojoSerializer<Object>) LambdaEventSerializers.serializerFor(raw, loader));
    }
    return new Serde(ownFactory().getSerializer(type));
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
