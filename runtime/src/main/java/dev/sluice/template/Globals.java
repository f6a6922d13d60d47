package dev.sluice.template;

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
          "Description");
  private static final Set<String> OTHER_SECTIONS =
      Set.of("Api", "HttpApi", "SimpleTable", "LayerVersion", "StateMachine", "CapacityProvider");

  private Globals() {}

  /** Globals.Function, checked; functions fall back on it for keys they don't set. */
  static Props read(Node section, Node root, Scope scope) {
    Props globals = Props.of(section, "Globals", root, scope);
    globals.checkKeys(Set.of("Function"), OTHER_SECTIONS);
    Props function = globals.child("Function");
    function.checkKeys(FUNCTION_KEYS, FunctionReader.IGNORED);
    return function;
  }
}
