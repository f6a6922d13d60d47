package dev.sluice.template;

import dev.sluice.stream.Arns;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The template's resources by logical id: which are created (their Condition) and their names,
 * which Ref and Fn::GetAtt need before the resources themselves are read.
 */
final class Resources {

  static final String STREAM = "AWS::Kinesis::Stream";
  static final String FUNCTION = "AWS::Serverless::Function";

  private static final Set<String> RESOURCE_KEYS =
      Set.of(
          "Type",
          "Properties",
          "Condition",
          "DependsOn",
          "Metadata",
          "DeletionPolicy",
          "UpdateReplacePolicy",
          "UpdatePolicy",
          "CreationPolicy");

  /** One resource; {@code type} is null when its Type is missing or wrong. */
  record Resource(String id, String type, Node node, String path) {
    boolean supported() {
      return STREAM.equals(type) || FUNCTION.equals(type);
    }
  }

  private final Map<String, Resource> all = new LinkedHashMap<>();
  private final Map<String, String> conditionOf = new HashMap<>();
  private final Map<String, Boolean> created = new HashMap<>();
  private final Map<String, String> names = new HashMap<>();
  private final Set<String> naming = new LinkedHashSet<>();
  private final Map<String, Set<String>> standIns = new HashMap<>();

  /** The members of the reference cycles through names already reported. */
  private final Set<Set<String>> nameCycles = new HashSet<>();

  Resources(Node section, Node root, Problems problems) {
    if (section == null || section.type == Node.Type.NULL) {
      problems.errorAtKey("Resources", root, "is required");
    } else if (!section.isMap()) {
      problems.error("Resources", section, "expected a mapping");
    } else if (section.entries.isEmpty()) {
      // CloudFormation refuses it; deployed as a stack, it would delete all the stack has
      problems.error("Resources", section, "must define at least one resource");
    } else {
      section.entries.forEach((id, node) -> add(id, node, problems));
    }
  }

  private void add(String id, Node node, Problems problems) {
    String path = "Resources." + id;
    if (!node.isMap()) {
      problems.error(path, node, "expected a mapping");
      all.put(id, new Resource(id, null, node, path));
      return;
    }
    Node type = node.entries.get("Type");
    if (type == null) {
      problems.errorAtKey(path + ".Type", node, "is required");
    } else if (!type.isScalar()) {
      problems.error(path + ".Type", type, "expected a string");
    }
    Resource r = new Resource(id, type != null && type.isScalar() ? type.text : null, node, path);
    all.put(id, r);
    if (r.supported()) {
      node.entries.forEach(
          (key, value) -> {
            boolean function = FUNCTION.equals(r.type);
            if (key.equals("Connectors") && function) {
              // SAM turns embedded connectors into IAM policies, which Sluice does not enforce
              problems.warnAtKey(
                  path + "." + key, value, "ignored: Sluice grants every function every access");
            } else if (!RESOURCE_KEYS.contains(key) && !(key.equals("IgnoreGlobals") && function)) {
              problems.errorAtKey(path + "." + key, value, "unknown property");
            }
          });
    }
  }

  /**
   * Reports DependsOn entries that name no resource, which CloudFormation refuses; Sluice has no
   * other use for DependsOn.
   */
  void checkDependsOn(Problems problems) {
    forEachDependsOn(
        (r, at, name) -> {
          if (!name.isScalar() || name.type != Node.Type.STRING) {
            problems.error(at, name, "expected a resource's logical id");
          } else if (!all.containsKey(name.text)) {
            problems.error(at, name, "there is no resource " + name.text);
          }
        });
  }

  /**
   * Reports a created resource's DependsOn naming one its condition leaves out, which
   * CloudFormation refuses as an unresolved dependency; after {@link #applyConditions}.
   */
  void checkDependsOnCreated(Problems problems) {
    forEachDependsOn(
        (r, at, name) -> {
          if (Boolean.TRUE.equals(created.get(r.id))
              && name.isScalar()
              && Boolean.FALSE.equals(created.get(name.text))) {
            usable(name.text, name, at, problems);
          }
        });
  }

