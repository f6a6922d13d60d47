package dev.sluice.examples.orders;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse.BatchItemFailure;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The event files of {@code events/}, read the way Lambda's Java runtime reads an event. */
final class Fixtures {
  private Fixtures() {}

  static KinesisEvent event(String name) throws IOException {
    // Surefire runs in the module directory.
    try (InputStream in = Files.newInputStream(Path.of("events", name))) {
      return LambdaEventSerializers.serializerFor(
              KinesisEvent.class, Fixtures.class.getClassLoader())
          .fromJson(in);
    }
  }

  static String seq(KinesisEvent event, int index) {
    return event.getRecords().get(index).getKinesis().getSequenceNumber();
  }

  static List<String> failedIds(StreamsEventResponse response) {
    return response.getBatchItemFailures().stream()
        .map(BatchItemFailure::getItemIdentifier)
        .toList();
  }
}
