package dev.sluice.cli;

import dev.sluice.cli.client.SluiceClient;
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
    System.out.print(MappingTable.render(Mappings.statuses(client, function)));
    return 0;
  }
}
