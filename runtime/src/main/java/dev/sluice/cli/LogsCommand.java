package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cli.client.SluiceClient;
import java.util.ArrayList;
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

  @Option(names = "--lines", paramLabel = "N", description = "Lines to show (default: 50).")
  int lines = 50;

  @Option(
      names = {"-f", "--follow"},
      description = "Keep printing new lines until Ctrl-C.")
  boolean follow;

  @Override
  public Integer call() throws InterruptedException {
    LogFollower follower = new LogFollower(endpoint.client(), function);
    follower.newLines(lines).forEach(System.out::println);
    while (follow) {
      Thread.sleep(500);
      follower.newLines(10_000).forEach(System.out::println);
      System.out.flush();
    }
    return 0;
  }

  /**
   * Turns repeated "last N lines" answers into a stream of new lines, by finding where the lines
   * already shown end in each new answer.
   */
  static final class LogFollower {
    private final SluiceClient client;
    private final String function;
    private List<String> shown = List.of();

    LogFollower(SluiceClient client, String function) {
      this.client = client;
      this.function = function;
    }

    List<String> newLines(int max) {
      String path =
          SluiceClient.query(
              "/sluice/v1/functions/" + SluiceClient.encode(function) + "/logs",
              Map.of("lines", Integer.toString(max)));
      JsonNode r = client.rest("GET", path, null);
      List<String> all = new ArrayList<>();
      r.path("Lines").forEach(l -> all.add(l.asText()));
      List<String> fresh = all.subList(overlap(all), all.size());
      if (!all.isEmpty()) {
        shown = new ArrayList<>(all.subList(Math.max(0, all.size() - 20), all.size()));
      }
      return new ArrayList<>(fresh);
    }

    /** How many leading lines of {@code all} were shown before. */
    private int overlap(List<String> all) {
      if (shown.isEmpty()) {
        return 0;
      }
      for (int end = all.size(); end > 0; end--) {
        if (endsWith(all.subList(0, end), shown)) {
          return end;
        }
      }
      return 0;
    }

    private static boolean endsWith(List<String> list, List<String> tail) {
      int n = Math.min(list.size(), tail.size());
      return list.subList(list.size() - n, list.size())
          .equals(tail.subList(tail.size() - n, tail.size()));
    }
  }
}