  /** Checks one DependsOn entry {@code name} of {@code r}, at path {@code at}. */
  private interface DependsOnCheck {
    void check(Resource r, String at, Node name);
  }

  private void forEachDependsOn(DependsOnCheck check) {
    for (Resource r : all.values()) {
      Node dependsOn = r.node.isMap() ? r.node.entries.get("DependsOn") : null;
      if (dependsOn == null) {
        continue;
      }
      String path = r.path + ".DependsOn";
      List<Node> names = dependsOn.isList() ? dependsOn.items : List.of(dependsOn);
      for (int i = 0; i < names.size(); i++) {
        check.check(r, dependsOn.isList() ? path + "[" + i + "]" : path, names.get(i));
      }
    }
  }

  /** Reports resources depending on each other in a circle, but not a cycle through names again. */
  void checkCycles(Set<String> parameters, Node globalFunction, Problems problems) {
    new DependencyCycles(all, parameters, nameCycles, globalFunction, problems).check();
  }

  /** Decides which resources are created, from their Condition. */
  void applyConditions(Conditions conditions, Resolver resolver, Problems problems) {
    for (Resource r : all.values()) {
      Node condition = r.node.isMap() ? r.node.entries.get("Condition") : null;
      if (condition == null) {
        created.put(r.id, true);
      } else if (!condition.isScalar()) {
        problems.error(r.path + ".Condition", condition, "expected a string");
      } else {
        conditionOf.put(r.id, condition.text);
        Boolean v = conditions.value(condition.text, resolver, condition, r.path + ".Condition");
        if (v != null) {
          created.put(r.id, v);
        }
      }
    }
  }

  Resource get(String id) {
    return all.get(id);
  }

  boolean has(String id) {
    return all.containsKey(id);
  }

  /** The resources that are created, in template order. */
  List<Resource> created() {
    List<Resource> out = new ArrayList<>();
    for (Resource r : all.values()) {
      if (Boolean.TRUE.equals(created.get(r.id))) {
        out.add(r);
      }
    }
    return out;
  }

  boolean anyOfType(String type) {
    return all.values().stream().anyMatch(r -> type.equals(r.type));
  }

  /** Whether {@code id} is created; reports why not otherwise. */
  boolean usable(String id, Node at, String path, Problems problems) {
    Resource r = all.get(id);
    if (r.type == null || !created.containsKey(id)) {
      return false; // its own error is reported already
    }
    if (!created.get(id)) {
      problems.error(
          path, at, id + " is not created: its condition " + conditionOf.get(id) + " is false");
      return false;
    }
    return true;
  }

  /**
   * The name of resource {@code id}: its name property (Name, FunctionName, TableName...), else the
   * logical id. Null after an error, including a reference cycle through names.
   */
  String name(String id, Resolver resolver, Node at, String path) {
    if (!usable(id, at, path, resolver.problems())) {
      return null;
    }
    if (names.containsKey(id)) {
      return names.get(id);
    }
    if (naming.contains(id)) {
      List<String> cycle = new ArrayList<>(naming);
      nameCycles.add(Set.copyOf(cycle.subList(cycle.indexOf(id), cycle.size())));
      cycle.add(id);
      resolver.problems().error(path, at, "reference cycle " + String.join(" -> ", cycle));
      return null;
    }
    naming.add(id);
    String name = resolveName(all.get(id), resolver);
    naming.remove(id);
    names.put(id, name);
    return name;
  }

  private String resolveName(Resource r, Resolver resolver) {
    String key = nameProperty(r.type);
    Node props = r.node.entries.get("Properties");
    Node raw = key != null && props != null && props.isMap() ? props.entries.get(key) : null;
    if (raw == null) {
      return r.id;
    }
    String path = r.path + ".Properties." + key;
    Node n = resolver.resolve(raw, path);
    if (n.kind == Node.Kind.NO_VALUE || n.type == Node.Type.NULL) {
      return r.id;
    }
    if (!n.isScalar() && !n.isInvalid()) {
      // the same error a stream or function reader reports, listed once; nothing else reads
      // the name of a resource Sluice does not deploy
      resolver.problems().error(path, n, "expected a string");
    }
    return n.isScalar() ? n.text : null;
  }

