package dev.sluice.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;

/**
 * Standard output that remembers why a write failed: a PrintStream only says that one did ({@link
 * java.io.PrintStream#checkError}), and the CLI must tell a reader that went away ({@code | head}:
 * the end of the output) from a write that failed ({@code > /dev/full}: an error).
 */
final class WatchedOutput extends FilterOutputStream {

  private static volatile IOException failure;

  private WatchedOutput(OutputStream out) {
    super(out);
  }

  /** {@code out}, watched; forgets an earlier failure (a command starts). */
  static OutputStream watch(OutputStream out) {
    failure = null;
    return new WatchedOutput(out);
  }

  /** The last failed write's error since {@link #watch}, or null. */
  static IOException failure() {
    return failure;
  }

  /**
   * Whether {@code e} says the reader of a pipe has gone (EPIPE). Java words it with the C
   * library's text in the user's language, which keeps "broken pipe" in the common ones (German:
   * "Datenübergabe unterbrochen (broken pipe)").
   */
  static boolean readerGone(IOException e) {
    return e.getMessage() != null
        && e.getMessage().toLowerCase(Locale.ROOT).contains("broken pipe");
  }

  @Override
  public void write(int b) throws IOException {
    try {
      out.write(b);
    } catch (IOException e) {
      failure = e;
      throw e;
    }
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    try {
      out.write(b, off, len);
    } catch (IOException e) {
      failure = e;
      throw e;
    }
  }

  @Override
  public void flush() throws IOException {
    try {
      out.flush();
    } catch (IOException e) {
      failure = e;
      throw e;
    }
  }
}
