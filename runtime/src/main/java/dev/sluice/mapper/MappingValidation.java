package dev.sluice.mapper;

import java.util.List;

/** Lambda's ranges for Kinesis mappings, with its error wording. */
final class MappingValidation {

  private MappingValidation() {}

  static int range(String field, Integer value, int dflt, int min, int max) {
    int v = value == null ? dflt : value;
    if (v < min || v > max) {
      throw MappingException.invalid(
          "1 validation error detected: Value '"
              + v
              + "' at '"
              + field
              + "' failed to satisfy constraint: Member must have value between "
              + min
              + " and "
              + max);
    }
    return v;
  }

  /** -1 (unlimited) or a value within [min, max]. */
  static int unlimitedOrRange(String field, Integer value, int min, int max) {
    int v = value == null ? -1 : value;
    if (v != -1 && (v < min || v > max)) {
      throw MappingException.invalid(
          "1 validation error detected: Value '"
              + v
              + "' at '"
              + field
              + "' failed to satisfy constraint: Member must be -1 or have value between "
              + min
              + " and "
              + max);
    }
    return v;
  }

  static StartingPosition position(String value) {
    if (value == null) {
      throw MappingException.invalid(
          "StartingPosition is required for a Kinesis event source: TRIM_HORIZON, LATEST or AT_TIMESTAMP.");
    }
    try {
      return StartingPosition.valueOf(value);
    } catch (IllegalArgumentException e) {
      throw MappingException.invalid(
          "1 validation error detected: Value '"
              + value
              + "' at 'startingPosition' failed to satisfy constraint: Member must satisfy enum value set: [TRIM_HORIZON, LATEST, AT_TIMESTAMP]");
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
