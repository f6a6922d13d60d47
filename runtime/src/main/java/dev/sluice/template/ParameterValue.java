package dev.sluice.template;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A parameter's chosen value before its constraints are checked.
 *
 * @param text the value as written (lists comma-separated)
 * @param path where errors about it point
 * @param at the position errors about it point at
 * @param prefix "override " when the value came from the overrides, so the user knows which
 */
record ParameterValue(String text, String path, Node at, String prefix) {

  static ParameterValue ofDefault(Node dflt, String path, Problems problems) {
    if (dflt.isScalar()) {
      return new ParameterValue(dflt.text, path, dflt, "");
    }
    if (dflt.isList() && dflt.items.stream().allMatch(Node::isScalar)) {
      List<String> parts = dflt.items.stream().map(n -> n.text).toList();
      return new ParameterValue(String.join(",", parts), path, dflt, "");
    }
    problems.error(path, dflt, "expected a string");
    return null;
  }

  /** The value as a template node, or {@link Node#INVALID} after reporting what is wrong. */
  Node check(String type, Node def, Problems problems) {
    boolean list = type.equals("CommaDelimitedList") || type.equals("List<Number>");
    boolean numeric = type.equals("Number") || type.equals("List<Number>");
    List<String> items = list ? split(text) : List.of(text);
    boolean ok = true;
    for (String item : items) {
      ok &= checkItem(item, numeric, def, problems);
    }
    if (!ok) {
      return Node.INVALID;
    }
    if (!list) {
      return Node.scalar(text, numeric ? Node.Type.NUMBER : Node.Type.STRING, at);
    }
    List<Node> nodes = new ArrayList<>();
    for (String item : items) {
      nodes.add(Node.scalar(item, numeric ? Node.Type.NUMBER : Node.Type.STRING, at));
    }
    return Node.list(nodes, at);
  }

  private static List<String> split(String text) {
    List<String> out = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      out.add(part.trim());
    }
    return out;
  }

  private boolean checkItem(String item, boolean numeric, Node def, Problems problems) {
    boolean ok = numeric ? checkNumber(item, def, problems) : checkString(item, def, problems);
    Node allowed = def.entries.get("AllowedValues");
    if (ok && allowed != null && allowed.isList()) {
      List<String> values = allowed.items.stream().map(n -> n.text).toList();
      if (!values.contains(item)) {
        return violates(problems, def, item, "is not one of " + String.join(", ", values));
      }
    }
    return ok;
  }

  private boolean checkNumber(String item, Node def, Problems problems) {
    BigDecimal v;
    try {
      v = new BigDecimal(item);
    } catch (NumberFormatException e) {
      return fail(problems, shown(item, def) + " is not a number");
    }
    BigDecimal min = bound(def, "MinValue", problems);
    BigDecimal max = bound(def, "MaxValue", problems);
    if (min != null && v.compareTo(min) < 0) {
      return violates(problems, def, item, "is below the minimum " + min.toPlainString());
    }
    if (max != null && v.compareTo(max) > 0) {
      return violates(problems, def, item, "is above the maximum " + max.toPlainString());
    }
    return true;
  }

  private boolean checkString(String item, Node def, Problems problems) {
    BigDecimal min = bound(def, "MinLength", problems);
    BigDecimal max = bound(def, "MaxLength", problems);
    int length = item.codePointCount(0, item.length());
    if (min != null && length < min.intValue()) {
      return violates(
          problems, def, item, "is shorter than the minimum length " + min.toPlainString());
    }
    if (max != null && length > max.intValue()) {
      return violates(
          problems, def, item, "is longer than the maximum length " + max.toPlainString());
    }
    Node pattern = def.entries.get("AllowedPattern");
    if (pattern != null && pattern.isScalar()) {
      try {
        if (!Pattern.compile(pattern.text).matcher(item).matches()) {
          return violates(problems, def, item, "does not match the pattern " + pattern.text);
        }
      } catch (PatternSyntaxException e) {
        problems.error(parameterPath() + ".AllowedPattern", pattern, "not a valid pattern");
        return false;
      }
    }
    return true;
  }

  private BigDecimal bound(Node def, String key, Problems problems) {
    Node n = def.entries.get(key);
    if (n == null) {
      return null;
    }
    try {
      return new BigDecimal(n.isScalar() ? n.text : "x");
    } catch (NumberFormatException e) {
      problems.error(parameterPath() + "." + key, n, "expected a number");
      return null;
    }
  }

  /** The parameter's own path, without a trailing {@code .Default}. */
  private String parameterPath() {
    return path.endsWith(".Default") ? path.substring(0, path.length() - 8) : path;
  }

  /**
   * Reports a value that breaks one of the parameter's constraints: with the parameter's
   * ConstraintDescription in place of Sluice's own wording when it has one, as CloudFormation does.
   */
  private boolean violates(Problems problems, Node def, String item, String what) {
    Node description = def.entries.get("ConstraintDescription");
    String why =
        description != null && description.isScalar()
            ? "fails its constraint: " + description.text
            : what;
    return fail(problems, shown(item, def) + " " + why);
  }

  /** {@code item}, or asterisks for a NoEcho parameter, whose value must never be shown. */
  private static String shown(String item, Node def) {
    Node noEcho = def.entries.get("NoEcho");
    boolean hidden = noEcho != null && noEcho.isScalar() && noEcho.text.equalsIgnoreCase("true");
    return hidden ? "****" : item;
  }

  private boolean fail(Problems problems, String message) {
    problems.error(path, at, prefix + message);
    return false;
  }
}
