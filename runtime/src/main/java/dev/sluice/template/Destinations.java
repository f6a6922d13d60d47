package dev.sluice.template;

import dev.sluice.mapper.FailureRecords;
import dev.sluice.mapper.KafkaNames;
import dev.sluice.stream.Arns;

/**
 * Checks an event's Sluice failure destination as the mapping API will, so that a deploy does not
 * stop half way on it with no place in the template: a stream ARN, a {@code file://} directory, or,
 * for Kafka events, {@code kafka://topic}; never the event's own source, whose failure records
 * would be read back and fail again for ever. A stream ARN of any region and account passes: the
 * node {@code sluice up} starts may run in another region than the template is first checked for,
 * and the deploy checks the rest.
 */
final class Destinations {

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
    boolean topic = kafka && KafkaNames.isTopicDestination(destination);
    if (FailureRecords.directory(destination) == null && !Arns.isStreamArn(destination) && !topic) {
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
