package dev.sluice.mapper;

import java.util.List;

/**
 * Lambda's ranges for mappings, with its error wording: a value outside the API model's range is a
 * ValidationException naming the field as the model does (batchSize), one inside it that the event
 * source does not take an InvalidParameterValueException.
 */
final class MappingValidation {

  private MappingValidation() {}

  /** {@code value}, or {@code dflt} when null, which the model allows from min to max. */
  static int range(String field, Integer value, int dflt, int min, int max) {
    int v = value == null ? dflt : value;
    checkModel(field, v, min, max);
    return v;
  }

  /** -1 (unlimited) or a value within [min, max]; the model allows -1 to max. */
  static int unlimitedOrRange(String field, Integer value, int min, int max) {
    int v = value == null ? -1 : value;
    checkModel(field, v, -1, max);
    if (v != -1 && v < min) {
      throw MappingException.invalid(
          field
              + " must be either -1 (forever) or between "
              + min
              + " and "
              + max
              + " (inclusive)");
    }
    return v;
  }

  private static void checkModel(String field, int v, int min, int max) {
    if (v < min || v > max) {
      throw MappingException.validation(
          "Value '"
              + v
              + "' at '"
              + modelName(field)
              + "' failed to satisfy constraint: Member must have value "
              + (v < min ? "greater than or equal to " + min : "less than or equal to " + max));
    }
  }

  /** The member's name in the model: BatchSize is batchSize. */
  private static String modelName(String field) {
    return Character.toLowerCase(field.charAt(0)) + field.substring(1);
  }

  static StartingPosition position(String value) {
    if (value == null) {
      throw MappingException.invalid(
          "StartingPosition is required for a Kinesis event source: TRIM_HORIZON, LATEST or AT_TIMESTAMP.");
    }
    return positionValue(value);
  }

  /** A StartingPosition the model has (either event source's); {@code value} is not null. */
  static StartingPosition positionValue(String value) {
    try {
      return StartingPosition.valueOf(value);
    } catch (IllegalArgumentException e) {
      throw MappingException.validation(
          "Value '"
              + value
              + "' at 'startingPosition' failed to satisfy constraint: Member must satisfy enum"
              + " value set: [TRIM_HORIZON, LATEST, AT_TIMESTAMP]");
    }
  }

  static boolean reportBatchItemFailures(List<String> types) {
    if (types == null || types.isEmpty()) {
      return false;
    }
    if (types.size() == 1 && types.get(0).equals("ReportBatchItemFailures")) {
      return true;
    }
    throw MappingException.invalid(
        "FunctionResponseTypes must be empty or [ReportBatchItemFailures], not " + types + ".");
  }
}
