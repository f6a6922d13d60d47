package dev.sluice.template;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads one template: parse, check the top level, resolve, then read each resource. */
final class TemplateReader {

  static final String SAM = "AWS::Serverless-2016-10-31";

  private static final Set<String> TOP_KEYS =
      Set.of(
          "AWSTemplateFormatVersion",
          "Transform",
          "Description",
          "Parameters",
          "Conditions",
          "Globals",
          "Resources",
          "Outputs",
          "Metadata",
          "Mappings");
  private static final Set<String> TOP_IGNORED = Set.of("Rules");

  private static final List<String> LOGICAL_ID_SECTIONS =
      List.of("Parameters", "Mappings", "Resources", "Outputs");
  static final Pattern LOGICAL_ID = Pattern.compile("[A-Za-z0-9]+");

  private final Problems problems;
  private final TemplateContext ctx;
  private final Path baseDir;

  TemplateReader(String file, Path baseDir, TemplateContext ctx) {
    this.problems = new Problems(file);
    this.ctx = ctx;
    this.baseDir = baseDir;
  }

  Template read(String text) {
    Node root =
        JsonTree.looksLikeJson(text)
            ? JsonTree.parse(text, problems)
            : YamlTree.parse(text, problems);
    if (root != null && !root.isMap()) {
      problems.error("", root, "expected a mapping at the top of the template");
      root = null;
    }
    if (root == null) {
      throw new TemplateException(problems.errors());
    }
    Template template = resolve(root);
    if (problems.hasErrors()) {
      throw new TemplateException(problems.errors());
    }
    return template;
  }

  private Template resolve(Node root) {
    Map<String, Node> top = root.entries;
    checkTopLevel(root);
    Map<String, Node> parameters = Parameters.resolve(top.get("Parameters"), root, ctx, problems);
    Conditions conditions = new Conditions(top.get("Conditions"), problems);
    Resources resources = new Resources(top.get("Resources"), root, problems);
    resources.checkDependsOn(problems);
    checkLogicalIds(root, parameters.keySet());
    Mappings mappings = new Mappings(top.get("Mappings"), problems);
    Resolver resolver = new Resolver(ctx, problems, parameters, conditions, resources, mappings);
    conditions.evaluateAll(resolver);
    resources.applyConditions(conditions, resolver, problems);
    resources.checkDependsOnCreated(problems);
    Scope scope = new Scope(ctx, problems, resolver, baseDir);
    Props globals = Globals.read(top.get("Globals"), root, scope);
    if (resources.anyOfType(Resources.FUNCTION) && !hasSamTransform(top.get("Transform"))) {
      problems.errorAtKey("Transform", root, SAM + " is required for " + Resources.FUNCTION);
    }
    List<StreamResource> streams = new ArrayList<>();
    List<FunctionResource> functions = new ArrayList<>();
    for (Resources.Resource r : resources.created()) {
      if (Resources.STREAM.equals(r.type())) {
        streams.add(StreamReader.read(r, scope));
      } else if (Resources.FUNCTION.equals(r.type())) {
        functions.add(FunctionReader.read(r, globals, scope));
      }
    }
    Outputs.check(top.get("Outputs"), conditions, resolver, problems);
    resources.warnNotDeployed(problems);
    resources.checkCycles(parameters.keySet(), globalFunction(top.get("Globals")), problems);
    checkUniqueNames(resources, streams, functions);
    return new Template(
        problems.file(),
        baseDir,
        List.copyOf(streams),
        List.copyOf(functions),
        problems.warnings(),
        ctx.stackName());
  }

  private void checkTopLevel(Node root) {
    for (Map.Entry<String, Node> e : root.entries.entrySet()) {
      if (TOP_IGNORED.contains(e.getKey())) {
        problems.warnAtKey(e.getKey(), e.getValue(), "not used by Sluice (ignored)");
      } else if (!TOP_KEYS.contains(e.getKey())) {
        problems.errorAtKey(e.getKey(), e.getValue(), "unknown property");
      }
    }
    Node version = root.entries.get("AWSTemplateFormatVersion");
    if (version != null && !(version.isScalar() && version.text.equals("2010-09-09"))) {
      String shown = version.isScalar() ? version.text : "this";
      problems.error("AWSTemplateFormatVersion", version, shown + " is not 2010-09-09");
    }
    checkTransform(root.entries.get("Transform"));
  }

  /**
   * CloudFormation refuses logical ids that are not alphanumeric, and a parameter and a resource of
   * the same id (Ref could not tell them apart).
   */
  /** The Globals.Function section as written, or null. */
  private static Node globalFunction(Node globals) {
    return globals != null && globals.isMap() ? globals.entries.get("Function") : null;
  }

  private void checkLogicalIds(Node root, Set<String> parameters) {
    for (String section : LOGICAL_ID_SECTIONS) {
      Node n = root.entries.get(section);
      if (n == null || !n.isMap()) {
        continue;
      }
      for (Map.Entry<String, Node> e : n.entries.entrySet()) {
        String path = section + "." + e.getKey();
        if (!LOGICAL_ID.matcher(e.getKey()).matches()) {
          problems.errorAtKey(path, e.getValue(), "logical ids must be alphanumeric (A-Z a-z 0-9)");
        } else if (section.equals("Resources") && parameters.contains(e.getKey())) {
          problems.errorAtKey(
              path, e.getValue(), "a parameter has this logical id too; they must be unique");
        }
      }
    }
  }

  private void checkTransform(Node transform) {
    if (transform == null) {
      return;
    }
    List<Node> items = transform.isList() ? transform.items : List.of(transform);
    for (int i = 0; i < items.size(); i++) {
      Node t = items.get(i);
      String path = transform.isList() ? "Transform[" + i + "]" : "Transform";
      if (!t.isScalar()) {
        problems.error(path, t, "expected a string");
      } else if (!t.text.equals(SAM)) {
        problems.error(path, t, t.text + " is not supported by Sluice (" + SAM + ")");
      }
    }
  }

  private static boolean hasSamTransform(Node transform) {
    if (transform == null) {
      return false;
    }
    List<Node> items = transform.isList() ? transform.items : List.of(transform);
    return items.stream().anyMatch(t -> t.isScalar() && t.text.equals(SAM));
  }

  private void checkUniqueNames(
      Resources resources, List<StreamResource> streams, List<FunctionResource> functions) {
    Map<String, String> streamIds = new HashMap<>();
    for (StreamResource s : streams) {
      duplicate(resources, streamIds, s.name(), s.logicalId(), "stream");
    }
    Map<String, String> functionIds = new HashMap<>();
    for (FunctionResource f : functions) {
      duplicate(resources, functionIds, f.name(), f.logicalId(), "function");
    }
  }

  private void duplicate(
      Resources resources, Map<String, String> seen, String name, String id, String what) {
    if (name == null) {
      return;
    }
    String first = seen.putIfAbsent(name, id);
    if (first != null) {
      Resources.Resource r = resources.get(id);
      problems.errorAtKey(
          r.path(), r.node(), what + " name " + name + " is already used by " + first);
    }
  }
}
