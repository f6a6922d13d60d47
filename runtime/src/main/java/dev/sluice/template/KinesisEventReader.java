package dev.sluice.template;

import dev.sluice.mapper.MappingRequest;
import dev.sluice.stream.Arns;
import java.util.List;
import java.util.Set;

/** Reads a {@code Type: Kinesis} event into the mapping it asks for. */
final class KinesisEventReader {

  static final List<String> POSITIONS = List.of("TRIM_HORIZON", "LATEST", "AT_TIMESTAMP");

  private static final Set<String> IGNORED = Set.of("KmsKeyArn", "MetricsConfig");

  private KinesisEventReader() {}

  /**
   * The event {@code id} of function {@code functionName}; {@code metadataOnly} comes from the
   * function's Sluice metadata.
   */
  static KinesisEventSource read(
      String id,
      Props props,
      String functionName,
      Boolean metadataOnly,
      String sluiceOnFailure,
      Scope scope) {
    Problems problems = scope.problems();
    String stream = streamArn(props, problems);
    String position = props.requiredOneOf("StartingPosition", POSITIONS);
    Long timestamp = EventCommon.timestamp(props, position, problems);
    Integer batchSize = props.integer("BatchSize", 1, 10_000);
    Boolean enabled = props.bool("Enabled");
    MappingRequest request =
        new MappingRequest(
            functionName,
            stream,
            enabled == null || enabled,
            batchSize == null ? 100 : batchSize,
            props.integer("MaximumBatchingWindowInSeconds", 0, 300),
            position,
            timestamp,
            props.integer("ParallelizationFactor", 1, 10),
            props.bool("BisectBatchOnFunctionError"),
            props.unlimitedOrRange("MaximumRetryAttempts", 0, 10_000),
            props.unlimitedOrRange("MaximumRecordAgeInSeconds", 60, 604_800),
            EventCommon.onFailure(props, id, sluiceOnFailure, false, problems),
            EventCommon.responseTypes(props, problems),
            EventCommon.filters(props, scope),
            props.integer("TumblingWindowInSeconds", 0, 900),
            metadataOnly,
            null);
    props.finish(IGNORED);
    return new KinesisEventSource(id, stream, request);
  }

  private static String streamArn(Props props, Problems problems) {
    Field f = props.required("Stream");
    String arn = f == null ? null : Values.string(f, problems);
    if (arn != null && !Arns.isStreamArn(arn)) {
      // any region and account: the node may run in another region than this check assumes; a
      // consumer's ARN (enhanced fan-out) or a malformed one would pass here and fail the deploy
      // halfway, after streams and functions changed, with no place in the template
      problems.error(
          f.path(),
          f.node(),
          arn
              + " is not a Kinesis stream ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME; Sluice"
              + " reads streams with GetRecords, so a stream consumer's ARN is not supported)");
      return null;
    }
    return arn;
  }
}
