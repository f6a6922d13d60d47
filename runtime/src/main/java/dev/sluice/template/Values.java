package dev.sluice.template;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Converts resolved values to Java types, reporting type and range errors. Each method returns null
 * after reporting an error, and silently for a value whose error was reported already.
 */
final class Values {

  /** Digits a template number may have before or after its point: more than any property takes. */
  private static final int MAX_DIGITS = 30;

  private Values() {}

  static String string(Field f, Problems problems) {
    Node n = f.node();
    if (n.isInvalid()) {
      return null;
    }
    if (!n.isScalar()) {
      problems.error(f.path(), n, "expected a string");
      return null;
    }
    return n.text;
  }

  static BigDecimal number(Field f, Problems problems) {
    String text = string(f, problems);
    if (text == null) {
      return null;
    }
    BigDecimal v;
    try {
      v = new BigDecimal(text.trim());
    } catch (NumberFormatException e) {
      problems.error(f.path(), f.node(), "expected a number");
      return null;
    }
    // 1e999999999 parses, but setScale or toPlainString on it would build a billion digits
    if (v.precision() - v.scale() > MAX_DIGITS || v.scale() > MAX_DIGITS) {
      problems.error(f.path(), f.node(), text.trim() + " is out of range");
      return null;
    }
    return v;
  }

  /** A whole number within [min, max]. */
  static Integer integer(Field f, long min, long max, Problems problems) {
    BigDecimal v = whole(f, problems);
    if (v == null) {
      return null;
    }
    if (v.compareTo(BigDecimal.valueOf(min)) < 0) {
      problems.error(f.path(), f.node(), v.toPlainString() + " is below the minimum " + min);
      return null;
    }
    if (v.compareTo(BigDecimal.valueOf(max)) > 0) {
      problems.error(f.path(), f.node(), v.toPlainString() + " is above the maximum " + max);
      return null;
    }
    return v.intValueExact();
  }

  /** -1 (unlimited) or a whole number within [min, max]. */
  static Integer unlimitedOrRange(Field f, long min, long max, Problems problems) {
    BigDecimal v = whole(f, problems);
    if (v == null) {
      return null;
    }
    boolean unlimited = v.compareTo(BigDecimal.ONE.negate()) == 0;
    if (!unlimited
        && (v.compareTo(BigDecimal.valueOf(min)) < 0 || v.compareTo(BigDecimal.valueOf(max)) > 0)) {
      problems.error(
          f.path(), f.node(), v.toPlainString() + " must be -1 or between " + min + " and " + max);
      return null;
    }
    return v.intValueExact();
  }

  private static BigDecimal whole(Field f, Problems problems) {
    BigDecimal v = number(f, problems);
    if (v == null) {
      return null;
    }
    if (v.stripTrailingZeros().scale() > 0) {
      problems.error(f.path(), f.node(), "expected a whole number");
      return null;
    }
    return v.setScale(0);
  }

  static Boolean bool(Field f, Problems problems) {
    String text = string(f, problems);
    if (text == null) {
      return null;
    }
    if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
      return Boolean.valueOf(text.toLowerCase());
    }
    problems.error(f.path(), f.node(), "expected true or false");
    return null;
  }

  static String oneOf(Field f, List<String> allowed, Problems problems) {
    String text = string(f, problems);
    if (text == null) {
      return null;
    }
    if (!allowed.contains(text)) {
      problems.error(f.path(), f.node(), text + " is not one of " + String.join(", ", allowed));
      return null;
    }
    return text;
  }

  /** The items of a list, each with its indexed path; null when the value is not a list. */
  static List<Field> items(Field f, Problems problems) {
    Node n = f.node();
    if (n.isInvalid()) {
      return null;
    }
    if (!n.isList()) {
      problems.error(f.path(), n, "expected a list");
      return null;
    }
    List<Field> items = new ArrayList<>();
    for (int i = 0; i < n.items.size(); i++) {
      items.add(new Field(n.items.get(i), f.path() + "[" + i + "]"));
    }
    return items;
  }

  /** A list of strings; null after an error. */
  static List<String> strings(Field f, Problems problems) {
    List<Field> items = items(f, problems);
    if (items == null) {
      return null;
    }
    List<String> out = new ArrayList<>();
    boolean ok = true;
    for (Field item : items) {
      String s = string(item, problems);
      ok &= s != null;
      out.add(s);
    }
    return ok ? List.copyOf(out) : null;
  }
}
