package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.cli.client.SluiceClient;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Moves a mapping's checkpoints, so that its function sees records again (or skips them). */
@Command(
    name = "rewind",
    mixinStandardHelpOptions = true,
    description = {
      "Move a mapping's checkpoints in place.",
      "TIMESTAMP is ISO-8601 (2026-11-25T10:00:00Z) or epoch seconds; SEQUENCE a sequence number."
    })
final class RewindCommand implements Callable<Integer> {

  @Mixin EndpointOption endpoint;

  @Parameters(index = "0", description = "The mapping's UUID, or a unique prefix of it.")
  String mapping;

  @Option(
      names = "--to",
      required = true,
      paramLabel = "trim-horizon|latest|TIMESTAMP|SEQUENCE",
      description = "Where to restart.")
  String to;

  @Override
  public Integer call() {
    ObjectNode body = body(to); // a bad --to is told before any server is asked
    SluiceClient client = endpoint.client();
    String uuid = Mappings.resolve(client, mapping);
    JsonNode r =
        client.rest(
            "POST",
            "/sluice/v1/event-source-mappings/" + SluiceClient.encode(uuid) + "/rewind",
            body);
    System.out.println("rewound " + uuid + " to " + to + "; state " + r.path("State").asText());
    return 0;
  }

  static ObjectNode body(String to) {
    ObjectNode b = SluiceClient.object();
    String upper = to.replace('-', '_').toUpperCase(Locale.ROOT);
    if (upper.equals("TRIM_HORIZON") || upper.equals("LATEST")) {
      return b.put("To", upper);
    }
    if (to.matches("\\d{40,}")) {
      return b.put("SequenceNumber", to);
    }
    if (to.matches("\\d+(\\.\\d+)?")) {
      double seconds = Double.parseDouble(to);
      if (seconds >= 100_000_000_000.0) {
        throw new CliException(
            "--to " + to + " looks like epoch milliseconds; give epoch seconds or an ISO-8601 time",
            2);
      }
      return b.put("To", "AT_TIMESTAMP").put("Timestamp", seconds);
    }
    try {
      return b.put("To", "AT_TIMESTAMP")
          .put("Timestamp", Instant.parse(to).toEpochMilli() / 1000.0);
    } catch (DateTimeParseException e) {
      throw new CliException(
          "--to must be trim-horizon, latest, an ISO-8601 time, epoch seconds or a sequence"
              + " number, not '"
              + to
              + "'",
          2);
    }
  }
}
