package dev.sluice.template;

import java.util.HashMap;
import java.util.Map;

/**
 * Fn::Sub: replaces {@code ${Name}} and {@code ${Resource.Attribute}} in a string; {@code ${!Text}}
 * stands for the literal {@code ${Text}}.
 */
final class Substitution {

  private static final String USAGE = "Fn::Sub needs a string or [string, {variables}]";

  private final Resolver resolver;
  private final Node arg;
  private final String path;
  private final Map<String, Node> variables = new HashMap<>();

  Substitution(Resolver resolver, Node arg, String path) {
    this.resolver = resolver;
    this.arg = arg;
    this.path = path;
  }

  Node apply() {
    Node template = arg;
    if (arg.isList() && arg.items.size() == 2 && arg.items.get(1).isMap()) {
      template = arg.items.get(0);
      if (!readVariables(arg.items.get(1))) {
        return Node.INVALID;
      }
    }
    if (template.isInvalid()) {
      return template;
    }
    if (!template.isScalar()) {
      return resolver.fail(path, arg, USAGE);
    }
    String text = substitute(template.text, template);
    return text == null ? Node.INVALID : Node.scalar(text, Node.Type.STRING, arg);
  }

  private boolean readVariables(Node map) {
    boolean ok = true;
    for (Map.Entry<String, Node> e : map.entries.entrySet()) {
      Node v = resolver.resolve(e.getValue(), path);
      if (v.isInvalid()) {
        ok = false;
      } else if (!v.isScalar()) {
        resolver.fail(path, e.getValue(), "Fn::Sub variable " + e.getKey() + " must be a string");
        ok = false;
      } else {
        variables.put(e.getKey(), v);
      }
    }
    return ok;
  }

  /** The substituted text; null after an error. */
  private String substitute(String text, Node at) {
    StringBuilder out = new StringBuilder();
    boolean ok = true;
    int i = 0;
    while (true) {
      int start = text.indexOf("${", i);
      if (start < 0) {
        out.append(text, i, text.length());
        break;
      }
      out.append(text, i, start);
      int end = text.indexOf('}', start);
      if (end < 0) {
        resolver.fail(path, at, "unclosed ${ in Fn::Sub");
        return null;
      }
      String name = text.substring(start + 2, end);
      if (name.startsWith("!")) {
        out.append("${").append(name, 1, name.length()).append('}');
      } else {
        String value = value(name.trim(), at);
        ok &= value != null;
        out.append(value);
      }
      i = end + 1;
    }
    return ok ? out.toString() : null;
  }

  private String value(String name, Node at) {
    Node v = variables.get(name);
    if (v == null) {
      int dot = name.indexOf('.');
      v =
          dot > 0 && !name.startsWith("AWS::")
              ? resolver.attribute(name.substring(0, dot), name.substring(dot + 1), at, path)
              : resolver.named(name, at, path);
    }
    if (v.isInvalid()) {
      return null;
    }
    if (!v.isScalar()) {
      resolver.fail(path, at, "${" + name + "} is not a string");
      return null;
    }
    return v.text;
  }
}
