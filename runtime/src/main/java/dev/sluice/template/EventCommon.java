package dev.sluice.template;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Event properties that Kinesis and SelfManagedKafka events share. */
final class EventCommon {

  static final List<String> RESPONSE_TYPES = List.of("ReportBatchItemFailures");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_FILTERS = 5;
  private static final int MAX_PATTERN = 4096;

  private EventCommon() {}

  /** The destination types SAM takes for DestinationConfig.OnFailure. */
  static final List<String> AWS_DESTINATION_TYPES = List.of("SQS", "SNS", "S3");

  /** A Kafka event's: Lambda sends its failure records to a topic too, as Sluice does. */
  static final List<String> KAFKA_DESTINATION_TYPES = List.of("SQS", "SNS", "S3", "Kafka");

  private static final java.util.regex.Pattern AWS_ONLY_ARN =
      java.util.regex.Pattern.compile("arn:aws[a-z-]*:(sqs|sns|s3):.*");

  /**
   * Where Sluice sends the event's failure records: {@code sluiceOnFailure} (the function's
   * Metadata.Sluice.Events.ID.OnFailure) when given, else DestinationConfig.OnFailure.Destination;
   * null for none. DestinationConfig is for AWS then, and is not resolved: it may name a queue or
   * topic that only AWS creates. Sluice cannot send to SQS, SNS or S3, so such a destination
   * without a Sluice one is an error that says how to give one; a Kafka event's {@code Type: Kafka}
   * with a {@code kafka://topic} is one both send to.
   */
  static String onFailure(
      Props props, String id, String sluiceOnFailure, boolean kafka, Problems problems) {
    if (!props.has("DestinationConfig")) {
      return sluiceOnFailure;
    }
    Props config = props.child("DestinationConfig");
    Props onFailure = config.child("OnFailure");
    String destination = null;
    if (config.has("OnFailure") && sluiceOnFailure != null) {
      onFailure.raw("Destination");
      onFailure.raw("Type");
    } else if (config.has("OnFailure")) {
      destination = destination(onFailure, id, kafka, problems);
    }
    onFailure.finish(Set.of());
    config.finish(Set.of());
    return sluiceOnFailure != null ? sluiceOnFailure : destination;
  }

  private static String destination(Props onFailure, String id, boolean kafka, Problems problems) {
    String type = onFailure.oneOf("Type", kafka ? KAFKA_DESTINATION_TYPES : AWS_DESTINATION_TYPES);
    Field f = onFailure.required("Destination");
    String destination = f == null ? null : Values.string(f, problems);
    if ("Kafka".equals(type) && destination != null && destination.startsWith("kafka://")) {
      return destination; // checked as any Sluice destination is (Destinations)
    }
    if (destination != null && (type != null || AWS_ONLY_ARN.matcher(destination).matches())) {
      problems.error(
          f.path(),
          f.node(),
          "Sluice cannot send failure records to "
              + destination
              + "; give the function's Metadata.Sluice.Events."
              + id
              + ".OnFailure a Sluice destination (a stream ARN, file:// directory or"
              + " kafka://topic), which AWS ignores");
      return null;
    }
    if (destination != null && !(kafka && destination.startsWith("kafka://"))) {
      // Sluice sends there; AWS refuses it here, and the same file is to deploy to both
      problems.warn(
          f.path(),
          f.node(),
          "AWS takes only an SQS, SNS or S3"
              + (kafka ? " ARN or a Kafka topic" : " ARN")
              + " here: for a template that deploys to AWS too, give "
              + destination
              + " as the function's Metadata.Sluice.Events."
              + id
              + ".OnFailure, which AWS ignores");
    }
    return destination;
  }

  /** FunctionResponseTypes: empty or [ReportBatchItemFailures]; null when absent. */
  static List<String> responseTypes(Props props, Problems problems) {
    Field f = props.field("FunctionResponseTypes");
    List<Field> items = f == null ? null : Values.items(f, problems);
    if (items == null) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (Field item : items) {
      String type = Values.oneOf(item, RESPONSE_TYPES, problems);
      if (type != null && !out.contains(type)) {
        out.add(type);
      }
    }
    return List.copyOf(out);
  }

  /** FilterCriteria.Filters[].Pattern, each checked to be a JSON object; null when absent. */
  static List<String> filters(Props props, Scope scope) {
    if (!props.has("FilterCriteria")) {
      return null;
    }
    Props criteria = props.child("FilterCriteria");
    Field f = criteria.field("Filters");
    criteria.finish(Set.of());
    List<Field> items = f == null ? null : Values.items(f, scope.problems());
    if (items == null) {
      return null;
    }
    if (items.size() > MAX_FILTERS) {
      scope
          .problems()
          .error(f.path(), f.node(), items.size() + " filters is above the maximum " + MAX_FILTERS);
    }
    List<String> patterns = new ArrayList<>();
    for (Field item : items) {
      Props filter = Props.of(item.node(), item.path(), item.node(), scope);
      Field pattern = filter.required("Pattern");
      filter.finish(Set.of());
      String text = pattern == null ? null : pattern(pattern, scope.problems());
      if (text != null) {
        patterns.add(text);
      }
    }
    return List.copyOf(patterns);
  }

  private static String pattern(Field f, Problems problems) {
    String text = Values.string(f, problems);
    if (text == null) {
      return null;
    }
    if (text.length() > MAX_PATTERN) {
      problems.error(f.path(), f.node(), "is longer than the maximum length " + MAX_PATTERN);
      return null;
    }
    try {
      JsonNode parsed = JSON.readTree(text);
      if (parsed != null && parsed.isObject()) {
        return grammatical(text, f, problems);
      }
    } catch (JsonProcessingException e) {
      // reported below
    }
    problems.error(f.path(), f.node(), "is not a JSON object");
    return null;
  }

  /**
   * The pattern, if the server's own parser takes it: one it refuses would fail the deploy halfway,
   * after streams and functions changed, without a place in the template.
   */
  private static String grammatical(String text, Field f, Problems problems) {
    try {
      dev.sluice.mapper.filter.FilterCriteria.parse(List.of(text));
      return text;
    } catch (dev.sluice.mapper.filter.InvalidFilterException e) {
      // the path is the template's here, not the API's
      problems.error(
          f.path(), f.node(), e.getMessage().replaceFirst("^Filters\\[\\d+]\\.Pattern: ", ""));
      return null;
    }
  }

  /** StartingPositionTimestamp (epoch seconds) in milliseconds; only with AT_TIMESTAMP. */
  static Long timestamp(Props props, String position, Problems problems) {
    Field f = props.field("StartingPositionTimestamp");
    if (f == null) {
      if ("AT_TIMESTAMP".equals(position)) {
        problems.errorAtKey(
            props.path() + ".StartingPositionTimestamp",
            props.holder(),
            "is required when StartingPosition is AT_TIMESTAMP");
      }
      return null;
    }
    BigDecimal seconds = Values.number(f, problems);
    if (seconds == null) {
      return null;
    }
    if (position != null && !position.equals("AT_TIMESTAMP")) {
      problems.error(f.path(), f.node(), "is only allowed when StartingPosition is AT_TIMESTAMP");
      return null;
    }
    if (seconds.signum() < 0) {
      problems.error(f.path(), f.node(), seconds.toPlainString() + " is below the minimum 0");
      return null;
    }
    try {
      return seconds.movePointRight(3).setScale(0, java.math.RoundingMode.DOWN).longValueExact();
    } catch (ArithmeticException e) {
      problems.error(f.path(), f.node(), seconds.toPlainString() + " is out of range");
      return null;
    }
  }
}
