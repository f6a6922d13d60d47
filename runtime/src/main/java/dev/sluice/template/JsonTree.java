package dev.sluice.template;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link Node} tree from a JSON template. JSON is read by Jackson rather than the YAML
 * parser because SnakeYAML (YAML 1.1) rejects tab indentation and some JSON escapes.
 */
final class JsonTree {

  private static final JsonFactory FACTORY = new JsonFactory();

  private final JsonParser parser;
  private final Problems problems;

  private JsonTree(JsonParser parser, Problems problems) {
    this.parser = parser;
    this.problems = problems;
  }

  /** Whether {@code text} looks like a JSON document rather than YAML. */
  static boolean looksLikeJson(String text) {
    return text.stripLeading().startsWith("{");
  }

  /** The document's root, or null (with an error reported) when it can't be read. */
  static Node parse(String text, Problems problems) {
    try (JsonParser p = FACTORY.createParser(text)) {
      p.nextToken();
      Node root = new JsonTree(p, problems).value("");
      if (p.nextToken() != null) {
        JsonLocation at = p.currentTokenLocation();
        problems.error(
            "", at.getLineNr(), at.getColumnNr(), "JSON syntax error: text after the end");
        return null;
      }
      return root;
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      int line = at == null ? 1 : Math.max(1, at.getLineNr());
      int column = at == null ? 1 : Math.max(1, at.getColumnNr());
      problems.error("", line, column, "JSON syntax error: " + e.getOriginalMessage());
      return null;
    } catch (IOException e) {
      problems.error("", 1, 1, "JSON syntax error: " + e.getMessage());
      return null;
    }
  }

  private Node value(String path) throws IOException {
    JsonLocation at = parser.currentTokenLocation();
    int line = at.getLineNr();
    int column = at.getColumnNr();
    JsonToken token = parser.currentToken();
    return switch (token) {
      case START_OBJECT -> Node.map(entries(path), line, column);
      case START_ARRAY -> Node.list(items(path), line, column);
      case VALUE_STRING -> Node.scalar(parser.getText(), Node.Type.STRING, line, column);
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT ->
          Node.scalar(parser.getText(), Node.Type.NUMBER, line, column);
      case VALUE_TRUE, VALUE_FALSE -> Node.scalar(parser.getText(), Node.Type.BOOL, line, column);
      default -> Node.scalar("", Node.Type.NULL, line, column);
    };
  }

  private Map<String, Node> entries(String path) throws IOException {
    Map<String, Node> entries = new LinkedHashMap<>();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      JsonLocation at = parser.currentTokenLocation();
      String key = parser.currentName();
      String childPath = path.isEmpty() ? key : path + "." + key;
      parser.nextToken();
      Node value = value(childPath).underKey(at.getLineNr(), at.getColumnNr());
      if (entries.containsKey(key)) {
        problems.error(childPath, at.getLineNr(), at.getColumnNr(), "duplicate key");
      } else {
        entries.put(key, value);
      }
    }
    return entries;
  }

  private List<Node> items(String path) throws IOException {
    List<Node> items = new ArrayList<>();
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      items.add(value(path + "[" + items.size() + "]"));
    }
    return items;
  }
}
