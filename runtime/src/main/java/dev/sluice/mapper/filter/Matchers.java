package dev.sluice.mapper.filter;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.List;

/** The matchers of EventBridge patterns. */
final class Matchers {

  private Matchers() {}

  /** {@code {"exists": true|false}}: whether the field has at least one leaf value. */
  record Exists(boolean present) implements Matcher {
    @Override
    public boolean matches(List<JsonNode> leaves) {
      return leaves.isEmpty() != present;
    }
  }

  /**
   * An exact value: a string equals a string, a number equals a number numerically ({@code 5}
   * matches {@code 5.0}), true, false and null equal themselves. There is no type coercion: {@code
   * "5"} does not match {@code 5}.
   */
  record Exact(JsonNode expected) implements Matcher.ValueTest {
    @Override
    public boolean test(JsonNode leaf) {
      if (expected.isNumber()) {
        return Numbers.finite(leaf) && Numbers.compare(expected, leaf) == 0;
      }
      if (expected.isTextual()) {
        return leaf.isTextual() && leaf.textValue().equals(expected.textValue());
      }
      if (expected.isBoolean()) {
        return leaf.isBoolean() && leaf.booleanValue() == expected.booleanValue();
      }
      return expected.isNull() && leaf.isNull();
    }
  }

  /** {@code {"prefix": "x"}}, optionally ignoring case; strings only. */
  record Prefix(String prefix, boolean ignoreCase) implements Matcher.ValueTest {
    @Override
    public boolean test(JsonNode leaf) {
      return leaf.isTextual()
          && leaf.textValue().regionMatches(ignoreCase, 0, prefix, 0, prefix.length());
    }
  }

  /** {@code {"suffix": "x"}}, optionally ignoring case; strings only. */
  record Suffix(String suffix, boolean ignoreCase) implements Matcher.ValueTest {
    @Override
    public boolean test(JsonNode leaf) {
      if (!leaf.isTextual()) {
        return false;
      }
      String text = leaf.textValue();
      int start = text.length() - suffix.length();
      return start >= 0 && text.regionMatches(ignoreCase, start, suffix, 0, suffix.length());
    }
  }

  /** {@code {"equals-ignore-case": "x"}}; strings only. */
  record EqualsIgnoreCase(String value) implements Matcher.ValueTest {
    @Override
    public boolean test(JsonNode leaf) {
      return leaf.isTextual() && leaf.textValue().equalsIgnoreCase(value);
    }
  }

  /**
   * {@code {"wildcard": "a*b"}}: {@code *} stands for any run of characters; strings only. The
   * pattern is held as its literal pieces between stars, {@code parts.size() - 1} stars in all, and
   * matched greedily in linear passes (no regular expression, so no backtracking blow-up).
   */
  record Wildcard(List<String> parts) implements Matcher.ValueTest {
    @Override
    public boolean test(JsonNode leaf) {
      if (!leaf.isTextual()) {
        return false;
      }
      String text = leaf.textValue();
      String first = parts.get(0);
      if (parts.size() == 1) {
        return text.equals(first);
      }
      String last = parts.get(parts.size() - 1);
      if (text.length() < first.length() + last.length()
          || !text.startsWith(first)
          || !text.endsWith(last)) {
        return false;
      }
      int from = first.length();
      int end = text.length() - last.length();
      for (int i = 1; i < parts.size() - 1; i++) {
        String part = parts.get(i);
        int at = text.indexOf(part, from);
        if (at < 0 || at + part.length() > end) {
          return false;
        }
        from = at + part.length();
      }
      return true;
    }
  }

  /**
   * {@code {"anything-but": ...}}: matches a leaf value that none of the excluded tests accept. It
   * needs a value: an absent field does not match. Like EventBridge it applies to each value of an
   * array, so {@code ["a","b"]} matches anything-but "a" through "b".
   */
  record AnythingBut(List<Matcher.ValueTest> excluded) implements Matcher.ValueTest {
    @Override
    public boolean test(JsonNode leaf) {
      for (Matcher.ValueTest test : excluded) {
        if (test.test(leaf)) {
          return false;
        }
      }
      return true;
    }
  }

  /**
   * {@code {"numeric": [...]}}: a numeric value within the bounds; a null bound is open-ended.
   * Strings are never numbers here: {@code "5"} does not match.
   */
  record Numeric(BigDecimal lower, boolean lowerInclusive, BigDecimal upper, boolean upperInclusive)
      implements Matcher.ValueTest {
    @Override
    public boolean test(JsonNode leaf) {
      if (!Numbers.finite(leaf)) {
        return false;
      }
      BigDecimal value = Numbers.decimal(leaf);
      if (lower != null) {
        int c = value.compareTo(lower);
        if (c < 0 || (c == 0 && !lowerInclusive)) {
          return false;
        }
      }
      if (upper != null) {
        int c = value.compareTo(upper);
        if (c > 0 || (c == 0 && !upperInclusive)) {
          return false;
        }
      }
      return true;
    }
  }

  /** Numeric helpers: JSON numbers compared by value whatever their Jackson representation. */
  static final class Numbers {
    private Numbers() {}

    /**
     * Whether {@code node} is a number with a decimal value: a JSON number too large for a double
     * (1e400) reads as infinity, which matches no numeric pattern rather than failing the batch.
     */
    static boolean finite(JsonNode node) {
      return node.isNumber()
          && (node.isBigDecimal()
              || node.isIntegralNumber()
              || Double.isFinite(node.doubleValue()));
    }

    static BigDecimal decimal(JsonNode number) {
      if (number.isBigDecimal()) {
        return number.decimalValue();
      }
      if (number.isIntegralNumber()) {
        return new BigDecimal(number.bigIntegerValue());
      }
      // BigDecimal.valueOf uses the shortest decimal form of the double: 0.1 stays 0.1.
      return BigDecimal.valueOf(number.doubleValue());
    }

    static int compare(JsonNode a, JsonNode b) {
      return decimal(a).compareTo(decimal(b));
    }
  }
}
