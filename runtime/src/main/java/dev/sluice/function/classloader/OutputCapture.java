package dev.sluice.function.classloader;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets what a handler prints to System.out and System.err land in its own invocation's log, as in
 * Lambda, although every function shares this JVM's standard streams: while a handler thread has a
 * sink registered, its writes go there, and so do those of the threads its handler started while
 * the invocation runs; every other thread writes through unchanged.
 */
final class OutputCapture {

  private static final ThreadLocal<Sink> SINK = new ThreadLocal<>();

  /**
   * The sink of each instance group's running invocation: threads the handler started write to its
   * log too, as everything a Lambda sandbox prints does.
   */
  private static final Map<ThreadGroup, Sink> GROUPS = new ConcurrentHashMap<>();

  private static boolean installed;

  private OutputCapture() {}

  /**
   * One invocation's output, bounded: a handler printing in a loop must not fill the heap that
   * every function shares. It keeps the last {@link #MAX_BYTES} (where errors usually are) and says
   * how much came before. Its methods may be called from any thread: the function's logger and its
   * standard streams write to it, and a timeout reads what it holds so far.
   */
  static final class Sink {
    static final int MAX_BYTES = 1 << 20;

    private byte[] buf = new byte[8192];
    private int len;
    private long dropped;

    synchronized void write(byte[] b, int off, int n) {
      if (n >= MAX_BYTES) {
        dropped += len + n - MAX_BYTES;
        buf = java.util.Arrays.copyOfRange(b, off + n - MAX_BYTES, off + n);
        len = MAX_BYTES;
        return;
      }
      if (len + n > buf.length) {
        buf =
            java.util.Arrays.copyOf(
                buf, Math.max(len + n, Math.min(2 * buf.length, 3 * MAX_BYTES)));
      }
      System.arraycopy(b, off, buf, len, n);
      len += n;
      if (len > 2 * MAX_BYTES) { // amortised: a copy per MAX_BYTES written
        dropped += len - MAX_BYTES;
        System.arraycopy(buf, len - MAX_BYTES, buf, 0, MAX_BYTES);
        len = MAX_BYTES;
      }
    }

    /** Appends a logger's line, ending it with a newline. */
    void line(String line) {
      byte[] b = (line.endsWith("\n") ? line : line + "\n").getBytes(StandardCharsets.UTF_8);
      write(b, 0, b.length);
    }

    /** What it holds now (at most the last {@link #MAX_BYTES}, after a note of what went). */
    synchronized String text() {
      int from = Math.max(0, len - MAX_BYTES);
      long gone = dropped + from;
      String kept = new String(buf, from, len - from, StandardCharsets.UTF_8);
      return gone == 0 ? kept : "[" + gone + " bytes of earlier output dropped]\n" + kept;
    }
  }

  /** Routes the standard streams through the capture; idempotent. */
  static synchronized void install() {
    if (!installed) {
      System.setOut(new PrintStream(new Router(System.out), true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(new Router(System.err), true, StandardCharsets.UTF_8));
      installed = true;
    }
  }

  /**
   * Starts capturing the calling thread's output into {@code sink}, and that of the other threads
   * of its instance's group.
   */
  static void begin(Sink sink) {
    SINK.set(sink);
    ThreadGroup g = Thread.currentThread().getThreadGroup();
    if (g != null && g.getName().startsWith("sluice-fn-")) {
      GROUPS.put(g, sink);
    }
  }

  /** Stops capturing the calling thread's output, and its group's. */
  static void end() {
    Sink sink = SINK.get();
    SINK.remove();
    ThreadGroup g = Thread.currentThread().getThreadGroup();
    if (sink != null && g != null) {
      GROUPS.remove(g, sink);
    }
  }

  private static Sink sink() {
    Sink own = SINK.get();
    if (own != null || GROUPS.isEmpty()) {
      return own;
    }
    Thread t = Thread.currentThread();
    ThreadGroup g = t.getThreadGroup();
    return g == null || InstanceThreads.shared(t) ? null : GROUPS.get(g);
  }

  private static final class Router extends OutputStream {
    private final PrintStream target;

    Router(PrintStream target) {
      this.target = target;
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      Sink sink = sink();
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
