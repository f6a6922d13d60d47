package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cli.client.SluiceClient;
import java.io.IOException;

/** Reads fields out of JSON lines given on the command line or standard input. */
final class JsonLines {

  private JsonLines() {}

  /** The text of a top-level field, or an error naming the line when it is missing. */
  static String field(String line, String field) {
    JsonNode node;
    try {
      node = SluiceClient.JSON.readTree(line);
    } catch (IOException e) {
      throw new CliException(
          "not a JSON line, cannot read --key-field " + field + ": " + cut(line));
    }
    JsonNode value = node == null ? null : node.get(field);
    if (value == null || value.isNull() || value.isContainerNode() || value.asText().isEmpty()) {
      throw new CliException("no field '" + field + "' in line: " + cut(line));
    }
    return value.asText();
  }

  private static String cut(String line) {
    return line.length() > 120 ? line.substring(0, 120) + "..." : line;
  }
}
