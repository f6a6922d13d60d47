package dev.sluice.template;

import java.util.Map;

/**
 * The template's Mappings: named two-level tables of literal values that Fn::FindInMap reads. The
 * whole section is checked up front, as CloudFormation does, so an error in a mapping no function
 * reads is still reported.
 */
final class Mappings {

  private final Map<String, Node> maps;

  Mappings(Node section, Problems problems) {
    if (section == null || section.type == Node.Type.NULL) {
      maps = Map.of();
    } else if (!section.isMap()) {
      problems.error("Mappings", section, "expected a mapping");
      maps = Map.of();
    } else {
      maps = section.entries;
      maps.forEach((name, map) -> check(map, "Mappings." + name, 0, problems));
    }
  }

  /** Levels 0 and 1 are keys, level 2 the values. */
  private static void check(Node n, String path, int level, Problems problems) {
    if (level == 2) {
      checkValue(n, path, problems);
    } else if (!n.isMap() || n.functionName() != null || n.entries.isEmpty()) {
      problems.error(
          path, n, "expected a mapping of keys to " + (level == 0 ? "mappings" : "values"));
    } else {
      n.entries.forEach((key, value) -> check(value, path + "." + key, level + 1, problems));
    }
  }

  private static void checkValue(Node n, String path, Problems problems) {
    if (n.functionName() != null) {
      problems.error(
          path, n, "Mappings hold literal values; " + n.functionName() + " is not allowed");
    } else if (n.isMap()
        || n.type == Node.Type.NULL
        || (n.isList() && !n.items.stream().allMatch(Node::isScalar))) {
      problems.error(path, n, "expected a string or a list of strings");
    }
  }

  /**
   * The value at {@code map.top.second}; null after an error, which points at the argument that
   * names what is missing. A mapping whose own error is reported already is passed over silently.
   */
  Node find(Node map, Node top, Node second, String path, Problems problems) {
    Node table = maps.get(map.text);
    if (table == null) {
      problems.error(path, map, "Fn::FindInMap: there is no mapping " + map.text);
      return null;
    }
    Node row = valid(table) ? table.entries.get(top.text) : null;
    if (row == null) {
      return missing(
          valid(table), path, top, "mapping " + map.text + " has no key " + top.text, problems);
    }
    Node value = valid(row) ? row.entries.get(second.text) : null;
    if (value == null) {
      String what = "mapping " + map.text + " has no key " + second.text + " under " + top.text;
      return missing(valid(row), path, second, what, problems);
    }
    return value.isMap() || value.type == Node.Type.NULL ? null : value;
  }

  private static boolean valid(Node level) {
    return level.isMap() && level.functionName() == null;
  }

  private static Node missing(
      boolean report, String path, Node at, String what, Problems problems) {
    if (report) {
      problems.error(path, at, "Fn::FindInMap: " + what);
    }
    return null;
  }
}
