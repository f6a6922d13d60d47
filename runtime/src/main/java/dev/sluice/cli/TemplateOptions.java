package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cli.client.SluiceClient;
import dev.sluice.template.Template;
import dev.sluice.template.TemplateContext;
import dev.sluice.template.TemplateException;
import dev.sluice.template.TemplateLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Stack;
import picocli.CommandLine.IParameterConsumer;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
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
      parameterConsumer = Pairs.class,
      description =
          "Template parameter values, as with 'sam deploy': Key=Value or"
              + " ParameterKey=Key,ParameterValue=Value, separated by spaces.")
  List<String> overrides = new ArrayList<>();

  /** Takes the option's first argument, then every next one that is a pair, as sam does. */
  static final class Pairs implements IParameterConsumer {
    @Override
    public void consumeParameters(Stack<String> args, ArgSpec option, CommandSpec command) {
      if (args.isEmpty()) {
        throw new ParameterException(
            command.commandLine(), "--parameter-overrides needs Key=Value pairs");
      }
      List<String> values = option.getValue();
      values.add(args.pop());
      while (!args.isEmpty() && !args.peek().startsWith("-") && args.peek().contains("=")) {
        values.add(args.pop());
      }
    }
  }

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
      Template t =
          TemplateLoader.load(
              file,
              new TemplateContext(
                  region, account, stack(file), ParameterOverrides.parse(overrides)));
      // Only a stack named on purpose is tracked and pruned: two projects whose templates sit in
      // directories of the same name would otherwise delete each other's resources.
      return stackName != null
          ? t
          : new Template(t.file(), t.baseDir(), t.streams(), t.functions(), t.warnings(), null);
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
