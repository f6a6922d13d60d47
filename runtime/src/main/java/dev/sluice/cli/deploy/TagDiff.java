package dev.sluice.cli.deploy;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What turns a resource's tags into the wanted ones, as CloudFormation keeps a resource's tags
 * equal to its template's: keys to remove, and tags to add or change.
 *
 * @param gone keys the resource has and should not
 * @param set tags it lacks or has with another value
 */
record TagDiff(List<String> gone, Map<String, String> set) {

  static TagDiff of(Map<String, String> have, Map<String, String> want) {
    List<String> gone = have.keySet().stream().filter(k -> !want.containsKey(k)).sorted().toList();
    Map<String, String> set = new TreeMap<>(want);
    set.entrySet().removeIf(e -> e.getValue().equals(have.get(e.getKey())));
    return new TagDiff(gone, set);
  }

  boolean changes() {
    return !gone.isEmpty() || !set.isEmpty();
  }
}
