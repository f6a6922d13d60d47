package dev.sluice.mapper.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class FilterCriteriaValidationTest {

  private static final String OK = "{\"data\":{\"type\":[\"OrderPlaced\"]}}";

  private static void assertRejected(String pattern, String message) {
    assertThatThrownBy(() -> FilterCriteria.parse(List.of(pattern)))
        .isInstanceOf(InvalidFilterException.class)
        .hasMessage(message);
  }

  @Test
  void parse_fiveFilters_accepted() {
    assertThat(FilterCriteria.parse(Collections.nCopies(5, OK)).patterns()).hasSize(5);
  }

  @Test
  void parse_sixFilters_rejected() {
    assertThatThrownBy(() -> FilterCriteria.parse(Collections.nCopies(6, OK)))
        .isInstanceOf(InvalidFilterException.class)
        .hasMessage("Filters: at most 5 filters, got 6");
  }

  @Test
  void parse_errorNamesFilterIndex() {
    assertThatThrownBy(
            () ->
                FilterCriteria.parse(
                    List.of(OK, OK, "{\"data\":{\"type\":[{\"prefixx\":\"Order\"}]}}")))
        .isInstanceOf(InvalidFilterException.class)
        .hasMessage("Filters[2].Pattern: unknown operator 'prefixx' in field 'data.type'");
  }

  @Test
  void parse_numericBoundWithAHugeExponent_outOfRangeInAShortMessage() {
    for (String bound : List.of("1e999999999", "-1e999999999", "1e400")) {
      String pattern = "{\"n\":[{\"numeric\":[\">\"," + bound + ",\"<\",0]}]}";
      assertTimeoutPreemptively(
          Duration.ofSeconds(5),
          () ->
              assertThatThrownBy(() -> FilterCriteria.parse(List.of(pattern)))
                  .isInstanceOf(InvalidFilterException.class)
                  .hasMessageContaining("is out of range")
                  .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200)));
    }
    String tiny = "{\"n\":[{\"numeric\":[\">\",1e-999999999,\"<\",-1]}]}";
    assertTimeoutPreemptively(
        Duration.ofSeconds(5),
        () ->
            assertThatThrownBy(() -> FilterCriteria.parse(List.of(tiny)))
                .isInstanceOf(InvalidFilterException.class)
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200)));
  }

  @Test
  void parse_nullPattern_rejected() {
    assertThatThrownBy(() -> FilterCriteria.parse(Arrays.asList(OK, null)))
        .isInstanceOf(InvalidFilterException.class)
        .hasMessage("Filters[1].Pattern: missing");
  }

  /** A valid pattern of exactly {@code length} characters. */
  private static String patternOfLength(int length) {
    String head = "{\"partitionKey\":[\"";
    String tail = "\"]}";
    return head + "x".repeat(length - head.length() - tail.length()) + tail;
  }

  @Test
  void parse_patternLengthLimit() {
    String longest = patternOfLength(4096);
    assertThat(longest.length()).isEqualTo(4096);
    assertThat(FilterCriteria.parse(List.of(longest)).isEmpty()).isFalse();
    assertRejected(patternOfLength(4097), "Filters[0].Pattern: at most 4096 characters, got 4097");
  }

  @Test
  void parse_notJson_rejected() {
    assertThatThrownBy(() -> FilterCriteria.parse(List.of("{\"data\": ")))
        .isInstanceOf(InvalidFilterException.class)
        .hasMessageStartingWith("Filters[0].Pattern: not valid JSON");
    assertThatThrownBy(() -> FilterCriteria.parse(List.of("{data: [1]}")))
        .hasMessageStartingWith("Filters[0].Pattern: not valid JSON (line 1, column ");
    assertThatThrownBy(() -> FilterCriteria.parse(List.of("{\"a\":[1]} trailing")))
        .hasMessageStartingWith("Filters[0].Pattern: not valid JSON");
    assertRejected("", "Filters[0].Pattern: not valid JSON (empty)");
    assertRejected("   ", "Filters[0].Pattern: not valid JSON (empty)");
  }

  @Test
  void parse_duplicateField_rejected() {
    assertRejected(
        "{\"partitionKey\":[\"a\"],\"partitionKey\":[\"b\"]}",
        "Filters[0].Pattern: not valid JSON (duplicate field 'partitionKey')");
  }

  @Test
  void parse_notAnObject_rejected() {
    assertRejected("[\"a\"]", "Filters[0].Pattern: must be a JSON object, got array");
    assertRejected("\"a\"", "Filters[0].Pattern: must be a JSON object, got string");
  }

  @Test
  void parse_emptyObjects_rejected() {
    assertRejected("{}", "Filters[0].Pattern: empty object");
    assertRejected("{\"data\":{}}", "Filters[0].Pattern: empty object in field 'data'");
  }

  @Test
  void parse_fieldNotArrayOrObject_rejected() {
    assertRejected(
        "{\"data\":{\"type\":\"OrderPlaced\"}}",
        "Filters[0].Pattern: must be an array or an object, got string in field 'data.type'");
    assertRejected(
        "{\"partitionKey\":5}",
        "Filters[0].Pattern: must be an array or an object, got number in field 'partitionKey'");
  }

  @Test
  void parse_emptyArray_rejected() {
    assertRejected(
        "{\"partitionKey\":[]}", "Filters[0].Pattern: empty array in field 'partitionKey'");
  }

  @Test
  void parse_nestedArrayValue_rejected() {
    assertRejected(
        "{\"partitionKey\":[[\"a\"]]}",
        "Filters[0].Pattern: match values must be strings, numbers, booleans, null or operator"
            + " objects, got array in field 'partitionKey'");
  }

  @Test
  void parse_operatorObjectShape_rejected() {
    assertRejected(
        "{\"partitionKey\":[{}]}",
        "Filters[0].Pattern: empty operator object in field 'partitionKey'");
    assertRejected(
        "{\"partitionKey\":[{\"prefix\":\"a\",\"suffix\":\"b\"}]}",
        "Filters[0].Pattern: an operator object must have exactly one operator, got 'prefix',"
            + " 'suffix' in field 'partitionKey'");
  }

  @Test
  void parse_unknownOperator_rejected() {
    assertRejected(
        "{\"partitionKey\":[{\"prefixx\":\"order-\"}]}",
        "Filters[0].Pattern: unknown operator 'prefixx' in field 'partitionKey'");
    assertRejected(
        "{\"partitionKey\":[{\"cidr\":\"10.0.0.0/8\"}]}",
        "Filters[0].Pattern: unsupported operator 'cidr' in field 'partitionKey'");
  }

  @Test
  void parse_badOperatorArguments_rejected() {
    assertRejected(
        "{\"k\":[{\"prefix\":5}]}",
        "Filters[0].Pattern: 'prefix' must be a string or {\"equals-ignore-case\": string}, got"
            + " number in field 'k'");
    assertRejected(
        "{\"k\":[{\"suffix\":{\"equals-ignore-case\":1}}]}",
        "Filters[0].Pattern: 'suffix' must be a string or {\"equals-ignore-case\": string}, got"
            + " object in field 'k'");
    assertRejected(
        "{\"k\":[{\"equals-ignore-case\":true}]}",
        "Filters[0].Pattern: 'equals-ignore-case' must be a string, got boolean in field 'k'");
    assertRejected(
        "{\"k\":[{\"exists\":\"yes\"}]}",
        "Filters[0].Pattern: 'exists' must be true or false, got string in field 'k'");
    assertRejected(
        "{\"k\":[{\"wildcard\":\"a**b\"}]}",
        "Filters[0].Pattern: 'wildcard' must not contain consecutive '*' in field 'k'");
    assertRejected(
        "{\"k\":[{\"wildcard\":\"a\\\\b\"}]}",
        "Filters[0].Pattern: 'wildcard' may escape only '*' and '\\' with a backslash in field"
            + " 'k'");
  }

  @Test
  void parse_badAnythingBut_rejected() {
    assertRejected(
        "{\"k\":[{\"anything-but\":[\"a\",1]}]}",
        "Filters[0].Pattern: 'anything-but' list must hold only strings or only numbers in field"
            + " 'k'");
    assertRejected(
        "{\"k\":[{\"anything-but\":[true]}]}",
        "Filters[0].Pattern: 'anything-but' list must hold only strings or only numbers in field"
            + " 'k'");
    assertRejected(
        "{\"k\":[{\"anything-but\":[]}]}",
        "Filters[0].Pattern: 'anything-but' list must not be empty in field 'k'");
    assertRejected(
        "{\"k\":[{\"anything-but\":null}]}",
        "Filters[0].Pattern: 'anything-but' must be a string, a number, a list of strings or"
            + " numbers, or an operator object, got null in field 'k'");
    assertRejected(
        "{\"k\":[{\"anything-but\":{\"numeric\":[\">\",1]}}]}",
        "Filters[0].Pattern: unknown operator 'numeric' in 'anything-but' in field 'k'");
    assertRejected(
        "{\"k\":[{\"anything-but\":{\"prefix\":\"\"}}]}",
        "Filters[0].Pattern: 'anything-but/prefix' must not be empty in field 'k'");
  }

  @Test
  void parse_badNumeric_rejected() {
    assertRejected(
        "{\"n\":[{\"numeric\":[\">\"]}]}",
        "Filters[0].Pattern: 'numeric' must be [op, number] or [lower-op, number, upper-op,"
            + " number], got 1 elements in field 'n'");
    assertRejected(
        "{\"n\":[{\"numeric\":5}]}",
        "Filters[0].Pattern: 'numeric' must be [op, number] or [lower-op, number, upper-op,"
            + " number], got number in field 'n'");
    assertRejected(
        "{\"n\":[{\"numeric\":[\"!=\",5]}]}",
        "Filters[0].Pattern: unknown 'numeric' operator '!=' (expected =, <, <=, >, >=) in field"
            + " 'n'");
    assertRejected(
        "{\"n\":[{\"numeric\":[\">\",\"5\"]}]}",
        "Filters[0].Pattern: 'numeric' value after '>' must be a number, got string in field 'n'");
    assertRejected(
        "{\"n\":[{\"numeric\":[\"<\",5,\">\",1]}]}",
        "Filters[0].Pattern: a 'numeric' range must be a lower bound ('>' or '>=') followed by an"
            + " upper bound ('<' or '<='), got '<' then '>' in field 'n'");
    assertRejected(
        "{\"n\":[{\"numeric\":[\"=\",5,\"<\",9]}]}",
        "Filters[0].Pattern: a 'numeric' range must be a lower bound ('>' or '>=') followed by an"
            + " upper bound ('<' or '<='), got '=' then '<' in field 'n'");
    assertRejected(
        "{\"n\":[{\"numeric\":[\">\",5,\"<\",5]}]}",
        "Filters[0].Pattern: 'numeric' lower bound 5 must be less than upper bound 5 in field"
            + " 'n'");
  }

  @Test
  void parse_badOr_rejected() {
    assertRejected(
        "{\"$or\":[{\"a\":[1]}]}",
        "Filters[0].Pattern: '$or' must be an array of at least 2 objects");
    assertRejected(
        "{\"data\":{\"$or\":{\"a\":[1]}}}",
        "Filters[0].Pattern: '$or' must be an array of at least 2 objects in field 'data'");
    assertRejected(
        "{\"$or\":[{\"a\":[1]},[2]]}",
        "Filters[0].Pattern: '$or' must be an array of at least 2 objects, got array");
  }

  @Test
  void parse_deepNestingWithinLimit_accepted() {
    StringBuilder pattern = new StringBuilder();
    int depth = 400;
    for (int i = 0; i < depth; i++) {
      pattern.append("{\"a\":");
    }
    pattern.append("[1]");
    pattern.append("}".repeat(depth));
    assertThat(FilterCriteria.parse(List.of(pattern.toString())).isEmpty()).isFalse();
  }

  @Test
  void patterns_copiedFromInput() {
    List<String> input = new ArrayList<>(List.of(OK));
    FilterCriteria criteria = FilterCriteria.parse(input);
    input.add("{}");
    assertThat(criteria.patterns()).containsExactly(OK);
    assertThat(criteria).isEqualTo(FilterCriteria.parse(List.of(OK)));
  }
}
