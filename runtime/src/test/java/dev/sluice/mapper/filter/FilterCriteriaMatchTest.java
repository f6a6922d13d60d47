package dev.sluice.mapper.filter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class FilterCriteriaMatchTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ORDER_PLACED =
      "{\"type\":\"OrderPlaced\",\"orderId\":\"o-1\",\"amount\":42.5}";

  /** A Kinesis record as filters see it, with the given data JSON decoded. */
  private static JsonNode record(String partitionKey, String dataJson) {
    ObjectNode record = JSON.createObjectNode();
    record.put("kinesisSchemaVersion", "1.0");
    record.put("partitionKey", partitionKey);
    record.put("sequenceNumber", "49590338271490256608559692538361571095921575989136588898");
    record.put("approximateArrivalTimestamp", 1545084650.987);
    record.set(
        "data", FilterCriteria.decode(dataJson.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    return record;
  }

  private static JsonNode order(String dataJson) {
    return record("order-1", dataJson);
  }

  private static boolean matches(String pattern, JsonNode record) {
    return FilterCriteria.parse(List.of(pattern)).matches(record);
  }

  private static boolean matchesData(String dataPattern, String dataJson) {
    return matches("{\"data\":" + dataPattern + "}", order(dataJson));
  }

  // --- empty criteria -------------------------------------------------------------------------

  @Test
  void matches_numberBeyondADouble_matchesNoNumericPatternInsteadOfFailing() {
    assertThat(matchesData("{\"amount\":[{\"numeric\":[\">\",0]}]}", "{\"amount\":1e400}"))
        .isFalse();
    assertThat(matchesData("{\"amount\":[5]}", "{\"amount\":-1e400}")).isFalse();
    assertThat(matchesData("{\"amount\":[{\"numeric\":[\">\",0]}]}", "{\"amount\":7}")).isTrue();
  }

  @Test
  void matches_emptyCriteria_true() {
    assertThat(FilterCriteria.parse(List.of()).matches(order(ORDER_PLACED))).isTrue();
    assertThat(FilterCriteria.parse(null).matches(order("not json"))).isTrue();
    assertThat(FilterCriteria.empty().matches(JSON.createObjectNode())).isTrue();
  }

  @Test
  void isEmpty_reflectsPatterns() {
    assertThat(FilterCriteria.parse(List.of()).isEmpty()).isTrue();
    FilterCriteria one = FilterCriteria.parse(List.of("{\"data\":{\"type\":[\"OrderPlaced\"]}}"));
    assertThat(one.isEmpty()).isFalse();
    assertThat(one.patterns()).containsExactly("{\"data\":{\"type\":[\"OrderPlaced\"]}}");
  }

  // --- exact values ---------------------------------------------------------------------------

  @Test
  void matches_exactStringOnOrderType_true() {
    assertThat(matchesData("{\"type\":[\"OrderPlaced\"]}", ORDER_PLACED)).isTrue();
  }

  @Test
  void matches_exactStringOnOrderType_false() {
    assertThat(matchesData("{\"type\":[\"OrderShipped\"]}", ORDER_PLACED)).isFalse();
    assertThat(matchesData("{\"type\":[\"orderplaced\"]}", ORDER_PLACED)).isFalse();
  }

  @Test
  void matches_exactValuesOredInArray_true() {
    assertThat(matchesData("{\"type\":[\"OrderShipped\",\"OrderPlaced\"]}", ORDER_PLACED)).isTrue();
  }

  @Test
  void matches_exactNumberComparedNumerically_true() {
    assertThat(matchesData("{\"amount\":[42.5]}", ORDER_PLACED)).isTrue();
    assertThat(matchesData("{\"amount\":[42.50]}", ORDER_PLACED)).isTrue();
    assertThat(matchesData("{\"qty\":[5]}", "{\"qty\":5.0}")).isTrue();
    assertThat(matchesData("{\"qty\":[5.0]}", "{\"qty\":5}")).isTrue();
    assertThat(matchesData("{\"qty\":[0.1]}", "{\"qty\":0.1}")).isTrue();
    assertThat(matchesData("{\"id\":[123456789012]}", "{\"id\":123456789012}")).isTrue();
  }

  @Test
  void matches_exactNumberAgainstOtherValue_false() {
    assertThat(matchesData("{\"amount\":[42]}", ORDER_PLACED)).isFalse();
    assertThat(matchesData("{\"qty\":[5]}", "{\"qty\":\"5\"}")).isFalse();
    assertThat(matchesData("{\"qty\":[\"5\"]}", "{\"qty\":5}")).isFalse();
  }

  @Test
  void matches_exactBoolean_trueAndFalse() {
    assertThat(matchesData("{\"paid\":[true]}", "{\"paid\":true}")).isTrue();
    assertThat(matchesData("{\"paid\":[true]}", "{\"paid\":false}")).isFalse();
    assertThat(matchesData("{\"paid\":[true]}", "{\"paid\":\"true\"}")).isFalse();
    assertThat(matchesData("{\"paid\":[false]}", "{\"paid\":false}")).isTrue();
  }

  @Test
  void matches_exactNull_onlyExplicitNull() {
    assertThat(matchesData("{\"coupon\":[null]}", "{\"coupon\":null}")).isTrue();
    assertThat(matchesData("{\"coupon\":[null]}", "{}")).isFalse();
    assertThat(matchesData("{\"coupon\":[null]}", "{\"coupon\":\"X\"}")).isFalse();
  }

  @Test
  void matches_emptyString_onlyEmptyString() {
    assertThat(matchesData("{\"note\":[\"\"]}", "{\"note\":\"\"}")).isTrue();
    assertThat(matchesData("{\"note\":[\"\"]}", "{\"note\":\"x\"}")).isFalse();
    assertThat(matchesData("{\"note\":[\"\"]}", "{}")).isFalse();
  }

  @Test
  void matches_missingField_false() {
    assertThat(matchesData("{\"customer\":[\"c-1\"]}", ORDER_PLACED)).isFalse();
    assertThat(matches("{\"nope\":[\"x\"]}", order(ORDER_PLACED))).isFalse();
  }

  @Test
  void matches_leafPatternAgainstObject_false() {
    assertThat(matchesData("{\"customer\":[\"c-1\"]}", "{\"customer\":{\"id\":\"c-1\"}}"))
        .isFalse();
  }

  // --- prefix / suffix / equals-ignore-case / wildcard ----------------------------------------

  @Test
  void matches_prefixOnPartitionKey_true() {
    assertThat(matches("{\"partitionKey\":[{\"prefix\":\"order-\"}]}", order(ORDER_PLACED)))
        .isTrue();
  }

  @Test
  void matches_prefixOnPartitionKey_false() {
    assertThat(matches("{\"partitionKey\":[{\"prefix\":\"user-\"}]}", order(ORDER_PLACED)))
        .isFalse();
    assertThat(matches("{\"partitionKey\":[{\"prefix\":\"ORDER-\"}]}", order(ORDER_PLACED)))
        .isFalse();
  }

  @Test
  void matches_prefixOnNumber_false() {
    assertThat(matchesData("{\"amount\":[{\"prefix\":\"4\"}]}", ORDER_PLACED)).isFalse();
  }

  @Test
  void matches_prefixEqualsIgnoreCase_true() {
    assertThat(
            matchesData(
                "{\"type\":[{\"prefix\":{\"equals-ignore-case\":\"ORDER\"}}]}", ORDER_PLACED))
        .isTrue();
    assertThat(
            matchesData(
                "{\"type\":[{\"prefix\":{\"equals-ignore-case\":\"USER\"}}]}", ORDER_PLACED))
        .isFalse();
  }

  @Test
  void matches_suffix_trueAndFalse() {
    assertThat(matchesData("{\"type\":[{\"suffix\":\"Placed\"}]}", ORDER_PLACED)).isTrue();
    assertThat(matchesData("{\"type\":[{\"suffix\":\"Shipped\"}]}", ORDER_PLACED)).isFalse();
    assertThat(matchesData("{\"type\":[{\"suffix\":\"XOrderPlaced\"}]}", ORDER_PLACED)).isFalse();
  }

  @Test
  void matches_suffixEqualsIgnoreCase_true() {
    assertThat(
            matchesData(
                "{\"type\":[{\"suffix\":{\"equals-ignore-case\":\"PLACED\"}}]}", ORDER_PLACED))
        .isTrue();
  }

  @Test
  void matches_equalsIgnoreCase_trueAndFalse() {
    assertThat(matchesData("{\"type\":[{\"equals-ignore-case\":\"orderplaced\"}]}", ORDER_PLACED))
        .isTrue();
    assertThat(matchesData("{\"type\":[{\"equals-ignore-case\":\"order\"}]}", ORDER_PLACED))
        .isFalse();
  }

  @Test
  void matches_wildcard_trueAndFalse() {
    assertThat(matchesData("{\"type\":[{\"wildcard\":\"Order*\"}]}", ORDER_PLACED)).isTrue();
    assertThat(matchesData("{\"type\":[{\"wildcard\":\"*Placed\"}]}", ORDER_PLACED)).isTrue();
    assertThat(matchesData("{\"type\":[{\"wildcard\":\"O*r*P*d\"}]}", ORDER_PLACED)).isTrue();
    assertThat(matchesData("{\"type\":[{\"wildcard\":\"OrderPlaced\"}]}", ORDER_PLACED)).isTrue();
    assertThat(matchesData("{\"type\":[{\"wildcard\":\"*\"}]}", ORDER_PLACED)).isTrue();
    assertThat(matchesData("{\"type\":[{\"wildcard\":\"User*\"}]}", ORDER_PLACED)).isFalse();
    assertThat(matchesData("{\"type\":[{\"wildcard\":\"*Shipped\"}]}", ORDER_PLACED)).isFalse();
    assertThat(matchesData("{\"type\":[{\"wildcard\":\"Order\"}]}", ORDER_PLACED)).isFalse();
    // pieces may not overlap: "ab*ba" needs at least four characters
    assertThat(matchesData("{\"s\":[{\"wildcard\":\"ab*ba\"}]}", "{\"s\":\"aba\"}")).isFalse();
    assertThat(matchesData("{\"s\":[{\"wildcard\":\"ab*ba\"}]}", "{\"s\":\"abba\"}")).isTrue();
  }

  @Test
  void matches_wildcardEscapedStar_literal() {
    assertThat(matchesData("{\"s\":[{\"wildcard\":\"a\\\\*b\"}]}", "{\"s\":\"a*b\"}")).isTrue();
    assertThat(matchesData("{\"s\":[{\"wildcard\":\"a\\\\*b\"}]}", "{\"s\":\"axb\"}")).isFalse();
  }

  // --- anything-but ---------------------------------------------------------------------------

  @Test
  void matches_anythingButString_trueAndFalse() {
    assertThat(matchesData("{\"type\":[{\"anything-but\":\"OrderCancelled\"}]}", ORDER_PLACED))
        .isTrue();
    assertThat(matchesData("{\"type\":[{\"anything-but\":\"OrderPlaced\"}]}", ORDER_PLACED))
        .isFalse();
  }

  @Test
  void matches_anythingButList_trueAndFalse() {
    String pattern = "{\"type\":[{\"anything-but\":[\"OrderCancelled\",\"OrderRefunded\"]}]}";
    assertThat(matchesData(pattern, ORDER_PLACED)).isTrue();
    assertThat(matchesData(pattern, "{\"type\":\"OrderRefunded\"}")).isFalse();
  }

  @Test
  void matches_anythingButNumbers_numericComparison() {
    String pattern = "{\"qty\":[{\"anything-but\":[0, 100]}]}";
    assertThat(matchesData(pattern, "{\"qty\":5}")).isTrue();
    assertThat(matchesData(pattern, "{\"qty\":100.0}")).isFalse();
    assertThat(matchesData("{\"qty\":[{\"anything-but\":0}]}", "{\"qty\":0}")).isFalse();
  }

  @Test
  void matches_anythingButMissingField_false() {
    assertThat(matchesData("{\"status\":[{\"anything-but\":\"x\"}]}", ORDER_PLACED)).isFalse();
  }

  @Test
  void matches_anythingButPrefix_trueAndFalse() {
    String pattern = "{\"partitionKey\":[{\"anything-but\":{\"prefix\":\"test-\"}}]}";
    assertThat(matches(pattern, record("order-1", ORDER_PLACED))).isTrue();
    assertThat(matches(pattern, record("test-1", ORDER_PLACED))).isFalse();
  }

  @Test
  void matches_anythingButSuffix_trueAndFalse() {
    String pattern = "{\"file\":[{\"anything-but\":{\"suffix\":\".png\"}}]}";
    assertThat(matchesData(pattern, "{\"file\":\"a.jpg\"}")).isTrue();
    assertThat(matchesData(pattern, "{\"file\":\"a.png\"}")).isFalse();
  }

  @Test
  void matches_anythingButEqualsIgnoreCase_trueAndFalse() {
    String one = "{\"type\":[{\"anything-but\":{\"equals-ignore-case\":\"orderplaced\"}}]}";
    assertThat(matchesData(one, ORDER_PLACED)).isFalse();
    assertThat(matchesData(one, "{\"type\":\"OrderShipped\"}")).isTrue();
    String list =
        "{\"type\":[{\"anything-but\":{\"equals-ignore-case\":[\"a\",\"ORDERPLACED\"]}}]}";
    assertThat(matchesData(list, ORDER_PLACED)).isFalse();
  }

  @Test
  void matches_anythingButWildcard_trueAndFalse() {
    String pattern = "{\"path\":[{\"anything-but\":{\"wildcard\":\"*/lib/*\"}}]}";
    assertThat(matchesData(pattern, "{\"path\":\"/src/a.java\"}")).isTrue();
    assertThat(matchesData(pattern, "{\"path\":\"/usr/lib/a.so\"}")).isFalse();
  }

  // --- numeric --------------------------------------------------------------------------------

  @Test
  void matches_numericGreaterThan_trueAndFalse() {
    assertThat(matchesData("{\"amount\":[{\"numeric\":[\">\",40]}]}", ORDER_PLACED)).isTrue();
    assertThat(matchesData("{\"amount\":[{\"numeric\":[\">\",42.5]}]}", ORDER_PLACED)).isFalse();
    assertThat(matchesData("{\"amount\":[{\"numeric\":[\">=\",42.5]}]}", ORDER_PLACED)).isTrue();
  }

  @Test
  void matches_numericLessThan_trueAndFalse() {
    assertThat(matchesData("{\"amount\":[{\"numeric\":[\"<\",50]}]}", ORDER_PLACED)).isTrue();
    assertThat(matchesData("{\"amount\":[{\"numeric\":[\"<\",42.5]}]}", ORDER_PLACED)).isFalse();
    assertThat(matchesData("{\"amount\":[{\"numeric\":[\"<=\",42.5]}]}", ORDER_PLACED)).isTrue();
    assertThat(matchesData("{\"t\":[{\"numeric\":[\"<\",0]}]}", "{\"t\":-3.5}")).isTrue();
  }

  @Test
  void matches_numericEquals_trueAndFalse() {
    assertThat(matchesData("{\"amount\":[{\"numeric\":[\"=\",42.5]}]}", ORDER_PLACED)).isTrue();
    assertThat(matchesData("{\"qty\":[{\"numeric\":[\"=\",3.0e2]}]}", "{\"qty\":300}")).isTrue();
    assertThat(matchesData("{\"amount\":[{\"numeric\":[\"=\",42]}]}", ORDER_PLACED)).isFalse();
  }

  @Test
  void matches_numericRangeBoundaries() {
    String openLow = "{\"n\":[{\"numeric\":[\">\",0,\"<=\",5]}]}";
    assertThat(matchesData(openLow, "{\"n\":0}")).isFalse();
    assertThat(matchesData(openLow, "{\"n\":0.0001}")).isTrue();
    assertThat(matchesData(openLow, "{\"n\":5}")).isTrue();
    assertThat(matchesData(openLow, "{\"n\":5.0001}")).isFalse();
    String closedLow = "{\"n\":[{\"numeric\":[\">=\",0,\"<\",5]}]}";
    assertThat(matchesData(closedLow, "{\"n\":0}")).isTrue();
    assertThat(matchesData(closedLow, "{\"n\":-0.0001}")).isFalse();
    assertThat(matchesData(closedLow, "{\"n\":4.9999}")).isTrue();
    assertThat(matchesData(closedLow, "{\"n\":5}")).isFalse();
  }

  @Test
  void matches_numericOnString_false() {
    assertThat(matchesData("{\"n\":[{\"numeric\":[\">\",0]}]}", "{\"n\":\"5\"}")).isFalse();
    assertThat(matchesData("{\"n\":[{\"numeric\":[\">\",0]}]}", "{}")).isFalse();
  }

  @Test
  void matches_numericOnMetadataTimestamp_true() {
    assertThat(
            matches(
                "{\"approximateArrivalTimestamp\":[{\"numeric\":[\">\",1545084650]}]}",
                order(ORDER_PLACED)))
        .isTrue();
  }

  // --- exists ---------------------------------------------------------------------------------

  @Test
  void matches_existsTrue_trueAndFalse() {
    assertThat(matchesData("{\"orderId\":[{\"exists\":true}]}", ORDER_PLACED)).isTrue();
    assertThat(matchesData("{\"coupon\":[{\"exists\":true}]}", ORDER_PLACED)).isFalse();
    assertThat(matchesData("{\"coupon\":[{\"exists\":true}]}", "{\"coupon\":null}")).isTrue();
  }

  @Test
  void matches_existsFalse_trueAndFalse() {
    assertThat(matchesData("{\"coupon\":[{\"exists\":false}]}", ORDER_PLACED)).isTrue();
    assertThat(matchesData("{\"orderId\":[{\"exists\":false}]}", ORDER_PLACED)).isFalse();
  }

  @Test
  void matches_existsOnlyOnLeaves() {
    // an object or an empty array holds no leaf value
    String nested = "{\"customer\":{\"id\":\"c-1\"}}";
    assertThat(matchesData("{\"customer\":[{\"exists\":true}]}", nested)).isFalse();
    assertThat(matchesData("{\"customer\":[{\"exists\":false}]}", nested)).isTrue();
    assertThat(matchesData("{\"tags\":[{\"exists\":true}]}", "{\"tags\":[]}")).isFalse();
    assertThat(matchesData("{\"tags\":[{\"exists\":true}]}", "{\"tags\":[\"a\"]}")).isTrue();
  }

  @Test
  void matches_existsFalseUnderMissingParent_true() {
    assertThat(matchesData("{\"customer\":{\"id\":[{\"exists\":false}]}}", ORDER_PLACED)).isTrue();
  }

  @Test
  void matches_nestedPatternUnderAPlainValue_fieldsBelowItAreAbsent() {
    String absent = "{\"customer\":{\"id\":[{\"exists\":false}]}}";
    assertThat(matchesData(absent, "{\"customer\":5}")).isTrue();
    assertThat(matchesData(absent, "{\"customer\":null}")).isTrue();
    assertThat(matchesData(absent, "{\"customer\":[1,2]}")).isTrue();
    assertThat(matchesData("{\"customer\":{\"id\":[\"c-1\"]}}", "{\"customer\":\"c-1\"}"))
        .isFalse();
    assertThat(matchesData("{\"customer\":{\"id\":[{\"exists\":true}]}}", "{\"customer\":5}"))
        .isFalse();
  }

  // --- nesting, arrays, OR --------------------------------------------------------------------

  @Test
  void matches_nestedAnd_allFieldsMustMatch() {
    String pattern =
        "{\"partitionKey\":[{\"prefix\":\"order-\"}],"
            + "\"data\":{\"type\":[\"OrderPlaced\"],\"amount\":[{\"numeric\":[\">\",40]}]}}";
    assertThat(matches(pattern, order(ORDER_PLACED))).isTrue();
    assertThat(matches(pattern, record("user-1", ORDER_PLACED))).isFalse();
    assertThat(
            matches(pattern, order("{\"type\":\"OrderPlaced\",\"orderId\":\"o-2\",\"amount\":9}")))
        .isFalse();
    assertThat(matches(pattern, order("{\"type\":\"OrderShipped\",\"amount\":42.5}"))).isFalse();
  }

  @Test
  void matches_deeplyNested_true() {
    String data = "{\"order\":{\"customer\":{\"tier\":\"gold\"}}}";
    assertThat(matchesData("{\"order\":{\"customer\":{\"tier\":[\"gold\"]}}}", data)).isTrue();
    assertThat(matchesData("{\"order\":{\"customer\":{\"tier\":[\"silver\"]}}}", data)).isFalse();
  }

  @Test
  void matches_orAcrossFilters_anyFilterMatches() {
    FilterCriteria criteria =
        FilterCriteria.parse(
            List.of(
                "{\"data\":{\"type\":[\"OrderCancelled\"]}}",
                "{\"data\":{\"amount\":[{\"numeric\":[\">=\",100]}]}}"));
    assertThat(criteria.matches(order("{\"type\":\"OrderCancelled\",\"amount\":1}"))).isTrue();
    assertThat(criteria.matches(order("{\"type\":\"OrderPlaced\",\"amount\":250}"))).isTrue();
    assertThat(criteria.matches(order(ORDER_PLACED))).isFalse();
  }

  @Test
  void matches_dollarOr_anyAlternative() {
    String pattern =
        "{\"data\":{\"$or\":[{\"type\":[\"OrderCancelled\"]},"
            + "{\"amount\":[{\"numeric\":[\">\",40]}]}]}}";
    assertThat(matches(pattern, order(ORDER_PLACED))).isTrue();
    assertThat(matches(pattern, order("{\"type\":\"OrderCancelled\"}"))).isTrue();
    assertThat(matches(pattern, order("{\"type\":\"OrderPlaced\",\"amount\":1}"))).isFalse();
  }

  @Test
  void matches_dollarOrWithSiblingField_andedWithIt() {
    String pattern =
        "{\"partitionKey\":[{\"prefix\":\"order-\"}],"
            + "\"$or\":[{\"data\":{\"type\":[\"A\"]}},{\"data\":{\"type\":[\"OrderPlaced\"]}}]}";
    assertThat(matches(pattern, order(ORDER_PLACED))).isTrue();
    assertThat(matches(pattern, record("user-1", ORDER_PLACED))).isFalse();
  }

  @Test
  void matches_arrayInEvent_anyElement() {
    String data = "{\"tags\":[\"priority\",\"gift\"],\"sizes\":[1,5,9]}";
    assertThat(matchesData("{\"tags\":[\"gift\"]}", data)).isTrue();
    assertThat(matchesData("{\"tags\":[\"bulk\"]}", data)).isFalse();
    assertThat(matchesData("{\"tags\":[{\"prefix\":\"pri\"}]}", data)).isTrue();
    assertThat(matchesData("{\"sizes\":[{\"numeric\":[\">\",8]}]}", data)).isTrue();
    assertThat(matchesData("{\"sizes\":[{\"numeric\":[\">\",9]}]}", data)).isFalse();
    // anything-but is met by any element that is not excluded
    assertThat(matchesData("{\"tags\":[{\"anything-but\":\"gift\"}]}", data)).isTrue();
    assertThat(matchesData("{\"tags\":[{\"anything-but\":[\"gift\",\"priority\"]}]}", data))
        .isFalse();
  }

  @Test
  void matches_arrayOfObjects_fieldsFromOneElement() {
    String data = "{\"items\":[{\"sku\":\"A\",\"qty\":1},{\"sku\":\"B\",\"qty\":7}]}";
    assertThat(matchesData("{\"items\":{\"sku\":[\"B\"]}}", data)).isTrue();
    assertThat(matchesData("{\"items\":{\"sku\":[\"C\"]}}", data)).isFalse();
    assertThat(matchesData("{\"items\":{\"sku\":[\"B\"],\"qty\":[{\"numeric\":[\">\",5]}]}}", data))
        .isTrue();
    // sku A and qty 7 live in different elements
    assertThat(matchesData("{\"items\":{\"sku\":[\"A\"],\"qty\":[7]}}", data)).isFalse();
  }

  // --- non-JSON data --------------------------------------------------------------------------

  @Test
  void matches_nonJsonDataWithDataPattern_false() {
    JsonNode raw = order("plain text, not JSON");
    assertThat(raw.get("data").isTextual()).isTrue();
    assertThat(matches("{\"data\":{\"type\":[\"OrderPlaced\"]}}", raw)).isFalse();
    assertThat(matches("{\"data\":{\"type\":[{\"exists\":false}]}}", raw)).isFalse();
    assertThat(matches("{\"data\":{\"type\":[{\"anything-but\":\"x\"}]}}", raw)).isFalse();
  }

  @Test
  void matches_dataThatOnlyStartsLikeJsonOrIsEmpty_noDataPatternMatches() {
    assertThat(matches("{\"data\":[{\"numeric\":[\">\",0]}]}", order("42 apples"))).isFalse();
    assertThat(matches("{\"data\":[true]}", order("true story"))).isFalse();
    assertThat(
            matches("{\"data\":{\"type\":[\"a\"]}}", order("{\"type\":\"a\"}\n{\"type\":\"b\"}")))
        .as("two JSON documents are not JSON data")
        .isFalse();
    assertThat(matches("{\"data\":{\"type\":[{\"exists\":false}]}}", order(""))).isFalse();
    assertThat(matches("{\"data\":[{\"prefix\":\"ERROR\"}]}", order("ERROR disk full")))
        .as("non-JSON data can't match a data pattern")
        .isFalse();
    assertThat(matches("{\"data\":[{\"numeric\":[\">\",0]}]}", order("42"))).isTrue();
  }

  @Test
  void matches_nonJsonDataWithPartitionKeyPattern_true() {
    JsonNode raw = order("plain text, not JSON");
    assertThat(matches("{\"partitionKey\":[{\"prefix\":\"order-\"}]}", raw)).isTrue();
    assertThat(matches("{\"partitionKey\":[\"order-1\"]}", raw)).isTrue();
  }

  // --- realistic ------------------------------------------------------------------------------

  @Test
  void matches_realisticOrderStream_selectsLargePlacedOrders() {
    FilterCriteria criteria =
        FilterCriteria.parse(
            List.of(
                "{\"data\":{\"type\":[\"OrderPlaced\"],"
                    + "\"amount\":[{\"numeric\":[\">=\",40,\"<\",1000]}],"
                    + "\"orderId\":[{\"prefix\":\"o-\"}]}}"));
    assertThat(criteria.matches(order(ORDER_PLACED))).isTrue();
    assertThat(
            criteria.matches(
                order("{\"type\":\"OrderPlaced\",\"orderId\":\"o-2\",\"amount\":1000}")))
        .isFalse();
    assertThat(
            criteria.matches(
                order("{\"type\":\"OrderShipped\",\"orderId\":\"o-1\",\"amount\":42.5}")))
        .isFalse();
    assertThat(
            criteria.matches(order("{\"type\":\"OrderPlaced\",\"orderId\":\"x-1\",\"amount\":50}")))
        .isFalse();
  }
}
