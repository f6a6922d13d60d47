package dev.sluice.cli;

import dev.sluice.cli.client.ClientException;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code sluice} command. Only {@code serve} and {@code up} start a server; every other
 * subcommand is a client of a running one and fails clearly when none answers.
 */
@QuarkusMain
@Command(
    name = "sluice",
    mixinStandardHelpOptions = true,
    description = "Self-hosted serverless runtime for streams.",
    subcommands = {
      UpCommand.class,
      ServeCommand.class,
      DeployCommand.class,
      InvokeCommand.class,
      PutCommand.class,
      TailCommand.class,
      LogsCommand.class,
      MappingsCommand.class,
      RewindCommand.class
    })
public class Main implements Callable<Integer> {

  /** Parses the command line and runs the chosen subcommand. */
  public static void main(String... args) {
    int code = commandLine().execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  /**
   * The command tree, with errors from the server printed as one line rather than a trace. Exit
   * codes: 0 done, 1 the operation failed (the server refused it or did not answer, a function
   * error, a bad input line), 2 a usage error (picocli's own), so scripts can tell them apart.
   */
  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          if (e instanceof ClientException || e instanceof CliException) {
            cmd.getErr().println("sluice: " + e.getMessage());
            return e instanceof CliException c ? c.exitCode() : 1;
          }
          throw e;
        });
    return cl;
  }

  @Override
  public Integer call() {
    new CommandLine(this).usage(System.out);
    return 0;
  }
}