  private static String nameProperty(String type) {
    return switch (type) {
      case STREAM -> "Name";
      case FUNCTION -> "FunctionName";
      default -> Placeholders.nameProperty(type);
    };
  }

  /**
   * What Ref of created resource {@code id} called {@code name} gives: the name of a stream or
   * function, else a stand-in, which is remembered for the resource's warning.
   */
  String ref(String id, String name, TemplateContext ctx) {
    Resource r = all.get(id);
    return r.supported() ? name : standIn(id, Placeholders.ref(r.type, name, ctx));
  }

  /** The attributes Fn::GetAtt can give of resource {@code id}. */
  List<String> attributes(String id) {
    Resource r = all.get(id);
    return r.supported() ? List.of("Arn") : Placeholders.attributes(r.type);
  }

  /** Attribute {@code attribute} (one of {@link #attributes}) of created resource {@code id}. */
  String attribute(String id, String attribute, String name, TemplateContext ctx) {
    Resource r = all.get(id);
    if (STREAM.equals(r.type)) {
      return new Arns(ctx.region(), ctx.accountId()).stream(name);
    }
    if (FUNCTION.equals(r.type)) {
      return "arn:aws:lambda:" + ctx.region() + ":" + ctx.accountId() + ":function:" + name;
    }
    return standIn(id, Placeholders.attribute(r.type, attribute, name, ctx));
  }

  private String standIn(String id, String value) {
    standIns.computeIfAbsent(id, k -> new LinkedHashSet<>()).add(value);
    return value;
  }

  /**
   * Warns once about each created resource Sluice does not deploy, naming the stand-ins that
   * references to it were given, so the user can see what a function receives instead.
   */
  void warnNotDeployed(Problems problems) {
    for (Resource r : created()) {
      if (r.type == null || r.supported()) {
        continue;
      }
      Set<String> values = standIns.get(r.id);
      String more =
          values == null ? "" : "; references to it stand for " + String.join(", ", values);
      problems.warnAtKey(r.path, r.node, r.type + " is not deployed by Sluice" + more);
    }
  }

  /**
   * CloudFormation's DeletionPolicy of {@code r}: whether the resource outlives its removal from
   * the stack ({@code Retain}, {@code RetainExceptOnCreate}) or not ({@code Delete}, the default).
   * {@code what} names the resource type in the error for any other value.
   */
  static boolean retained(Resource r, String what, Problems problems) {
    Node policy = r.node().entries.get("DeletionPolicy");
    if (policy == null) {
      return false;
    }
    String text = policy.isScalar() ? policy.text : null;
    if ("Delete".equals(text)) {
      return false;
    }
    if ("Retain".equals(text) || "RetainExceptOnCreate".equals(text)) {
      return true;
    }
    problems.error(
        r.path() + ".DeletionPolicy",
        policy,
        "expected Delete, Retain or RetainExceptOnCreate (" + what + " has no Snapshot)");
    return false;
  }

  /**
   * CloudFormation's UpdateReplacePolicy of {@code r}: whether the resource outlives a replacement
   * (a deploy that gives the logical id another name) ({@code Retain}) or not ({@code Delete}, the
   * default).
   */
  static boolean retainedOnReplace(Resource r, String what, Problems problems) {
    Node policy = r.node().entries.get("UpdateReplacePolicy");
    String text = policy != null && policy.isScalar() ? policy.text : null;
    if (policy == null || "Delete".equals(text)) {
      return false;
    }
    if ("Retain".equals(text)) {
      return true;
    }
    if ("Snapshot".equals(text)) {
      // CloudFormation deletes a replaced resource of a type without snapshots
      problems.warn(
          r.path() + ".UpdateReplacePolicy",
          policy,
          what + " has no Snapshot: a replaced one is deleted, as with Delete");
      return false;
    }
    problems.error(
        r.path() + ".UpdateReplacePolicy", policy, "expected Delete, Retain or Snapshot");
    return false;
  }
}
