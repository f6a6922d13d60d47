package dev.sluice.mapper.filter;

import com.fasterxml.jackson.databind.JsonNode;

/** A compiled part of a filter pattern, applied to the event node at its place (null if absent). */
interface Pattern {

  /**
   * Whether the event value at this place, or its absence ({@code null}), satisfies the pattern.
   */
  boolean matches(JsonNode value);
}
