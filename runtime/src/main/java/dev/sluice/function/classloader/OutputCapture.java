package dev.sluice.function.classloader;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Lets what a handler prints to System.out and System.err land in its own invocation's log, as in
 * Lambda, although every function shares this JVM's standard streams: while a handler thread has a
 * sink registered, its writes go there; every other thread writes through unchanged.
 */
final class OutputCapture {

  private static final ThreadLocal<ByteArrayOutputStream> SINK = new ThreadLocal<>();
  private static boolean installed;

  private OutputCapture() {}

  /** Routes the standard streams through the capture; idempotent. */
  static synchronized void install() {
    if (!installed) {
      System.setOut(new PrintStream(new Router(System.out), true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(new Router(System.err), true, StandardCharsets.UTF_8));
      installed = true;
    }
  }

  /** Starts capturing the calling thread's output. */
  static void begin() {
    SINK.set(new ByteArrayOutputStream());
  }

  /** Stops capturing and returns what the calling thread printed since {@link #begin()}. */
  static String end() {
    ByteArrayOutputStream sink = SINK.get();
    SINK.remove();
    return sink == null ? "" : sink.toString(StandardCharsets.UTF_8);
  }

  private static final class Router extends OutputStream {
    private final PrintStream target;

    Router(PrintStream target) {
      this.target = target;
    }

    @Override
    public void write(int b) {
      ByteArrayOutputStream sink = SINK.get();
      if (sink != null) {
        sink.write(b);
      } else {
        target.write(b);
      }
    }

    @Override
    public void write(byte[] b, int off, int len) {
      ByteArrayOutputStream sink = SINK.get();
      if (sink != null) {
        sink.write(b, off, len);
      } else {
        target.write(b, off, len);
      }
    }

    @Override
    public void flush() {
      target.flush();
    }
  }
}
