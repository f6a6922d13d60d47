package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cli.client.ClientException;
import dev.sluice.cli.client.SluiceClient;
import java.io.PrintStream;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code sluice up} shows while it runs: the template's mappings with their progress, and the
 * functions' newest log lines below. On a terminal the screen is redrawn in place; otherwise log
 * lines are printed as they come and a status line per mapping every ten seconds, so the output
 * reads well in a file.
 */
final class LiveView {

  private static final int LOG_LINES = 15;
  private final SluiceClient client;
  private final List<String> functions;
  private final PrintStream out;
  private final boolean terminal;
  private final String title;
  private final Map<String, LogsCommand.LogFollower> logs = new LinkedHashMap<>();
  private final Deque<String> recent = new ArrayDeque<>();
  private final Deque<String> events = new ArrayDeque<>();
  private long lastStatus;

  LiveView(
      SluiceClient client,
      List<String> functions,
      PrintStream out,
      boolean terminal,
      String title) {
    this.client = client;
    this.functions = functions;
    this.out = out;
    this.terminal = terminal;
    this.title = title;
    functions.forEach(f -> logs.put(f, new LogsCommand.LogFollower(client, f)));
  }

  /** A notice shown above the logs, such as a redeploy. */
  void event(String message) {
    String line = LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + "  " + message;
    events.addLast(line);
    while (events.size() > 5) {
      events.removeFirst();
    }
    if (!terminal) {
      out.println(line);
    }
  }

  /** Reads the server once and redraws (or prints what is new). */
  void refresh() {
    List<String> fresh = new ArrayList<>();
    for (Map.Entry<String, LogsCommand.LogFollower> e : logs.entrySet()) {
      try {
        e.getValue().newLines(500).forEach(l -> fresh.add("[" + e.getKey() + "] " + l));
      } catch (ClientException ex) {
        if (!ex.notFound()) {
          throw ex;
        }
      }
    }
    if (terminal) {
      fresh.forEach(this::remember);
      draw(statuses());
    } else {
      fresh.forEach(out::println);
      printStatusEvery(10_000);
    }
    out.flush();
  }

  private void remember(String line) {
    recent.addLast(line);
    while (recent.size() > LOG_LINES) {
      recent.removeFirst();
    }
  }

  private void draw(List<JsonNode> statuses) {
    StringBuilder sb = new StringBuilder("\033[H\033[2J");
    sb.append(title).append("   (Ctrl-C to stop)\n\n");
    sb.append(MappingTable.render(statuses)).append('\n');
    events.forEach(e -> sb.append(e).append('\n'));
    sb.append("── logs ──\n");
    recent.forEach(l -> sb.append(l).append('\n'));
    out.print(sb);
  }

  private void printStatusEvery(long millis) {
    long now = System.currentTimeMillis();
    if (now - lastStatus < millis) {
      return;
    }
    lastStatus = now;
    for (JsonNode s : statuses()) {
      out.printf(
          "%s  mapping %s ← %s: %s, %,d records, iterator age %s, %,d errors, %s%n",
          LocalTime.now().truncatedTo(ChronoUnit.SECONDS),
          Mappings.shortName(s.path("FunctionArn").asText()),
          Mappings.source(s),
          s.path("State").asText(),
          s.path("RecordsProcessed").asLong(),
          MappingTable.age(s.path("IteratorAgeMillis").asLong()),
          s.path("FunctionErrors").asLong(),
          s.path("LastProcessingResult").asText());
    }
  }

  private List<JsonNode> statuses() {
    List<JsonNode> out = new ArrayList<>();
    for (String f : functions) {
      out.addAll(Mappings.statuses(client, f));
    }
    return out;
  }
}
