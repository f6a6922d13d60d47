package dev.sluice.mapper.filter;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * An array in a pattern: matches when any of its matchers matches (OR).
 *
 * <p>The matchers see the leaf values at this place: a scalar (JSON null included) is one value; an
 * array contributes all its scalar elements, nested arrays flattened; an object or an absent field
 * contributes none.
 */
final class LeafPattern implements Pattern {

  private final List<Matcher> matchers;

  LeafPattern(List<Matcher> matchers) {
    this.matchers = List.copyOf(matchers);
  }

  @Override
  public boolean matches(JsonNode value) {
    List<JsonNode> leaves = new ArrayList<>();
    collect(value, leaves);
    for (Matcher matcher : matchers) {
      if (matcher.matches(leaves)) {
        return true;
      }
    }
    return false;
  }

  private static void collect(JsonNode value, List<JsonNode> out) {
    if (value == null || value.isMissingNode() || value.isObject()) {
      return;
    }
    if (value.isArray()) {
      for (JsonNode element : value) {
        collect(element, out);
      }
      return;
    }
    out.add(value);
  }
}
