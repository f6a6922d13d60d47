package dev.sluice.cli;

import dev.sluice.cli.client.ServerUnavailableException;
import dev.sluice.cli.client.SluiceClient;
import dev.sluice.cli.deploy.Builder;
import dev.sluice.cli.deploy.Change;
import dev.sluice.cli.deploy.DeployException;
import dev.sluice.cli.deploy.Deployer;
import dev.sluice.template.Template;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Deploys a template to a running server: creates what is missing, updates what differs. */
@Command(
    name = "deploy",
    mixinStandardHelpOptions = true,
    description = {
      "Deploy a SAM template to a running server.",
      "Builds Maven modules the template names when their sources changed, then creates or"
          + " updates streams, functions and mappings; a second run changes only what differs."
    })
final class DeployCommand implements Callable<Integer> {

  @Mixin EndpointOption endpoint;
  @Mixin TemplateOptions template;

  @Override
  public Integer call() {
    SluiceClient client = endpoint.client();
    if (!client.ready()) {
      throw new ServerUnavailableException(client.endpoint().toString(), null);
    }
    deploy(client, template.load(client), System.out);
    return 0;
  }

  /** Builds and applies {@code t}, printing each change and a summary. */
  static List<Change> deploy(SluiceClient client, Template t, PrintStream out) {
    t.warnings().forEach(w -> out.println("warning: " + w));
    Deployer deployer = new Deployer(client, new Builder(out::println), c -> out.println(c));
    try {
      Map<String, Path> artifacts = deployer.build(t);
      List<Change> changes = deployer.apply(t, artifacts);
      long changed = changes.stream().filter(Change::changed).count();
      out.println(
          changed == 0
              ? "deployed " + t.file() + ": no changes"
              : "deployed " + t.file() + ": " + changed + " change" + (changed == 1 ? "" : "s"));
      return changes;
    } catch (DeployException e) {
      throw new CliException(e.getMessage());
    }
  }
}
