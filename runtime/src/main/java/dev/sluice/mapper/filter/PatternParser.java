package dev.sluice.mapper.filter;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles one EventBridge pattern string into an {@link ObjectPattern}, or rejects it with an
 * {@link InvalidFilterException} whose message starts with {@code Filters[i].Pattern: }.
 */
final class PatternParser {

  static final int MAX_LENGTH = 4096;
  static final String OR = "$or";

  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private static final Set<String> NUMERIC_OPS = Set.of("=", "<", "<=", ">", ">=");

  private final String prefix;

  private PatternParser(int index) {
    this.prefix = "Filters[" + index + "].Pattern: ";
  }

  /** Parses and compiles the pattern at position {@code index} of the filter list. */
  static ObjectPattern parse(int index, String pattern) {
    return new PatternParser(index).compile(pattern);
  }

  private ObjectPattern compile(String pattern) {
    if (pattern == null) {
      throw new InvalidFilterException(prefix + "missing");
    }
    if (pattern.length() > MAX_LENGTH) {
      throw new InvalidFilterException(
          prefix + "at most " + MAX_LENGTH + " characters, got " + pattern.length());
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(pattern);
    } catch (JsonProcessingException e) {
      throw new InvalidFilterException(prefix + "not valid JSON" + detail(e));
    }
    if (root == null || root.isMissingNode()) {
      throw new InvalidFilterException(prefix + "not valid JSON (empty)");
    }
    if (!root.isObject()) {
      throw new InvalidFilterException(prefix + "must be a JSON object, got " + kind(root));
    }
    return object(root, "");
  }

  private static String detail(JsonProcessingException e) {
    String message = e.getOriginalMessage();
    if (message != null && message.startsWith("Duplicate field")) {
      return " (" + message.replace("Duplicate field", "duplicate field") + ")";
    }
    JsonLocation at = e.getLocation();
    if (e instanceof JsonParseException && at != null && at.getLineNr() > 0) {
      return " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }
    return "";
  }

  private ObjectPattern object(JsonNode node, String path) {
    if (node.isEmpty()) {
      throw fail("empty object", path);
    }
    Map<String, Pattern> fields = new LinkedHashMap<>();
    List<List<ObjectPattern>> orGroups = new ArrayList<>();
    Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> field = it.next();
      String name = field.getKey();
      JsonNode value = field.getValue();
      if (OR.equals(name)) {
        orGroups.add(or(value, path));
        continue;
      }
      String childPath = path.isEmpty() ? name : path + "." + name;
      if (value.isObject()) {
        fields.put(name, object(value, childPath));
      } else if (value.isArray()) {
        fields.put(name, leaf(value, childPath));
      } else {
        throw fail("must be an array or an object, got " + kind(value), childPath);
      }
    }
    return new ObjectPattern(fields, orGroups);
  }

  private List<ObjectPattern> or(JsonNode value, String path) {
    if (!value.isArray() || value.size() < 2) {
      throw fail("'$or' must be an array of at least 2 objects", path);
    }
    List<ObjectPattern> alternatives = new ArrayList<>();
    for (JsonNode alternative : value) {
      if (!alternative.isObject()) {
        throw fail("'$or' must be an array of at least 2 objects, got " + kind(alternative), path);
      }
      alternatives.add(object(alternative, path));
    }
    return alternatives;
  }

  private LeafPattern leaf(JsonNode array, String path) {
    if (array.isEmpty()) {
      throw fail("empty array", path);
    }
    List<Matcher> matchers = new ArrayList<>();
    for (JsonNode element : array) {
      if (element.isObject()) {
        matchers.add(operator(element, path));
      } else if (element.isValueNode()) {
        matchers.add(new Matchers.Exact(element));
      } else {
        throw fail(
            "match values must be strings, numbers, booleans, null or operator objects, got "
                + kind(element),
            path);
      }
    }
    return new LeafPattern(matchers);
  }

