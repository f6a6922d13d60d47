package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cli.client.SluiceClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** A status table of every event-source mapping. */
@Command(
    name = "mappings",
    mixinStandardHelpOptions = true,
    description = "Show every event-source mapping with its progress.")
final class MappingsCommand implements Callable<Integer> {

  @Mixin EndpointOption endpoint;

  @Option(names = "--function", paramLabel = "NAME", description = "Only this function's.")
  String function;

  @Override
  public Integer call() {
    SluiceClient client = endpoint.client();
    List<JsonNode> statuses = new ArrayList<>();
    for (JsonNode m : Mappings.list(client, function)) {
      statuses.add(Mappings.status(client, m.path("UUID").asText()));
    }
    System.out.print(MappingTable.render(statuses));
    return 0;
  }
}
