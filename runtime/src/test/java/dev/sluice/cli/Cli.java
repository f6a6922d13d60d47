package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Runs the real command tree in-process with standard streams captured. */
final class Cli {

  record Result(int exit, String out, String err) {}

  private Cli() {}

  static Result run(String stdin, String... args) {
    return run(new ByteArrayOutputStream(), stdin, args);
  }

  /**
   * Runs with standard output going to {@code out}, such as one that fails like a closed pipe;
   * {@link Result#out} is what {@code out} holds, or its {@code toString()}.
   */
  static Result run(OutputStream out, String stdin, String... args) {
    return run(out, stdin.getBytes(StandardCharsets.UTF_8), args);
  }

  /** Runs with {@code stdin} as standard input's bytes, such as binary data. */
  static synchronized Result run(OutputStream out, byte[] stdin, String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    InputStream oldIn = System.in;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(WatchedOutput.watch(out), true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      System.setIn(new ByteArrayInputStream(stdin));
      int exit = Main.commandLine().execute(args);
      String printed =
          out instanceof ByteArrayOutputStream b
              ? b.toString(StandardCharsets.UTF_8)
              : out.toString();
      return new Result(exit, printed, err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
      System.setIn(oldIn);
    }
  }

  /** Runs a subcommand against the server at {@code endpoint}. */
  static Result against(String endpoint, String stdin, String... args) {
    return against(endpoint, new ByteArrayOutputStream(), stdin, args);
  }

  /** Runs a subcommand against {@code endpoint} with standard output going to {@code out}. */
  static Result against(String endpoint, OutputStream out, String stdin, String... args) {
    return against(endpoint, stdin.getBytes(StandardCharsets.UTF_8), out, args);
  }

  /** Runs a subcommand against {@code endpoint} with {@code stdin} as standard input's bytes. */
  static Result against(String endpoint, byte[] stdin, OutputStream out, String... args) {
    String[] all = Arrays.copyOf(args, args.length + 2);
    all[args.length] = "--endpoint";
    all[args.length + 1] = endpoint;
    return run(out, stdin, all);
  }

  /**
   * Standard output that takes {@code bytes} bytes and then fails every write, as a pipe does once
   * its reader ({@code head -2}) has exited; {@link #toString} is what it took.
   */
  static OutputStream closingAfter(int bytes) {
    ByteArrayOutputStream taken = new ByteArrayOutputStream();
    return new OutputStream() {
      @Override
      public synchronized void write(byte[] b, int off, int len) throws IOException {
        if (taken.size() + len > bytes) {
          throw new IOException("Broken pipe");
        }
        taken.write(b, off, len);
      }

      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public String toString() {
        return taken.toString(StandardCharsets.UTF_8);
      }
    };
  }

  /** Standard output on a full disk: every write fails. */
  static OutputStream full() {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        throw new IOException("No space left on device");
      }
    };
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

  /** Creates a PROVISIONED stream through `sluice deploy` of a one-stream template. */
  static void createStream(String root, String name, int shards) throws IOException {
    Path t = Files.createTempFile("stream-", ".yaml");
    Files.writeString(
        t,
        """
        Resources:
          S:
            Type: AWS::Kinesis::Stream
            Properties:
              Name: %s
              ShardCount: %d
        """
            .formatted(name, shards));
    Result r = against(root, "", "deploy", t.toString());
    assertThat(r.exit()).as(r.err()).isZero();
  }
}
