package dev.sluice.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Runs the real command tree in-process with standard streams captured. */
final class Cli {

  record Result(int exit, String out, String err) {}

  private Cli() {}

  static synchronized Result run(String stdin, String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    InputStream oldIn = System.in;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
      int exit = Main.commandLine().execute(args);
      return new Result(
          exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
      System.setIn(oldIn);
    }
  }

  /** Runs a subcommand against the server at {@code endpoint}. */
  static Result against(String endpoint, String stdin, String... args) {
    String[] all = Arrays.copyOf(args, args.length + 2);
    all[args.length] = "--endpoint";
    all[args.length + 1] = endpoint;
    return run(stdin, all);
  }

  /** A template with one function running hello-kinesis's EchoHandler from {@code code}. */
  static Path echoTemplate(String functionName, Path code) throws java.io.IOException {
    Path t = Files.createTempDirectory("tpl-").resolve("template.yaml");
    Files.writeString(
        t,
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Echo:
            Type: AWS::Serverless::Function
            Properties:
              FunctionName: %s
              CodeUri: %s
              Runtime: java17
              Handler: dev.sluice.examples.hello.EchoHandler::handleRequest
        """
            .formatted(functionName, code));
    return t;
  }
}
