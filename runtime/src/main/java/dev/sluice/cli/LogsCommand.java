package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cli.client.SluiceClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Prints a function's log lines (START, the handler's output, END, REPORT). */
@Command(name = "logs", mixinStandardHelpOptions = true, description = "Print a function's logs.")
final class LogsCommand implements Callable<Integer> {

  @Mixin EndpointOption endpoint;

  @Parameters(index = "0", description = "The function name.")
  String function;

  @Option(
      names = "--lines",
      paramLabel = "N",
      converter = Numbers.Count.class,
      description = "Lines to show first, at most 100,000 (default: 50).")
  long lines = 50;

  @Option(
      names = {"-f", "--follow"},
      description = "Keep printing new lines until Ctrl-C.")
  boolean follow;

  /** The most lines the server returns at once. */
  static final int MAX_LINES = 100_000;

  @Override
  public Integer call() throws InterruptedException {
    LogFollower follower = new LogFollower(endpoint.client(), function);
    follower.newLines((int) Math.min(lines, MAX_LINES)).forEach(System.out::println);
    // A PrintStream swallows the IOException of a closed pipe ('logs -f fn | head'); without this
    // check --follow would poll for ever with nobody reading its output.
    while (follow && !System.out.checkError()) {
      Thread.sleep(500);
      follower.newLines(10_000).forEach(System.out::println);
    }
    return 0;
  }

  /**
   * Follows a function's log by position: the first read takes the last N lines, each later read
   * only what was written since ({@code after=NextToken}), so nothing repeats or goes missing when
   * the log files rotate.
   */
  static final class LogFollower {
    private final SluiceClient client;
    private final String function;
    private String next;

    LogFollower(SluiceClient client, String function) {
      this.client = client;
      this.function = function;
    }

    List<String> newLines(int max) {
      Map<String, String> q = new LinkedHashMap<>();
      q.put("lines", Integer.toString(max));
      q.put("after", next);
      String path =
          SluiceClient.query("/sluice/v1/functions/" + SluiceClient.encode(function) + "/logs", q);
      JsonNode r = client.rest("GET", path, null);
      List<String> lines = new ArrayList<>();
      r.path("Lines").forEach(l -> lines.add(l.asText()));
      next = r.path("NextToken").asText(next);
      return lines;
    }
  }
}
