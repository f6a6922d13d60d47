package dev.sluice.template;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The template's named Conditions, each evaluated once, on first use. */
final class Conditions {

  private final Map<String, Node> definitions;
  private final Map<String, Boolean> values = new HashMap<>();
  private final Set<String> evaluating = new LinkedHashSet<>();
  private final Problems problems;

  Conditions(Node section, Problems problems) {
    this.problems = problems;
    if (section == null || section.type == Node.Type.NULL) {
      definitions = Map.of();
    } else if (!section.isMap()) {
      problems.error("Conditions", section, "expected a mapping");
      definitions = Map.of();
    } else {
      definitions = new LinkedHashMap<>(section.entries);
    }
  }

  boolean has(String name) {
    return definitions.containsKey(name);
  }

  /** Evaluates every condition, so errors in unused ones are reported too. */
  void evaluateAll(Resolver resolver) {
    for (String name : definitions.keySet()) {
      value(name, resolver, definitions.get(name), "Conditions." + name);
    }
  }

  /** The named condition's value; null after an error. {@code at} is where it is named. */
  Boolean value(String name, Resolver resolver, Node at, String path) {
    if (!definitions.containsKey(name)) {
      problems.error(path, at, "unknown condition " + name);
      return null;
    }
    if (values.containsKey(name)) {
      return values.get(name);
    }
    if (evaluating.contains(name)) {
      List<String> cycle = new ArrayList<>(evaluating);
      cycle.add(name);
      problems.error(path, at, "condition cycle " + String.join(" -> ", cycle));
      return null;
    }
    evaluating.add(name);
    Boolean value = evaluate(definitions.get(name), "Conditions." + name, resolver);
    evaluating.remove(name);
    values.put(name, value);
    return value;
  }

  private Boolean evaluate(Node n, String path, Resolver resolver) {
    String fn = n.isMap() && n.entries.size() == 1 ? n.entries.keySet().iterator().next() : "";
    Node arg = fn.isEmpty() ? null : n.entries.get(fn);
    return switch (fn) {
      case "Fn::Equals" -> equal(arg, path, resolver);
      case "Fn::Not" -> not(arg, path, resolver);
      case "Fn::And", "Fn::Or" -> combine(fn, arg, path, resolver);
      case "Condition" -> arg.isScalar() ? value(arg.text, resolver, arg, path) : usage(n, path);
      default -> n.isInvalid() ? null : usage(n, path);
    };
  }

  private Boolean usage(Node at, String path) {
    problems.error(
        path, at, "expected a condition (Fn::Equals, Fn::Not, Fn::And, Fn::Or or Condition)");
    return null;
  }

  private Boolean equal(Node arg, String path, Resolver resolver) {
    if (!arg.isList() || arg.items.size() != 2) {
      problems.error(path, arg, "Fn::Equals needs [value, value]");
      return null;
    }
    Node a = resolver.resolveInCondition(arg.items.get(0), path);
    Node b = resolver.resolveInCondition(arg.items.get(1), path);
    if (a.isInvalid() || b.isInvalid()) {
      return null;
    }
    return text(a).equals(text(b));
  }

  private static String text(Node n) {
    if (n.isScalar()) {
      return n.text;
    }
    if (n.isList()) {
      return n.items.stream().map(Conditions::text).toList().toString();
    }
    return String.valueOf(n.entries);
  }

  private Boolean not(Node arg, String path, Resolver resolver) {
    if (!arg.isList() || arg.items.size() != 1) {
      problems.error(path, arg, "Fn::Not needs [condition]");
      return null;
    }
    Boolean v = evaluate(arg.items.get(0), path, resolver);
    return v == null ? null : !v;
  }

  private Boolean combine(String fn, Node arg, String path, Resolver resolver) {
    if (!arg.isList() || arg.items.size() < 2 || arg.items.size() > 10) {
      problems.error(path, arg, fn + " needs a list of 2 to 10 conditions");
      return null;
    }
    boolean and = fn.equals("Fn::And");
    Boolean result = and;
    for (Node item : arg.items) {
      Boolean v = evaluate(item, path, resolver);
      if (v == null) {
        result = null;
      } else if (result != null) {
        result = and ? result && v : result || v;
      }
    }
    return result;
  }
}