  private Matcher operator(JsonNode node, String path) {
    if (node.size() != 1) {
      if (node.isEmpty()) {
        throw fail("empty operator object", path);
      }
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(n -> names.add("'" + n + "'"));
      throw fail(
          "an operator object must have exactly one operator, got " + String.join(", ", names),
          path);
    }
    Map.Entry<String, JsonNode> entry = node.properties().iterator().next();
    String op = entry.getKey();
    JsonNode arg = entry.getValue();
    switch (op) {
      case "prefix":
        return affix(op, arg, path, true);
      case "suffix":
        return affix(op, arg, path, false);
      case "equals-ignore-case":
        return new Matchers.EqualsIgnoreCase(string(op, arg, path));
      case "wildcard":
        return wildcard(string(op, arg, path), path);
      case "anything-but":
        return anythingBut(arg, path);
      case "numeric":
        return numeric(arg, path);
      case "exists":
        if (!arg.isBoolean()) {
          throw fail("'exists' must be true or false, got " + kind(arg), path);
        }
        return new Matchers.Exists(arg.booleanValue());
      case "cidr":
        throw fail("unsupported operator 'cidr'", path);
      default:
        throw fail("unknown operator '" + op + "'", path);
    }
  }

  /** {@code prefix}/{@code suffix} with a string or {@code {"equals-ignore-case": string}}. */
  private Matcher.ValueTest affix(String op, JsonNode arg, String path, boolean isPrefix) {
    boolean ignoreCase = false;
    String text;
    if (arg.isTextual()) {
      text = arg.textValue();
    } else if (arg.isObject()
        && arg.size() == 1
        && arg.has("equals-ignore-case")
        && arg.get("equals-ignore-case").isTextual()) {
      text = arg.get("equals-ignore-case").textValue();
      ignoreCase = true;
    } else {
      throw fail(
          "'" + op + "' must be a string or {\"equals-ignore-case\": string}, got " + kind(arg),
          path);
    }
    return isPrefix ? new Matchers.Prefix(text, ignoreCase) : new Matchers.Suffix(text, ignoreCase);
  }

  private Matcher anythingBut(JsonNode arg, String path) {
    List<Matcher.ValueTest> excluded = new ArrayList<>();
    if (arg.isTextual() || arg.isNumber()) {
      excluded.add(new Matchers.Exact(arg));
    } else if (arg.isArray()) {
      if (arg.isEmpty()) {
        throw fail("'anything-but' list must not be empty", path);
      }
      boolean strings = arg.get(0).isTextual();
      for (JsonNode value : arg) {
        boolean ok = strings ? value.isTextual() : value.isNumber();
        if (!ok) {
          throw fail("'anything-but' list must hold only strings or only numbers", path);
        }
        excluded.add(new Matchers.Exact(value));
      }
    } else if (arg.isObject()) {
      if (arg.size() != 1) {
        throw fail("'anything-but' object must have exactly one operator", path);
      }
      Map.Entry<String, JsonNode> entry = arg.properties().iterator().next();
      String op = entry.getKey();
      JsonNode inner = entry.getValue();
      switch (op) {
        case "prefix":
          excluded.add(
              new Matchers.Prefix(nonEmptyString("anything-but/prefix", inner, path), false));
          break;
        case "suffix":
          excluded.add(
              new Matchers.Suffix(nonEmptyString("anything-but/suffix", inner, path), false));
          break;
        case "wildcard":
          excluded.add(wildcard(string("anything-but/wildcard", inner, path), path));
          break;
        case "equals-ignore-case":
          if (inner.isTextual()) {
            excluded.add(new Matchers.EqualsIgnoreCase(inner.textValue()));
          } else if (inner.isArray() && !inner.isEmpty()) {
            for (JsonNode value : inner) {
              excluded.add(
                  new Matchers.EqualsIgnoreCase(
                      string("anything-but/equals-ignore-case", value, path)));
            }
          } else {
            throw fail(
                "'anything-but/equals-ignore-case' must be a string or a non-empty list of strings",
                path);
          }
          break;
        default:
          throw fail("unknown operator '" + op + "' in 'anything-but'", path);
      }
    } else {
      throw fail(
          "'anything-but' must be a string, a number, a list of strings or numbers, or an"
              + " operator object, got "
              + kind(arg),
          path);
    }
    return new Matchers.AnythingBut(excluded);
  }

