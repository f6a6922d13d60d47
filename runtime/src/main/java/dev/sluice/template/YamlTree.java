package dev.sluice.template;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Builds a {@link Node} tree from YAML with SnakeYAML's composer, which keeps each value's tag and
 * start position; CloudFormation's short tags become their long forms.
 */
final class YamlTree {

  /** Aliases can make a tree very deep (or endless); no template needs this much nesting. */
  private static final int MAX_DEPTH = 100;

  /**
   * Aliases to aliases expand exponentially (a few lines can stand for billions of values, which
   * SnakeYAML's alias count does not catch); a 1 MB template written out holds far fewer.
   */
  private static final int MAX_VALUES = 1_000_000;

  private static final Set<String> FUNCTION_TAGS =
      Set.of(
          "GetAtt",
          "Sub",
          "Join",
          "If",
          "Select",
          "Split",
          "Equals",
          "Not",
          "And",
          "Or",
          "FindInMap",
          "Base64",
          "GetAZs",
          "ImportValue",
          "Cidr",
          "Length",
          "ToJsonString");

  private final Problems problems;
  private int values;

  private YamlTree(Problems problems) {
    this.problems = problems;
  }

  /** The document's root, or null (with an error reported) when it can't be read. */
  static Node parse(String text, Problems problems) {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(100);
    org.yaml.snakeyaml.nodes.Node root;
    try {
      root = new Yaml(options).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
      problems.error(
          "", mark.getLine() + 1, mark.getColumn() + 1, "YAML syntax error: " + problem.trim());
      return null;
    } catch (YAMLException e) {
      problems.error("", 1, 1, "YAML syntax error: " + e.getMessage());
      return null;
    }
    if (root == null) {
      problems.error("", 1, 1, "the template is empty");
      return null;
    }
    YamlTree tree = new YamlTree(problems);
    Node converted = tree.convert(root, "", 0);
    // cut short, the tree lacks whatever came later: errors about that would only mislead
    return tree.values > MAX_VALUES ? null : converted;
  }

  private Node convert(org.yaml.snakeyaml.nodes.Node n, String path, int depth) {
    Mark m = n.getStartMark();
    int line = m.getLine() + 1;
    int column = m.getColumn() + 1;
    if (depth > MAX_DEPTH) {
      problems.error(path, line, column, "nested too deeply");
      return Node.INVALID;
    }
    if (++values > MAX_VALUES) {
      if (values == MAX_VALUES + 1) {
        problems.error(
            path,
            line,
            column,
            String.format(
                "the template expands to more than %,d values through its aliases", MAX_VALUES));
      }
      return Node.INVALID;
    }
    Node plain = plain(n, path, depth, line, column);
    String tag = n.getTag().getValue();
    if (!tag.startsWith("!")) {
      return plain;
    }
    String name = tag.substring(1);
    if (name.equals("Ref") || name.equals("Condition")) {
      return Node.function(name, plain, plain);
    }
    if (FUNCTION_TAGS.contains(name)) {
      return Node.function("Fn::" + name, plain, plain);
    }
    problems.error(path, line, column, "unknown tag " + tag);
    return Node.INVALID;
  }

  private Node plain(
      org.yaml.snakeyaml.nodes.Node n, String path, int depth, int line, int column) {
    if (n instanceof MappingNode map) {
      return Node.map(entries(map, path, depth), line, column);
    }
    if (n instanceof SequenceNode seq) {
      List<Node> items = new ArrayList<>();
      for (org.yaml.snakeyaml.nodes.Node item : seq.getValue()) {
        items.add(convert(item, path + "[" + items.size() + "]", depth + 1));
      }
      return Node.list(items, line, column);
    }
    ScalarNode s = (ScalarNode) n;
    return scalar(s, line, column);
  }

  /**
   * The entries of {@code map}, with YAML merge keys ({@code <<: *anchor} or a list of them)
   * flattened as SAM's YAML reader does: the mapping's own keys win, then earlier merged mappings
   * over later ones. Merged values keep the positions where they were written.
   */
  private Map<String, Node> entries(MappingNode map, String path, int depth) {
    Map<String, Node> own = new LinkedHashMap<>();
    List<Map<String, Node>> merged = new ArrayList<>();
    for (NodeTuple t : map.getValue()) {
      Mark km = t.getKeyNode().getStartMark();
      int keyLine = km.getLine() + 1;
      int keyColumn = km.getColumn() + 1;
      if (!(t.getKeyNode() instanceof ScalarNode key)) {
        problems.error(path, keyLine, keyColumn, "keys must be strings");
        continue;
      }
      String childPath = path.isEmpty() ? key.getValue() : path + "." + key.getValue();
      if (key.getTag().equals(Tag.MERGE)) {
        merged.addAll(mergeSources(t.getValueNode(), childPath, depth + 1));
        continue;
      }
      if (own.containsKey(key.getValue())) {
        problems.error(childPath, keyLine, keyColumn, "duplicate key");
        continue;
      }
      Node value = convert(t.getValueNode(), childPath, depth + 1);
      own.put(key.getValue(), value.underKey(keyLine, keyColumn));
    }
    if (merged.isEmpty()) {
      return own;
    }
    Map<String, Node> entries = new LinkedHashMap<>();
    merged.forEach(m -> m.forEach(entries::putIfAbsent));
    entries.putAll(own);
    return entries;
  }

  /** The mappings a merge key's value names: one mapping or a list of them. */
  private List<Map<String, Node>> mergeSources(
      org.yaml.snakeyaml.nodes.Node value, String path, int depth) {
    List<org.yaml.snakeyaml.nodes.Node> sources =
        value instanceof SequenceNode seq ? seq.getValue() : List.of(value);
    List<Map<String, Node>> out = new ArrayList<>();
    for (org.yaml.snakeyaml.nodes.Node source : sources) {
      Node n = convert(source, path, depth);
      if (n.isMap() && n.functionName() == null) {
        out.add(n.entries);
      } else if (!n.isInvalid()) {
        problems.error(path, n, "a merge key (<<) takes a mapping or a list of mappings");
      }
    }
    return out;
  }

  private static Node scalar(ScalarNode s, int line, int column) {
    Tag tag = s.getTag();
    String text = s.getValue();
    if (tag.equals(Tag.INT) || tag.equals(Tag.FLOAT)) {
      return Node.scalar(text.replace("_", ""), Node.Type.NUMBER, line, column);
    }
    if (tag.equals(Tag.BOOL)) {
      String lower = text.toLowerCase();
      boolean value = lower.equals("true") || lower.equals("yes") || lower.equals("on");
      return Node.scalar(Boolean.toString(value), Node.Type.BOOL, line, column);
    }
    if (tag.equals(Tag.NULL)) {
      return Node.scalar("", Node.Type.NULL, line, column);
    }
    return Node.scalar(text, Node.Type.STRING, line, column);
  }
}
