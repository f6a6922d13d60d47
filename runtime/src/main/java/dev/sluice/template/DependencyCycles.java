package dev.sluice.template;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds resources that depend on each other in a circle, which CloudFormation refuses ("Circular
 * dependency between resources") although Sluice, knowing every name beforehand, could deploy them:
 * the same template must deploy to AWS. A resource depends on every resource its Properties name
 * through Ref, Fn::GetAtt or Fn::Sub (in every branch of an Fn::If, as CloudFormation counts them)
 * and on those in its DependsOn; a SAM resource's Events are left out, as SAM makes each event a
 * resource of its own. A SAM function's properties include what it inherits from Globals.Function,
 * which SAM merges into it before CloudFormation looks.
 */
final class DependencyCycles {

  private static final String SAM = "AWS::Serverless::";

  /** A dependency and where the first reference to it is written. */
  private record Edge(String to, String path, Node at) {}

  private final Map<String, Resources.Resource> resources;

  /** Ref and Fn::Sub name a parameter before a resource of the same id (an error of its own). */
  private final Set<String> parameters;

  private final Map<String, Map<String, Edge>> edges = new LinkedHashMap<>();
  private final Map<String, Integer> state = new HashMap<>();
  private final List<String> stack = new ArrayList<>();
  private final Set<Set<String>> reported;
  private final Problems problems;

  /** Globals.Function, or null when the template has none. */
  private final Node globalFunction;

  /**
   * @param reported the member sets of cycles already reported (through names); not reported again
   */
  DependencyCycles(
      Map<String, Resources.Resource> resources,
      Set<String> parameters,
      Set<Set<String>> reported,
      Node globalFunction,
      Problems problems) {
    this.globalFunction = globalFunction;
    this.resources = resources;
    this.parameters = parameters;
    this.reported = new HashSet<>(reported);
    this.problems = problems;
  }

  /** Reports each cycle once, at the reference that closes it. */
  void check() {
    resources.values().forEach(this::collect);
    for (String id : resources.keySet()) {
      visit(id);
    }
  }

  private void collect(Resources.Resource r) {
    Map<String, Edge> out = new LinkedHashMap<>();
    if (r.node().isMap()) {
      Node props = r.node().entries.get("Properties");
      if (props != null && props.isMap()) {
        props.entries.forEach(
            (key, value) -> {
              // SAM turns each event into resources of its own (a mapping, a permission) that
              // depend on the function; the function does not depend on what they name
              if (!(key.equals("Events") && r.type() != null && r.type().startsWith(SAM))) {
                walk(value, r.path() + ".Properties." + key, out);
              }
            });
      }
      if (Resources.FUNCTION.equals(r.type())) {
        inherited(r, props != null && props.isMap() ? props : null, out);
      }
      Node dependsOn = r.node().entries.get("DependsOn");
      if (dependsOn != null) {
        List<Node> names = dependsOn.isList() ? dependsOn.items : List.of(dependsOn);
        names.forEach(n -> edge(n.text, r.path() + ".DependsOn", n, out));
      }
    }
    edges.put(r.id(), out);
  }

  /**
   * Walks the Globals.Function properties {@code r} takes: those its IgnoreGlobals does not name,
   * merged with its own as SAM merges them.
   */
  private void inherited(Resources.Resource r, Node own, Map<String, Edge> out) {
    if (globalFunction == null || !globalFunction.isMap()) {
      return;
    }
    Set<String> ignored = Globals.ignoredBy(r);
    globalFunction.entries.forEach(
        (key, value) -> {
          if (!ignored.contains("*") && !ignored.contains(key)) {
            Node mine = own == null ? null : own.entries.get(key);
            walkMerged(value, mine, "Globals.Function." + key, out);
          }
        });
  }

  /**
   * Walks what of {@code global} stays once {@code own} is merged in: mappings merge key by key
   * (the function's values win), lists add up, and any other value of the function's replaces.
   */
  private void walkMerged(Node global, Node own, String path, Map<String, Edge> out) {
    if (own == null || (own.isList() && global.isList())) {
      walk(global, path, out);
    } else if (FunctionReader.plainMap(own) && FunctionReader.plainMap(global)) {
      global.entries.forEach((k, v) -> walkMerged(v, own.entries.get(k), path + "." + k, out));
    }
  }

  private void walk(Node n, String path, Map<String, Edge> out) {
    String function = n.functionName();
    if (function != null) {
      reference(function, n.functionArgument(), path, out);
    }
    if (n.isMap()) {
      n.entries.forEach((k, v) -> walk(v, path + "." + k, out));
    } else if (n.isList()) {
      for (int i = 0; i < n.items.size(); i++) {
        walk(n.items.get(i), path + "[" + i + "]", out);
      }
    }
  }

  private void reference(String function, Node arg, String path, Map<String, Edge> out) {
    switch (function) {
      case "Ref" -> edge(named(arg.text), path, arg, out);
      case "Fn::GetAtt" -> {
        Node target = arg.isList() && !arg.items.isEmpty() ? arg.items.get(0) : arg;
        String text = target.text;
        edge(text == null ? null : text.split("\\.", 2)[0], path, arg, out);
      }
      case "Fn::Sub" -> substituted(arg, path, out);
      default -> {}
    }
  }

  private void substituted(Node arg, String path, Map<String, Edge> out) {
    Node template = arg.isList() && !arg.items.isEmpty() ? arg.items.get(0) : arg;
    Set<String> variables =
        arg.isList() && arg.items.size() == 2 && arg.items.get(1).isMap()
            ? arg.items.get(1).entries.keySet()
            : Set.of();
    String text = template.text;
    for (int i = text == null ? -1 : text.indexOf("${"); i >= 0; i = text.indexOf("${", i + 2)) {
      int end = text.indexOf('}', i);
      if (end < 0) {
        return; // the resolver reports it
      }
      String name = text.substring(i + 2, end).trim();
      if (!name.startsWith("!") && !variables.contains(name)) {
        edge(name.contains(".") ? name.split("\\.", 2)[0] : named(name), path, template, out);
      }
    }
  }

  /** The resource a plain name refers to, or null when it is a parameter's. */
  private String named(String name) {
    return parameters.contains(name) ? null : name;
  }

  private void edge(String to, String path, Node at, Map<String, Edge> out) {
    if (to != null && resources.containsKey(to)) {
      out.putIfAbsent(to, new Edge(to, path, at));
    }
  }

  /** Depth first; 1 while on the stack, 2 once done. */
  private void visit(String id) {
    if (state.containsKey(id)) {
      return;
    }
    state.put(id, 1);
    stack.add(id);
    for (Edge e : edges.get(id).values()) {
      Integer s = state.get(e.to());
      if (s == null) {
        visit(e.to());
      } else if (s == 1) {
        report(e);
      }
    }
    stack.remove(stack.size() - 1);
    state.put(id, 2);
  }

  private void report(Edge closing) {
    List<String> cycle = new ArrayList<>(stack.subList(stack.indexOf(closing.to()), stack.size()));
    if (!reported.add(Set.copyOf(cycle))) {
      return;
    }
    cycle.add(closing.to());
    problems.error(
        closing.path(),
        closing.at(),
        "circular dependency between resources "
            + String.join(" -> ", cycle)
            + ", which CloudFormation refuses");
  }
}
