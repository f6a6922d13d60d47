package dev.sluice.mapper.filter;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The FilterCriteria of an event-source mapping: up to {@value #MAX_FILTERS} EventBridge-style
 * patterns, each a JSON string of at most {@value #MAX_PATTERN_LENGTH} characters. A record passes
 * when any pattern matches it; a criteria without patterns passes every record.
 *
 * <p>Patterns are applied to the record as Lambda presents it to filters: for Kinesis, a JSON
 * object with the record's metadata fields and {@code data} decoded as JSON, e.g. {@code
 * {"kinesisSchemaVersion":"1.0","partitionKey":"order-1","sequenceNumber":"...",
 * "approximateArrivalTimestamp":1545084650.987,"data":{"type":"OrderPlaced"}}}. The caller builds
 * that node, with {@link #decode} for {@code data}. Data that is not valid JSON can't match a
 * pattern on {@code data} (such as {@code {"data":{"type":["OrderPlaced"]}}} or {@code
 * {"data":[{"prefix":"ERROR"}]}}), not even with {@code "exists": false}, while patterns on the
 * other fields still apply.
 *
 * <p>Semantics follow EventBridge event patterns: fields of a pattern object are ANDed, the values
 * of a pattern array are ORed, an array in the record matches when any of its elements matches, and
 * {@code $or} ORs whole sub-patterns. Supported: exact strings, numbers (compared by value),
 * booleans and null; {@code prefix}, {@code suffix} (both also with {@code equals-ignore-case});
 * {@code equals-ignore-case}; {@code wildcard}; {@code anything-but} (value, list, or {@code
 * prefix}/{@code suffix}/{@code equals-ignore-case}/{@code wildcard}); {@code numeric}; {@code
 * exists}. Instances are immutable and thread-safe.
 */
public final class FilterCriteria {

  /** Most filters a criteria may hold. */
  public static final int MAX_FILTERS = 5;

  /** Most characters of one pattern. */
  public static final int MAX_PATTERN_LENGTH = PatternParser.MAX_LENGTH;

  private static final FilterCriteria EMPTY = new FilterCriteria(List.of(), List.of());

  private final List<String> patterns;
  private final List<ObjectPattern> compiled;

  private FilterCriteria(List<String> patterns, List<ObjectPattern> compiled) {
    this.patterns = patterns;
    this.compiled = compiled;
  }

  private static final com.fasterxml.jackson.databind.ObjectReader STRICT =
      new com.fasterxml.jackson.databind.ObjectMapper()
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .reader();

  /**
   * Stands for data that is not JSON: no pattern on the field matches it, not even {@code "exists":
   * false}. Compared by identity.
   */
  static final JsonNode NOT_JSON = new com.fasterxml.jackson.databind.node.TextNode("(not JSON)");

  /**
   * A record's payload as filters see it: its JSON value, or {@link #NOT_JSON} when it is not
   * exactly one JSON value (empty, text such as {@code 42 apples}, several documents).
   */
  public static JsonNode decode(byte[] payload) {
    try {
      JsonNode n = STRICT.readTree(payload);
      return n == null || n.isMissingNode() ? NOT_JSON : n;
    } catch (java.io.IOException e) {
      return NOT_JSON;
    }
  }

  /**
   * A payload as filters see it where plain strings are filtered as strings (Kafka messages): its
   * JSON value, or its UTF-8 text when it is not JSON.
   */
  public static JsonNode decodeOrText(byte[] payload) {
    JsonNode n = decode(payload);
    return n == NOT_JSON
        ? com.fasterxml.jackson.databind.node.TextNode.valueOf(
            new String(payload, java.nio.charset.StandardCharsets.UTF_8))
        : n;
  }

  /** A criteria without filters, which matches every record. */
  public static FilterCriteria empty() {
    return EMPTY;
  }

  /**
   * Validates and compiles the given patterns (null or empty means no filtering).
   *
   * @throws InvalidFilterException naming the first problem found, e.g. {@code Filters[2].Pattern:
   *     unknown operator 'prefixx' in field 'data.type'}
   */
  public static FilterCriteria parse(List<String> patterns) {
    if (patterns == null || patterns.isEmpty()) {
      return EMPTY;
    }
    if (patterns.size() > MAX_FILTERS) {
      throw new InvalidFilterException(
          "Filters: at most " + MAX_FILTERS + " filters, got " + patterns.size());
    }
    List<ObjectPattern> compiled = new ArrayList<>(patterns.size());
    for (int i = 0; i < patterns.size(); i++) {
      compiled.add(PatternParser.parse(i, patterns.get(i)));
    }
    return new FilterCriteria(
        Collections.unmodifiableList(new ArrayList<>(patterns)), List.copyOf(compiled));
  }

  /** Whether any pattern matches the record (always true when there are no patterns). */
  public boolean matches(JsonNode record) {
    Objects.requireNonNull(record, "record");
    if (compiled.isEmpty()) {
      return true;
    }
    for (ObjectPattern pattern : compiled) {
      if (pattern.matches(record)) {
        return true;
      }
    }
    return false;
  }

  /** Whether there are no patterns, so every record passes. */
  public boolean isEmpty() {
    return compiled.isEmpty();
  }

  /** The pattern strings as given, in order. */
  public List<String> patterns() {
    return patterns;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FilterCriteria other && patterns.equals(other.patterns);
  }

  @Override
  public int hashCode() {
    return patterns.hashCode();
  }

  @Override
  public String toString() {
    return "FilterCriteria" + patterns;
  }
}
