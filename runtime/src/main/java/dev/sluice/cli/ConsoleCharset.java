package dev.sluice.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import picocli.CommandLine;

/**
 * Sets up the CLI's standard streams: standard output is watched for failed writes ({@link
 * WatchedOutput}), and both print UTF-8 where Java would print ASCII: with no locale set (a
 * container, a CI runner: LANG unset, or C/POSIX) Java 17 writes every non-ASCII character of a
 * record, a log line or a function's answer as {@code ?}, which no later step can undo. A console
 * with any other charset is left as it is.
 */
final class ConsoleCharset {

  private ConsoleCharset() {}

  /**
   * Replaces System.out and System.err by UTF-8 streams when they would write ASCII, and has {@code
   * cl} (whose own writers picocli encodes with the default charset) write UTF-8 to them.
   */
  static void install(CommandLine cl) {
    Charset out = isAscii(charsetOf("stdout")) ? StandardCharsets.UTF_8 : charsetOf("stdout");
    // watched whatever the charset: a failed write must fail the command (see Main)
    System.setOut(stream(WatchedOutput.watch(new FileOutputStream(FileDescriptor.out)), out));
    cl.setOut(new PrintWriter(new OutputStreamWriter(System.out, out), true));
    if (isAscii(charsetOf("stderr"))) {
      System.setErr(stream(new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8));
      cl.setErr(new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
    }
  }

  /**
   * The charset Java chose for a standard stream: {@code stdout.encoding} (Java 18 on), else {@code
   * sun.stdout.encoding} (set on a console), else the default charset.
   */
  static Charset charsetOf(String stream) {
    String name = System.getProperty(stream + ".encoding");
    if (name == null) {
      name = System.getProperty("sun." + stream + ".encoding");
    }
    try {
      return name == null ? Charset.defaultCharset() : Charset.forName(name);
    } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
      return Charset.defaultCharset();
    }
  }

  static boolean isAscii(Charset charset) {
    return charset.equals(StandardCharsets.US_ASCII);
  }

  private static PrintStream stream(OutputStream out, Charset charset) {
    // as the JDK's own: flushed at every line, so that tail and logs show lines as they come
    return new PrintStream(new BufferedOutputStream(out, 8192), true, charset);
  }
}
