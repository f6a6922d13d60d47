package dev.sluice.template;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Works out each parameter's value from the overrides and defaults, and checks its constraints. */
final class Parameters {

  static final List<String> TYPES =
      List.of("String", "Number", "CommaDelimitedList", "List<Number>");

  private static final Set<String> KEYS =
      Set.of(
          "Type",
          "Default",
          "AllowedValues",
          "AllowedPattern",
          "MinValue",
          "MaxValue",
          "MinLength",
          "MaxLength",
          "Description",
          "ConstraintDescription",
          "NoEcho");

  private Parameters() {}

  /**
   * The value of every parameter; a parameter whose value is wrong maps to {@link Node#INVALID}.
   */
  static Map<String, Node> resolve(
      Node section, Node root, TemplateContext ctx, Problems problems) {
    Map<String, Node> values = new LinkedHashMap<>();
    Map<String, Node> defs = Map.of();
    if (section != null && section.isMap()) {
      defs = section.entries;
    } else if (section != null && section.type != Node.Type.NULL) {
      problems.error("Parameters", section, "expected a mapping");
    }
    for (Map.Entry<String, Node> e : defs.entrySet()) {
      String override = ctx.parameterOverrides().get(e.getKey());
      values.put(e.getKey(), value(e.getKey(), e.getValue(), override, problems));
    }
    Node overridesAt = section != null ? section : root;
    for (String name : ctx.parameterOverrides().keySet()) {
      if (!defs.containsKey(name)) {
        problems.errorAtKey(
            "Parameters", overridesAt, "override " + name + " matches no parameter");
      }
    }
    return values;
  }

  private static Node value(String name, Node def, String override, Problems problems) {
    String path = "Parameters." + name;
    if (!def.isMap()) {
      problems.error(path, def, "expected a mapping");
      return Node.INVALID;
    }
    for (Map.Entry<String, Node> k : def.entries.entrySet()) {
      if (!KEYS.contains(k.getKey())) {
        problems.errorAtKey(path + "." + k.getKey(), k.getValue(), "unknown property");
      }
    }
    String type = type(def, path, problems);
    Node dflt = def.entries.get("Default");
    if (override == null && dflt == null) {
      problems.errorAtKey(path, def, "needs a value: it has no Default and no override");
      return Node.INVALID;
    }
    boolean fromParameterStore = type != null && type.startsWith("AWS::SSM::");
    if (fromParameterStore) {
      type = type.substring("AWS::SSM::".length());
    }
    if (override == null && fromParameterStore) {
      // CloudFormation reads the value from Parameter Store under the Default's name
      problems.errorAtKey(
          path,
          def,
          "is read from AWS Systems Manager Parameter Store, which Sluice has no access to: give"
              + " its value with --parameter-overrides");
      return Node.INVALID;
    }
    if (type == null) {
      return Node.INVALID;
    }
    ParameterValue v =
        override != null
            ? new ParameterValue(override, path, atKey(def), "override ")
            : ParameterValue.ofDefault(dflt, path + ".Default", problems);
    return v == null ? Node.INVALID : v.check(type, def, problems);
  }

  private static Node atKey(Node def) {
    return Node.scalar("", Node.Type.STRING, def.keyLine, def.keyColumn);
  }

  private static String type(Node def, String path, Problems problems) {
    Node type = def.entries.get("Type");
    if (type == null) {
      problems.errorAtKey(path + ".Type", def, "is required");
      return null;
    }
    if (type.isScalar() && awsSpecific(type.text) != null) {
      return awsSpecific(type.text);
    }
    if (!type.isScalar() || !TYPES.contains(type.text)) {
      String shown = type.isScalar() ? type.text : "this";
      problems.error(
          path + ".Type",
          type,
          shown + " is not one of " + String.join(", ", TYPES) + " or an AWS-specific type");
      return null;
    }
    return type.text;
  }

  /**
   * How an AWS-specific parameter type is checked here: AWS::EC2::... and the like as a String,
   * List&lt;AWS::...&gt; as a CommaDelimitedList (CloudFormation also checks that what they name
   * exists, which Sluice cannot), AWS::SSM::Parameter::Value&lt;...&gt; by its value type, given as
   * an override; null for any other type.
   */
  private static String awsSpecific(String type) {
    if (type.startsWith("AWS::SSM::Parameter::Value<")) {
      return type.contains("List<") || type.endsWith("CommaDelimitedList>")
          ? "AWS::SSM::CommaDelimitedList"
          : "AWS::SSM::String";
    }
    if (type.startsWith("AWS::SSM::Parameter::Name") || type.startsWith("AWS::")) {
      return "String";
    }
    if (type.startsWith("List<AWS::")) {
      return "CommaDelimitedList";
    }
    return null;
  }
}
