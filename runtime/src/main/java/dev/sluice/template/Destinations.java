package dev.sluice.template;

import dev.sluice.mapper.FailureRecords;
import java.util.regex.Pattern;

/**
 * Checks an event's Sluice failure destination as the mapping API will, so that a deploy does not
 * stop half way on it with no place in the template: a stream ARN, a {@code file://} directory, or,
 * for Kafka events, {@code kafka://topic}; never the event's own source, whose failure records
 * would be read back and fail again for ever.
 */
final class Destinations {

  /**
   * A stream ARN of any region and account: the node started by {@code sluice up} may run in
   * another region than the template is first checked for, and the deploy checks the rest.
   */
  private static final Pattern STREAM_ARN =
      Pattern.compile("arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\\d{12}:stream/[a-zA-Z0-9_.-]+");

  private Destinations() {}

  /**
   * Reports what is wrong with {@code destination} (null: none) of event {@code id}, whose source
   * is {@code source} (a stream ARN, or {@code kafka://topic}); it comes from the function's Sluice
   * metadata when that gives one, else from the event's DestinationConfig.
   */
  static void check(
      String destination,
      String source,
      boolean kafka,
      SluiceMetadata meta,
      String id,
      Props event,
      Scope scope) {
    if (destination == null
        || (!kafka && destination.startsWith("kafka://") && meta.onFailure(id) != null)) {
      return; // none, or a kafka:// topic for a Kinesis event, which SluiceMetadata reports
    }
    String problem = problem(destination, source, kafka);
    if (problem == null) {
      return;
    }
    Node at = meta.onFailureNode(id);
    if (at != null) {
      scope.problems().error(meta.onFailurePath(id), at, problem);
    } else {
      String path = event.path() + ".DestinationConfig.OnFailure.Destination";
      scope.problems().error(path, event.raw("DestinationConfig"), problem);
    }
  }

  private static String problem(String destination, String source, boolean kafka) {
    boolean topic = kafka && destination.startsWith("kafka://") && destination.length() > 8;
    if (FailureRecords.directory(destination) == null
        && !STREAM_ARN.matcher(destination).matches()
        && !topic) {
      return destination
          + " is not a Sluice failure destination: a stream ARN, an absolute file:// directory"
          + (kafka ? " or kafka://topic" : "");
    }
    if (destination.equals(source)) {
      return "is the event's own source: its failure records would be read back and fail again"
          + " for ever";
    }
    return null;
  }
}
