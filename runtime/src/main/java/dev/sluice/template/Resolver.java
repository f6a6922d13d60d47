package dev.sluice.template;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies intrinsic functions (Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::If, Fn::Select, Fn::Split,
 * Fn::FindInMap) to a value. Results take the position of the function so later errors point at it.
 */
final class Resolver {

  /** How many conditions are being resolved (one may name another). */
  private int conditionDepth;

  private final TemplateContext ctx;
  private final Problems problems;
  private final Map<String, Node> parameters;
  private final Conditions conditions;
  private final Resources resources;
  private final Mappings mappings;

  Resolver(
      TemplateContext ctx,
      Problems problems,
      Map<String, Node> parameters,
      Conditions conditions,
      Resources resources,
      Mappings mappings) {
    this.ctx = ctx;
    this.problems = problems;
    this.parameters = parameters;
    this.conditions = conditions;
    this.resources = resources;
    this.mappings = mappings;
  }

  Problems problems() {
    return problems;
  }

  /** {@code n} with every intrinsic function applied; NO_VALUE entries and items are dropped. */
  Node resolve(Node n, String path) {
    return switch (n.kind) {
      case LIST -> resolveList(n, path);
      case MAP -> n.functionName() != null ? call(n, path) : resolveMap(n, path);
      default -> n;
    };
  }

  private Node resolveList(Node n, String path) {
    List<Node> items = new ArrayList<>();
    for (int i = 0; i < n.items.size(); i++) {
      Node item = resolve(n.items.get(i), path + "[" + i + "]");
      if (item.kind != Node.Kind.NO_VALUE) {
        items.add(item);
      }
    }
    return Node.list(items, n);
  }

  private Node resolveMap(Node n, String path) {
    Map<String, Node> entries = new LinkedHashMap<>();
    for (Map.Entry<String, Node> e : n.entries.entrySet()) {
      Node v = e.getValue();
      Node r = resolve(v, path + "." + e.getKey());
      if (r.kind != Node.Kind.NO_VALUE) {
        entries.put(e.getKey(), r.underKey(v.keyLine, v.keyColumn));
      }
    }
    return Node.map(entries, n);
  }

  private Node call(Node n, String path) {
    String name = n.functionName();
    Node arg = n.functionArgument();
    Node result =
        switch (name) {
          case "Ref" -> ref(arg, path);
          case "Fn::GetAtt" -> getAtt(arg, path);
          case "Fn::Sub" -> new Substitution(this, arg, path).apply();
          case "Fn::Join" -> join(arg, path);
          case "Fn::If" -> ifThen(arg, path);
          case "Fn::Select" -> select(arg, path);
          case "Fn::Split" -> split(arg, path);
          case "Fn::FindInMap" -> findInMap(arg, path);
          case "Fn::Base64" -> base64(arg, path);
          case "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or" ->
              fail(path, n, name + " can only be used in Conditions");
          default -> fail(path, n, name + " is not supported by Sluice");
        };
    return result.movedTo(n);
  }

  Node fail(String path, Node at, String message) {
    problems.error(path, at, message);
    return Node.INVALID;
  }

  private Node ref(Node arg, String path) {
    if (!arg.isScalar() || arg.type != Node.Type.STRING) {
      return arg.isInvalid() ? arg : fail(path, arg, "Ref needs a name");
    }
    return named(arg.text, arg, path);
  }

  /**
   * Resolves a value inside a condition, where resources cannot be referred to: CloudFormation
   * decides conditions before it creates anything.
   */
  Node resolveInCondition(Node n, String path) {
    conditionDepth++;
    try {
      return resolve(n, path);
    } finally {
      conditionDepth--;
    }
  }

  private Node inCondition(String resource, Node at, String path) {
    return fail(
        path,
        at,
        "a condition cannot refer to resource "
            + resource
            + ": conditions are decided before resources are created");
  }

