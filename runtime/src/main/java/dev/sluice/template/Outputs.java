package dev.sluice.template;

import java.util.Map;
import java.util.Set;

/**
 * The template's {@code Outputs}, which Sluice prints nowhere but checks as CloudFormation does, so
 * that a template Sluice deploys is not refused by {@code sam deploy} for them: each output is a
 * mapping with a {@code Value}, its references resolve, and its {@code Condition} names a
 * condition. An output whose condition is false is not resolved, as CloudFormation skips it.
 */
final class Outputs {

  private static final Set<String> KEYS = Set.of("Value", "Description", "Export", "Condition");

  private Outputs() {}

  /** Reports what is wrong with {@code outputs} (null when the template has none). */
  static void check(Node outputs, Conditions conditions, Resolver resolver, Problems problems) {
    if (outputs == null) {
      return;
    }
    if (!outputs.isMap()) {
      problems.error("Outputs", outputs, "expected a mapping");
      return;
    }
    for (Map.Entry<String, Node> e : outputs.entries.entrySet()) {
      String path = "Outputs." + e.getKey();
      Node output = e.getValue();
      if (!output.isMap()) {
        problems.error(path, output, "expected a mapping");
      } else if (keys(output, path, problems)
          && created(output, path, conditions, resolver, problems)) {
        resolver.resolve(output.entries.get("Value"), path + ".Value");
        Node export = output.entries.get("Export");
        if (export != null) {
          resolver.resolve(export, path + ".Export");
        }
      }
    }
  }

  /** Whether the output has a Value and only keys CloudFormation takes. */
  private static boolean keys(Node output, String path, Problems problems) {
    boolean ok = true;
    for (Map.Entry<String, Node> k : output.entries.entrySet()) {
      if (!KEYS.contains(k.getKey())) {
        problems.errorAtKey(path + "." + k.getKey(), k.getValue(), "unknown property");
        ok = false;
      }
    }
    if (!output.entries.containsKey("Value")) {
      problems.errorAtKey(path + ".Value", output, "is required");
      ok = false;
    }
    return ok;
  }

  private static boolean created(
      Node output, String path, Conditions conditions, Resolver resolver, Problems problems) {
    Node condition = output.entries.get("Condition");
    if (condition == null) {
      return true;
    }
    if (!condition.isScalar()) {
      problems.error(path + ".Condition", condition, "expected a string");
      return false;
    }
    return Boolean.TRUE.equals(
        conditions.value(condition.text, resolver, condition, path + ".Condition"));
  }
}
