package dev.sluice.template;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the properties of one template mapping. Values are resolved only when read, so properties
 * Sluice ignores may hold intrinsic functions it can't evaluate; keys never read are reported by
 * {@link #finish}.
 */
final class Props {

  private final Map<String, Node> entries;
  private final String path;

  /** The node whose key "is required" errors point at. */
  private final Node holder;

  private final Scope scope;
  private final Props fallback;
  private final Set<String> used = new HashSet<>();

  private Props(Map<String, Node> entries, String path, Node holder, Scope scope, Props fallback) {
    this.entries = entries;
    this.path = path;
    this.holder = holder;
    this.scope = scope;
    this.fallback = fallback;
  }

  /**
   * The mapping {@code raw} at {@code path}; {@code holder} stands in for it when it is absent.
   * Keys missing here are looked up in {@code fallback} (Globals), when given.
   */
  static Props of(Node raw, String path, Node holder, Scope scope, Props fallback) {
    Node n = raw == null ? null : raw.functionName() != null ? scope.resolve(raw, path) : raw;
    if (n == null || n.kind == Node.Kind.NO_VALUE || n.type == Node.Type.NULL) {
      return new Props(Map.of(), path, holder, scope, fallback);
    }
    if (!n.isMap()) {
      if (!n.isInvalid()) {
        scope.problems().error(path, n, "expected a mapping");
      }
      return new Props(Map.of(), path, n, scope, fallback);
    }
    return new Props(n.entries, path, n, scope, fallback);
  }

  static Props of(Node raw, String path, Node holder, Scope scope) {
    return of(raw, path, holder, scope, null);
  }

  /** These properties less {@code keys}, e.g. Globals a function must not inherit. */
  Props without(Set<String> keys) {
    Map<String, Node> kept = new LinkedHashMap<>(entries);
    kept.keySet().removeAll(keys);
    return new Props(kept, path, holder, scope, fallback);
  }

  String path() {
    return path;
  }

  Node holder() {
    return holder;
  }

  /**
   * Whether {@code key} is set here or in the fallback. A value that resolves to AWS::NoValue (say
   * the false branch of an {@code !If}) or null is no value, as CloudFormation drops the property.
   */
  boolean has(String key) {
    Node raw = entries.get(key);
    if (raw == null) {
      return fallback != null && fallback.has(key);
    }
    used.add(key); // dropped by a NoValue is not unknown
    Node n = raw.functionName() != null ? scope.resolve(raw, path + "." + key) : raw;
    return n.kind != Node.Kind.NO_VALUE && n.type != Node.Type.NULL;
  }

  Set<String> keys() {
    return entries.keySet();
  }

  /** The raw (unresolved) value of a key of this mapping itself. */
  Node raw(String key) {
    used.add(key);
    return entries.get(key);
  }

  /** The resolved value, or null when absent, null or AWS::NoValue. */
  Field field(String key) {
    used.add(key);
    Node raw = entries.get(key);
    if (raw == null) {
      return fallback == null ? null : fallback.field(key);
    }
    String at = path + "." + key;
    Node n = scope.resolve(raw, at);
    if (n.kind == Node.Kind.NO_VALUE || n.type == Node.Type.NULL) {
      return null;
    }
    return new Field(n, at);
  }

  /** The resolved value; reports "is required" when absent. */
  Field required(String key) {
    Field f = field(key);
    if (f == null) {
      scope.problems().errorAtKey(path + "." + key, holder, "is required");
    }
    return f;
  }

  /** A nested mapping of this mapping itself (Globals don't apply). */
  Props child(String key) {
    return of(raw(key), path + "." + key, holder, scope, null);
  }

  String string(String key) {
    Field f = field(key);
    return f == null ? null : Values.string(f, scope.problems());
  }

  String requiredString(String key) {
    Field f = required(key);
    return f == null ? null : Values.string(f, scope.problems());
  }

  Integer integer(String key, long min, long max) {
    Field f = field(key);
    return f == null ? null : Values.integer(f, min, max, scope.problems());
  }

  Integer unlimitedOrRange(String key, long min, long max) {
    Field f = field(key);
    return f == null ? null : Values.unlimitedOrRange(f, min, max, scope.problems());
  }

  Boolean bool(String key) {
    Field f = field(key);
    return f == null ? null : Values.bool(f, scope.problems());
  }

  String oneOf(String key, List<String> allowed) {
    Field f = field(key);
    return f == null ? null : Values.oneOf(f, allowed, scope.problems());
  }

  String requiredOneOf(String key, List<String> allowed) {
    Field f = required(key);
    return f == null ? null : Values.oneOf(f, allowed, scope.problems());
  }

  List<String> strings(String key) {
    Field f = field(key);
    return f == null ? null : Values.strings(f, scope.problems());
  }

  /**
   * Reports keys that were never read: a warning for the ones SAM accepts but Sluice ignores, an
   * error for the rest.
   */
  void finish(Set<String> ignored) {
    Set<String> known = new HashSet<>(used);
    checkKeys(known, ignored);
  }

  /** Reports keys that are neither {@code known} nor {@code ignored}, and warns about ignored. */
  void checkKeys(Set<String> known, Set<String> ignored) {
    for (Map.Entry<String, Node> e : entries.entrySet()) {
      String at = path + "." + e.getKey();
      if (ignored.contains(e.getKey())) {
        scope.problems().warnAtKey(at, e.getValue(), "not used by Sluice (ignored)");
      } else if (!known.contains(e.getKey())) {
        scope.problems().errorAtKey(at, e.getValue(), "unknown property");
      }
    }
  }
}