  /** The value of a parameter, pseudo parameter or resource called {@code name}. */
  Node named(String name, Node at, String path) {
    String pseudo = pseudo(name);
    if (pseudo != null) {
      return Node.scalar(pseudo, Node.Type.STRING, at);
    }
    if (name.equals("AWS::NoValue")) {
      return Node.NO_VALUE;
    }
    if (parameters.containsKey(name)) {
      return parameters.get(name).movedTo(at);
    }
    if (resources.has(name) && conditionDepth > 0) {
      return inCondition(name, at, path);
    }
    if (resources.has(name)) {
      String resourceName = resources.name(name, this, at, path);
      return resourceName == null
          ? Node.INVALID
          : Node.scalar(resources.ref(name, resourceName, ctx), Node.Type.STRING, at);
    }
    return fail(path, at, "unknown reference " + name);
  }

  private String pseudo(String name) {
    return switch (name) {
      case "AWS::Region" -> ctx.region();
      case "AWS::AccountId" -> ctx.accountId();
      case "AWS::StackName" -> ctx.stackName();
      case "AWS::Partition" -> "aws";
      case "AWS::URLSuffix" -> "amazonaws.com";
      // one id per stack name, so a redeploy resolves it alike
      case "AWS::StackId" ->
          "arn:aws:cloudformation:"
              + ctx.region()
              + ":"
              + ctx.accountId()
              + ":stack/"
              + ctx.stackName()
              + "/"
              + java.util.UUID.nameUUIDFromBytes(
                  ctx.stackName().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      default -> null;
    };
  }

  private Node getAtt(Node arg, String path) {
    if (arg.isScalar() && arg.type == Node.Type.STRING && arg.text.contains(".")) {
      int dot = arg.text.indexOf('.');
      return attribute(arg.text.substring(0, dot), arg.text.substring(dot + 1), arg, path);
    }
    if (arg.isList() && arg.items.size() == 2) {
      Node id = arg.items.get(0);
      Node attr = resolve(arg.items.get(1), path);
      if (id.isScalar() && attr.isScalar()) {
        return attribute(id.text, attr.text, id, path);
      }
    }
    return arg.isInvalid() ? arg : fail(path, arg, "Fn::GetAtt needs Resource.Attribute");
  }

  /**
   * {@code id.attribute}: the Arn of a stream or function, or a stand-in for an attribute of a
   * resource Sluice does not deploy.
   */
  Node attribute(String id, String attribute, Node at, String path) {
    if (!resources.has(id)) {
      return fail(path, at, "unknown reference " + id);
    }
    if (conditionDepth > 0) {
      return inCondition(id, at, path);
    }
    if (!resources.usable(id, at, path, problems)) {
      return Node.INVALID;
    }
    List<String> known = resources.attributes(id);
    if (!known.contains(attribute)) {
      return fail(path, at, unknownAttribute(id, attribute, known));
    }
    String name = resources.name(id, this, at, path);
    if (name == null) {
      return Node.INVALID;
    }
    return Node.scalar(resources.attribute(id, attribute, name, ctx), Node.Type.STRING, at);
  }

  private String unknownAttribute(String id, String attribute, List<String> known) {
    Resources.Resource r = resources.get(id);
    if (r.supported()) {
      return "unknown attribute " + attribute + " of " + id + " (only Arn)";
    }
    String which = known.isEmpty() ? "none" : String.join(", ", known);
    return "Sluice does not deploy "
        + id
        + " ("
        + r.type()
        + ") and has no stand-in for its attribute "
        + attribute
        + " (it has: "
        + which
        + ")";
  }

  private Node join(Node arg, String path) {
    List<Node> args = arguments(arg, 2, "Fn::Join needs [delimiter, [values]]", path);
    if (args == null) {
      return Node.INVALID;
    }
    Node delimiter = args.get(0);
    Node values = args.get(1);
    if (!delimiter.isScalar() || !values.isList()) {
      return fail(path, arg, "Fn::Join needs [delimiter, [values]]");
    }
    List<String> parts = new ArrayList<>();
    for (Node v : values.items) {
      if (v.isInvalid()) {
        return Node.INVALID;
      }
      if (!v.isScalar()) {
        return fail(path, v, "Fn::Join values must be strings");
      }
      parts.add(v.text);
    }
    return Node.scalar(String.join(delimiter.text, parts), Node.Type.STRING, arg);
  }

  private Node ifThen(Node arg, String path) {
    if (!arg.isList() || arg.items.size() != 3 || !arg.items.get(0).isScalar()) {
      return fail(path, arg, "Fn::If needs [condition, value if true, value if false]");
    }
    Node name = arg.items.get(0);
    Boolean value = conditions.value(name.text, this, name, path);
    if (value == null) {
      return Node.INVALID;
    }
    // Only the chosen branch is resolved: the other often names a resource that isn't created.
    return resolve(arg.items.get(value ? 1 : 2), path);
  }

  private Node select(Node arg, String path) {
    List<Node> args = arguments(arg, 2, "Fn::Select needs [index, [values]]", path);
    if (args == null) {
      return Node.INVALID;
    }
    Node index = args.get(0);
    Node values = args.get(1);
    if (!index.isScalar() || !values.isList()) {
      return fail(path, arg, "Fn::Select needs [index, [values]]");
    }
    int i;
    try {
      i = Integer.parseInt(index.text.trim());
    } catch (NumberFormatException e) {
      return fail(path, index, "expected a number");
    }
    if (i < 0 || i >= values.items.size()) {
      return fail(
          path, index, "index " + i + " is out of range (" + values.items.size() + " items)");
    }
    return values.items.get(i);
  }

  private Node split(Node arg, String path) {
    List<Node> args = arguments(arg, 2, "Fn::Split needs [delimiter, string]", path);
    if (args == null) {
      return Node.INVALID;
    }
    Node delimiter = args.get(0);
    Node source = args.get(1);
    if (!delimiter.isScalar() || !source.isScalar() || delimiter.text.isEmpty()) {
      return fail(path, arg, "Fn::Split needs [delimiter, string]");
    }
    List<Node> items = new ArrayList<>();
    for (String part : source.text.split(java.util.regex.Pattern.quote(delimiter.text), -1)) {
      items.add(Node.scalar(part, Node.Type.STRING, arg));
    }
    return Node.list(items, arg);
  }

  /** The string's UTF-8 bytes in base64, as CloudFormation encodes them. */
  private Node base64(Node arg, String path) {
    Node value = resolve(arg, path);
    if (value.isInvalid()) {
      return value;
    }
    if (!value.isScalar()) {
      return fail(path, arg, "Fn::Base64 needs a string");
    }
    String encoded =
        java.util.Base64.getEncoder()
            .encodeToString(value.text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return Node.scalar(encoded, Node.Type.STRING, arg);
  }

  private Node findInMap(Node arg, String path) {
    String usage = "Fn::FindInMap needs [map name, top-level key, second-level key]";
    List<Node> args = arguments(arg, 3, usage, path);
    if (args == null) {
      return Node.INVALID;
    }
    for (Node key : args) {
      if (!key.isScalar()) {
        return fail(path, key, "Fn::FindInMap keys must be strings");
      }
    }
    Node value = mappings.find(args.get(0), args.get(1), args.get(2), path, problems);
    return value == null ? Node.INVALID : value;
  }

  /** The resolved items of a list of {@code count} arguments; null after an error. */
  private List<Node> arguments(Node arg, int count, String usage, String path) {
    if (!arg.isList() || arg.items.size() != count) {
      if (!arg.isInvalid()) {
        fail(path, arg, usage);
      }
      return null;
    }
    List<Node> out = new ArrayList<>();
    for (Node item : arg.items) {
      Node r = resolve(item, path);
      if (r.isInvalid()) {
        return null;
      }
      out.add(r);
    }
    return out;
  }
}
