package dev.sluice.sdk;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Real Lambda event JSON, deserialized the way the Lambda Java runtime does it. */
public final class Fixtures {
  private Fixtures() {}

  /** {@code events/NAME} from the test resources, read as a {@link KinesisEvent}. */
  public static KinesisEvent kinesisEvent(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/events/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture events/" + name);
      }
      return LambdaEventSerializers.serializerFor(
              KinesisEvent.class, Fixtures.class.getClassLoader())
          .fromJson(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
