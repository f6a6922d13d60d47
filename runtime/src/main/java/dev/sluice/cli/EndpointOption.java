package dev.sluice.cli;

import dev.sluice.cli.client.SluiceClient;
import java.net.URI;
import picocli.CommandLine.Option;

/** The {@code --endpoint} option shared by every subcommand that talks to a running server. */
final class EndpointOption {

  @Option(
      names = "--endpoint",
      paramLabel = "URL",
      description = "The Sluice server (default: $SLUICE_ENDPOINT or ${DEFAULT-VALUE}).",
      defaultValue = "${env:SLUICE_ENDPOINT:-http://127.0.0.1:4566}")
  String endpoint;

  SluiceClient client() {
    return new SluiceClient(URI.create(endpoint.endsWith("/") ? endpoint : endpoint + "/"));
  }
}