  private Matcher numeric(JsonNode arg, String path) {
    if (!arg.isArray() || (arg.size() != 2 && arg.size() != 4)) {
      throw fail(
          "'numeric' must be [op, number] or [lower-op, number, upper-op, number], got "
              + (arg.isArray() ? arg.size() + " elements" : kind(arg)),
          path);
    }
    String op1 = numericOp(arg.get(0), path);
    BigDecimal v1 = numericValue(op1, arg.get(1), path);
    if (arg.size() == 2) {
      switch (op1) {
        case "=":
          return new Matchers.Numeric(v1, true, v1, true);
        case ">":
          return new Matchers.Numeric(v1, false, null, false);
        case ">=":
          return new Matchers.Numeric(v1, true, null, false);
        case "<":
          return new Matchers.Numeric(null, false, v1, false);
        default:
          return new Matchers.Numeric(null, false, v1, true);
      }
    }
    String op2 = numericOp(arg.get(2), path);
    BigDecimal v2 = numericValue(op2, arg.get(3), path);
    if (!op1.startsWith(">") || !op2.startsWith("<")) {
      throw fail(
          "a 'numeric' range must be a lower bound ('>' or '>=') followed by an upper bound"
              + " ('<' or '<='), got '"
              + op1
              + "' then '"
              + op2
              + "'",
          path);
    }
    if (v1.compareTo(v2) >= 0) {
      throw fail("'numeric' lower bound " + v1 + " must be less than upper bound " + v2, path);
    }
    return new Matchers.Numeric(v1, op1.equals(">="), v2, op2.equals("<="));
  }

  private String numericOp(JsonNode node, String path) {
    if (!node.isTextual() || !NUMERIC_OPS.contains(node.textValue())) {
      throw fail(
          "unknown 'numeric' operator "
              + (node.isTextual() ? "'" + node.textValue() + "'" : kind(node))
              + " (expected =, <, <=, >, >=)",
          path);
    }
    return node.textValue();
  }

  private BigDecimal numericValue(String op, JsonNode node, String path) {
    if (!node.isNumber()) {
      throw fail("'numeric' value after '" + op + "' must be a number, got " + kind(node), path);
    }
    // read exactly, 1e999999999 is a decimal too: one a double cannot hold is refused here, as a
    // double's infinity is, and no message spells out its digits
    BigDecimal v = Matchers.Numbers.finite(node) ? Matchers.Numbers.decimal(node) : null;
    if (v == null || !Double.isFinite(v.doubleValue())) {
      throw fail("'numeric' value after '" + op + "' is out of range: " + shortText(node), path);
    }
    return v;
  }

  private static String shortText(JsonNode number) {
    String text = number.isBigDecimal() ? number.decimalValue().toString() : number.toString();
    return text.length() <= 40 ? text : text.substring(0, 40) + "...";
  }

  private Matchers.Wildcard wildcard(String text, String path) {
    List<String> parts = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    boolean lastWasStar = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\') {
        char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
        if (next != '*' && next != '\\') {
          throw fail("'wildcard' may escape only '*' and '\\' with a backslash", path);
        }
        literal.append(next);
        i++;
        lastWasStar = false;
      } else if (c == '*') {
        if (lastWasStar) {
          throw fail("'wildcard' must not contain consecutive '*'", path);
        }
        parts.add(literal.toString());
        literal.setLength(0);
        lastWasStar = true;
      } else {
        literal.append(c);
        lastWasStar = false;
      }
    }
    parts.add(literal.toString());
    return new Matchers.Wildcard(List.copyOf(parts));
  }

  private String string(String op, JsonNode arg, String path) {
    if (!arg.isTextual()) {
      throw fail("'" + op + "' must be a string, got " + kind(arg), path);
    }
    return arg.textValue();
  }

  private String nonEmptyString(String op, JsonNode arg, String path) {
    String text = string(op, arg, path);
    if (text.isEmpty()) {
      throw fail("'" + op + "' must not be empty", path);
    }
    return text;
  }

  private InvalidFilterException fail(String problem, String path) {
    return new InvalidFilterException(
        prefix + problem + (path.isEmpty() ? "" : " in field '" + path + "'"));
  }

  private static String kind(JsonNode node) {
    if (node.isTextual()) {
      return "string";
    }
    if (node.isNumber()) {
      return "number";
    }
    if (node.isBoolean()) {
      return "boolean";
    }
    if (node.isNull()) {
      return "null";
    }
    return node.isArray() ? "array" : "object";
  }
}
