package dev.sluice.mapper.filter;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** One element of a pattern array, applied to the leaf values found at its field. */
interface Matcher {

  /** Whether the leaf values at the field (empty when the field is absent) satisfy this matcher. */
  boolean matches(List<JsonNode> leaves);

  /** A matcher that tests leaf values one by one and matches when any of them passes. */
  interface ValueTest extends Matcher {

    /** Whether one scalar leaf value passes. */
    boolean test(JsonNode leaf);

    @Override
    default boolean matches(List<JsonNode> leaves) {
      for (JsonNode leaf : leaves) {
        if (test(leaf)) {
          return true;
        }
      }
      return false;
    }
  }
}
