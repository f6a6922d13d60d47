package dev.sluice.cli;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code sluice} command. Options are read before Quarkus starts, because the HTTP port, bind
 * address and data directory are fixed when the server starts.
 */
@QuarkusMain
@Command(
    name = "sluice",
    mixinStandardHelpOptions = true,
    description = "Self-hosted serverless runtime for streams.",
    subcommands = {Main.Serve.class})
public class Main implements Callable<Integer> {

  /** Parses the command line and runs the chosen subcommand. */
  public static void main(String... args) {
    int code = new CommandLine(new Main()).execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() {
    new CommandLine(this).usage(System.out);
    return 0;
  }

  /** Starts the server alone and runs until Ctrl-C or SIGTERM. */
  @Command(name = "serve", mixinStandardHelpOptions = true, description = "Start the server.")
  static class Serve implements Callable<Integer> {

    @Option(names = "--port", description = "HTTP port (default: ${DEFAULT-VALUE}).")
    int port = 4566;

    @Option(names = "--data-dir", description = "Data directory (default: ${DEFAULT-VALUE}).")
    String dataDir = ".sluice";

    @Option(
        names = "--bind",
        description = "Address to listen on (default: ${DEFAULT-VALUE}, loopback only).")
    String bind = "127.0.0.1";

    @Override
    public Integer call() {
      System.setProperty("quarkus.http.port", Integer.toString(port));
      System.setProperty("quarkus.http.host", bind);
      System.setProperty("sluice.data-dir", dataDir);
      Quarkus.run();
      return 0;
    }
  }
}
