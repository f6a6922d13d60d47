package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cli.client.SluiceClient;
import dev.sluice.template.Template;
import dev.sluice.template.TemplateContext;
import dev.sluice.template.TemplateException;
import dev.sluice.template.TemplateLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The template file and its parameter overrides, shared by {@code up} and {@code deploy}. */
final class TemplateOptions {

  static final String DEFAULT_REGION = "us-east-1";
  static final String DEFAULT_ACCOUNT = "000000000000";

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "TEMPLATE",
      description = "The SAM template (default: ${DEFAULT-VALUE}).")
  String template = "template.yaml";

  @Option(
      names = "--parameter-overrides",
      paramLabel = "KEY=VALUE",
      split = ",",
      description = "Template parameter values, as with 'sam deploy'.")
  Map<String, String> overrides = new LinkedHashMap<>();

  @Option(
      names = "--stack-name",
      paramLabel = "NAME",
      description = "Value of AWS::StackName (default: the template's directory name).")
  String stackName;

  /** The template resolved for the server's region and account. */
  Template load(SluiceClient client) {
    JsonNode node = client.rest("GET", "/sluice/v1/node", null);
    return load(node.path("Region").asText(), node.path("AccountId").asText());
  }

  /** The template resolved for a region and account; errors end the command. */
  Template load(String region, String account) {
    Path file = Path.of(template);
    if (!Files.isRegularFile(file)) {
      throw new CliException("no template " + file.toAbsolutePath());
    }
    try {
      return TemplateLoader.load(
          file, new TemplateContext(region, account, stack(file), overrides));
    } catch (TemplateException e) {
      throw new CliException(
          "the template is invalid; nothing was deployed:\n" + e.getMessage(), 1);
    }
  }

  private String stack(Path file) {
    if (stackName != null) {
      return stackName;
    }
    Path dir = file.toAbsolutePath().normalize().getParent();
    return dir == null || dir.getFileName() == null ? "sluice" : dir.getFileName().toString();
  }
}
