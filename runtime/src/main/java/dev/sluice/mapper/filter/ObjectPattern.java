package dev.sluice.mapper.filter;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An object in a pattern: every field must match (AND), and of every {@code $or} group at least one
 * alternative must match.
 *
 * <p>Against an event array it matches when one element satisfies the whole object, so fields are
 * never combined across elements; an empty array counts as absent. Against a present scalar (a
 * string, number, boolean or null) it never matches: a pattern that looks inside a value cannot
 * match a value that has no inside, such as Kinesis data that was not JSON.
 */
final class ObjectPattern implements Pattern {

  private final Map<String, Pattern> fields;
  private final List<List<ObjectPattern>> orGroups;

  ObjectPattern(Map<String, Pattern> fields, List<List<ObjectPattern>> orGroups) {
    this.fields = Map.copyOf(fields);
    this.orGroups = List.copyOf(orGroups);
  }

  @Override
  public boolean matches(JsonNode value) {
    if (value == null || value.isMissingNode()) {
      return matchesObject(null);
    }
    if (value.isObject()) {
      return matchesObject(value);
    }
    if (value.isArray()) {
      List<JsonNode> elements = new ArrayList<>();
      flatten(value, elements);
      if (elements.stream().noneMatch(JsonNode::isObject)) {
        return matchesObject(null);
      }
      for (JsonNode element : elements) {
        if (element.isObject() && matchesObject(element)) {
          return true;
        }
      }
      return false;
    }
    // a plain value or null has no fields below it: as EventBridge's flattened paths, they are
    // absent (so "exists": false matches)
    return matchesObject(null);
  }

  /** Matches against one object, or against absence when {@code object} is null. */
  private boolean matchesObject(JsonNode object) {
    for (Map.Entry<String, Pattern> field : fields.entrySet()) {
      JsonNode child = object == null ? null : object.get(field.getKey());
      if (child == FilterCriteria.NOT_JSON || !field.getValue().matches(child)) {
        return false;
      }
    }
    for (List<ObjectPattern> group : orGroups) {
      boolean any = false;
      for (ObjectPattern alternative : group) {
        if (alternative.matchesObject(object)) {
          any = true;
          break;
        }
      }
      if (!any) {
        return false;
      }
    }
    return true;
  }

  private static void flatten(JsonNode array, List<JsonNode> out) {
    for (JsonNode element : array) {
      if (element.isArray()) {
        flatten(element, out);
      } else {
        out.add(element);
      }
    }
  }
}
