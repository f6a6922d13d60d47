package dev.sluice.template;

import java.util.Map;
import java.util.Set;

/**
 * The template's {@code Outputs}, which Sluice prints nowhere but checks as far as it can without
 * refusing a template {@code sam deploy} takes: each output is a mapping of CloudFormation's keys
 * with a {@code Value}, and its {@code Condition} names a condition. The values are not resolved:
 * they may name what SAM generates ({@code <Fn>Role}, {@code ServerlessRestApi}, ...) or attributes
 * of resources only AWS creates, which Sluice has no stand-ins for.
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
      } else {
        keys(output, path, problems);
        condition(output, path, conditions, resolver, problems);
      }
    }
  }

  /** Reports keys CloudFormation does not take, and a missing Value. */
  private static void keys(Node output, String path, Problems problems) {
    for (Map.Entry<String, Node> k : output.entries.entrySet()) {
      if (!KEYS.contains(k.getKey())) {
        problems.errorAtKey(path + "." + k.getKey(), k.getValue(), "unknown property");
      }
    }
    if (!output.entries.containsKey("Value")) {
      problems.errorAtKey(path + ".Value", output, "is required");
    }
  }

  private static void condition(
      Node output, String path, Conditions conditions, Resolver resolver, Problems problems) {
    Node condition = output.entries.get("Condition");
    if (condition == null) {
      return;
    }
    if (!condition.isScalar()) {
      problems.error(path + ".Condition", condition, "expected a string");
    } else {
      conditions.value(condition.text, resolver, condition, path + ".Condition");
    }
  }
}
