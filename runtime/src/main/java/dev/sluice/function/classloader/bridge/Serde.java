package dev.sluice.function.classloader.bridge;

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
    return new Serde(JacksonFactory.getInstance().getSerializer(type));
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
