package dev.sluice.template;

import java.util.HashSet;
import java.util.Set;

/** The template's Globals section; only Globals.Function matters to Sluice. */
final class Globals {

  private static final Set<String> FUNCTION_KEYS =
      Set.of(
          "Runtime",
          "Handler",
          "MemorySize",
          "Timeout",
          "CodeUri",
          "Environment",
          "ReservedConcurrentExecutions",
          "Description",
          "Tags");

  /**
   * Function properties that SAM refuses in Globals.Function: everything else a function has may be
   * given there.
   */
  private static final Set<String> NOT_GLOBAL =
      Set.of(
          "FunctionName",
          "Events",
          "Role",
          "Policies",
          "PackageType",
          "InlineCode",
          "ImageUri",
          "ImageConfig",
          "AutoPublishCodeSha256",
          "VersionDescription");

  private static final Set<String> OTHER_SECTIONS =
      Set.of(
          "Api",
          "HttpApi",
          "WebSocketApi",
          "SimpleTable",
          "LayerVersion",
          "StateMachine",
          "CapacityProvider");

  private Globals() {}

  /**
   * Globals.Function, checked; functions fall back on it for keys they don't set. Null when the
   * template has none, which matters to IgnoreGlobals.
   */
  static Props read(Node section, Node root, Scope scope) {
    Props globals = Props.of(section, "Globals", root, scope);
    globals.checkKeys(Set.of("Function"), OTHER_SECTIONS);
    if (!globals.has("Function")) {
      return null;
    }
    Props function = globals.child("Function");
    Set<String> refused = new HashSet<>();
    for (String key : function.keys()) {
      if (NOT_GLOBAL.contains(key)) {
        refused.add(key);
        scope
            .problems()
            .errorAtKey(
                function.path() + "." + key,
                function.raw(key),
                "SAM does not take " + key + " in Globals; set it on each function");
      }
    }
    Set<String> ignored = new HashSet<>(FunctionReader.IGNORED);
    ignored.removeAll(NOT_GLOBAL);
    Set<String> known = new HashSet<>(FUNCTION_KEYS);
    known.addAll(refused);
    function.checkKeys(known, ignored);
    return function.without(refused);
  }

  /**
   * The Globals.Function properties function {@code r}'s IgnoreGlobals names ({@code *} for all),
   * read without checking: {@link #forFunction} reports what is wrong with it.
   */
  static Set<String> ignoredBy(Resources.Resource r) {
    Node ignore = r.node().isMap() ? r.node().entries.get("IgnoreGlobals") : null;
    Set<String> out = new HashSet<>();
    if (ignore != null && ignore.isScalar()) {
      out.add(ignore.text);
    } else if (ignore != null && ignore.isList()) {
      ignore.items.stream().filter(Node::isScalar).forEach(i -> out.add(i.text));
    }
    return out;
  }

  /**
   * The Globals.Function properties function {@code r} inherits: all of {@code function} less those
   * its IgnoreGlobals names ("*" for all). As in SAM, IgnoreGlobals is checked only when there is a
   * Globals.Function, and may name only properties it sets.
   */
  static Props forFunction(Resources.Resource r, Props function, Problems problems) {
    Node ignore = r.node().entries.get("IgnoreGlobals");
    if (ignore == null || function == null) {
      return function;
    }
    String path = r.path() + ".IgnoreGlobals";
    if (ignore.isScalar() && ignore.text.equals("*")) {
      return null;
    }
    if (!ignore.isList()) {
      problems.error(path, ignore, "expected \"*\" or a list of Globals.Function properties");
      return function;
    }
    Set<String> ignored = new HashSet<>();
    for (int i = 0; i < ignore.items.size(); i++) {
      Node item = ignore.items.get(i);
      if (item.isScalar() && function.keys().contains(item.text)) {
        ignored.add(item.text);
      } else {
        String shown = item.isScalar() ? item.text : "this";
        problems.error(path + "[" + i + "]", item, "Globals.Function does not set " + shown);
      }
    }
    return function.without(ignored);
  }
}
