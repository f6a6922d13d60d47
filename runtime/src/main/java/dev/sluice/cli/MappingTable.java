package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Renders mapping status views as an aligned text table. */
final class MappingTable {

  private static final String[] HEADER = {
    "MAPPING",
    "FUNCTION",
    "SOURCE",
    "STATE",
    "RECORDS",
    "ITER AGE",
    "LAG",
    "ERRORS",
    "RETRIES",
    "LAST RESULT"
  };

  private MappingTable() {}

  static String render(List<JsonNode> statuses) {
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADER);
    for (JsonNode s : statuses) {
      rows.add(row(s));
    }
    int[] widths = new int[HEADER.length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        widths[i] = Math.max(widths[i], r[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        sb.append(i == r.length - 1 ? r[i] : pad(r[i], widths[i] + 2));
      }
      sb.append('\n');
    }
    if (statuses.isEmpty()) {
      sb.append("(no mappings)\n");
    }
    return sb.toString();
  }

  private static String[] row(JsonNode s) {
    return new String[] {
      s.path("UUID").asText().substring(0, Math.min(8, s.path("UUID").asText().length())),
      Mappings.shortName(s.path("FunctionArn").asText()),
      Mappings.source(s),
      s.path("State").asText(),
      String.format("%,d", s.path("RecordsProcessed").asLong()),
      age(s.path("IteratorAgeMillis").asLong(0)),
      lag(s),
      String.format("%,d", s.path("FunctionErrors").asLong()),
      String.format("%,d", s.path("Retries").asLong()),
      s.path("LastProcessingResult").asText()
    };
  }

  /**
   * A Kafka mapping's OffsetLag (records behind over its partitions, whichever node reads them);
   * "-" for a stream's mapping, whose iterator age tells how far behind it is.
   */
  static String lag(JsonNode s) {
    JsonNode lag = s.get("OffsetLag");
    return lag == null || !lag.canConvertToLong() ? "-" : String.format("%,d", lag.asLong());
  }

  static String age(long millis) {
    if (millis < 1000) {
      return millis + " ms";
    }
    if (millis < 120_000) {
      return String.format("%.1f s", millis / 1000.0);
    }
    return String.format("%d min", millis / 60_000);
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s : s + " ".repeat(width - s.length());
  }
}
