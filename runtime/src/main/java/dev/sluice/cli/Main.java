package dev.sluice.cli;

import dev.sluice.cli.client.ClientException;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
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
    CommandLine cl = commandLine();
    ConsoleCharset.install(cl);
    int code = cl.execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  /**
   * The command tree, with errors from the server printed as one line rather than a trace. Exit
   * codes: 0 done, 1 the operation failed (the server refused it or did not answer, a function
   * error, a bad input line, output that could not be written), 2 a usage error (picocli's own), so
   * scripts can tell them apart.
   */
  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionStrategy(
        parsed -> {
          int code = new CommandLine.RunLast().execute(parsed);
          return code == 0 ? outputWritten(parsed.commandSpec().commandLine()) : code;
        });
    cl.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          if (e instanceof ClientException || e instanceof CliException) {
            cmd.getErr().println("sluice: " + e.getMessage());
            return e instanceof CliException c ? c.exitCode() : 1;
          }
          IOException io = ioFailure(e);
          if (io != null) {
            cmd.getErr().println("sluice: " + describe(io));
            return 1;
          }
          throw e;
        });
    return cl;
  }

  /**
   * 0, or 1 when standard output failed a write (a full disk: what the command printed is not all
   * there). A reader that went away ({@code | head}) is the end of the output, not an error.
   */
  static int outputWritten(CommandLine cl) {
    if (!System.out.checkError()) {
      return 0;
    }
    IOException e = WatchedOutput.failure();
    if (e != null && WatchedOutput.readerGone(e)) {
      return 0;
    }
    cl.getErr()
        .println("sluice: cannot write the output: " + (e == null ? "I/O error" : e.getMessage()));
    return 1;
  }

  /** The file error behind {@code e}, or null: a local file the command needed failed it. */
  static IOException ioFailure(Exception e) {
    if (e instanceof UncheckedIOException u) {
      return u.getCause();
    }
    return e instanceof IOException io ? io : null;
  }

  /** One line for a file error, without the exception's class name where Java has a plain one. */
  static String describe(IOException e) {
    String file = e instanceof FileSystemException f ? f.getFile() : null;
    if (e instanceof NoSuchFileException) {
      return "no such file or directory: " + file;
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied: " + file;
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return "I/O error: " + message;
  }

  @Override
  public Integer call() {
    new CommandLine(this).usage(System.out);
    return 0;
  }
}
