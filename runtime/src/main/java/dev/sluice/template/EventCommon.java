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

  /** DestinationConfig.OnFailure.Destination, or null. */
  static String onFailure(Props props) {
    if (!props.has("DestinationConfig")) {
      return null;
    }
    Props config = props.child("DestinationConfig");
    Props onFailure = config.child("OnFailure");
    String destination = null;
    if (config.has("OnFailure")) {
      destination = onFailure.requiredString("Destination");
      onFailure.string("Type"); // SAM's destination type (SQS, SNS, ...); Sluice goes by the ARN
    }
    onFailure.finish(Set.of());
    config.finish(Set.of());
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
        return text;
      }
    } catch (JsonProcessingException e) {
      // reported below
    }
    problems.error(f.path(), f.node(), "is not a JSON object");
    return null;
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
    return seconds.movePointRight(3).longValue();
  }
}
