package dev.sluice.function.classloader.trap;

import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Where a handler's {@code System.exit}, {@code Runtime.exit} and {@code Runtime.halt} calls go
 * once {@code ExitCalls} has rewritten them. Each instance's loader defines this class for itself,
 * so the status it records belongs to that instance alone. In Lambda an exit ends the runtime
 * process, the invocation fails with {@code Runtime.ExitError} and the next one gets a fresh
 * sandbox; here the call records its status and unwinds the calling thread with {@link Exit}, and
 * the runner fails the invocation and discards the instance even if the handler catches the error.
 *
 * <p>Shutdown hooks ({@code Runtime.addShutdownHook}, which logging libraries such as log4j2 call)
 * are kept here too, and run when the instance closes, as a runtime's would when its sandbox shuts
 * down: given to the node's JVM, each one held the instance's classes until the node stopped, and
 * ran then.
 */
public final class ExitTrap {

  /** The first status an exit call asked for, or -1 while none did. */
  private static volatile int status = -1;

  /** The hooks registered and not removed; guarded by the class. */
  private static final Set<Thread> hooks = new LinkedHashSet<>();

  /** Set once the hooks were taken: the instance is closing. */
  private static boolean shuttingDown;

  private ExitTrap() {}

  /** Replaces {@code runtime.addShutdownHook(hook)}, refusing what the JVM refuses. */
  public static void addShutdownHook(Runtime runtime, Thread hook) {
    Objects.requireNonNull(hook);
    synchronized (ExitTrap.class) {
      if (shuttingDown) {
        throw new IllegalStateException("Shutdown in progress");
      }
      if (hook.isAlive()) {
        throw new IllegalArgumentException("Hook already running");
      }
      if (!hooks.add(hook)) {
        throw new IllegalArgumentException("Hook previously registered");
      }
    }
  }

  /** Replaces {@code runtime.removeShutdownHook(hook)}. */
  public static boolean removeShutdownHook(Runtime runtime, Thread hook) {
    Objects.requireNonNull(hook);
    synchronized (ExitTrap.class) {
      if (shuttingDown) {
        throw new IllegalStateException("Shutdown in progress");
      }
      return hooks.remove(hook);
    }
  }

  /** Takes the registered hooks for the instance's close; later registrations are refused. */
  public static Thread[] takeShutdownHooks() {
    synchronized (ExitTrap.class) {
      shuttingDown = true;
      Thread[] taken = hooks.toArray(new Thread[0]);
      hooks.clear();
      return taken;
    }
  }

  /** Replaces {@code System.exit(status)}. */
  public static void exit(int code) {
    throw trap("System.exit", code);
  }

  /** Replaces {@code runtime.exit(status)}. */
  public static void exit(Runtime runtime, int code) {
    throw trap("Runtime.exit", code);
  }

  /** Replaces {@code runtime.halt(status)}. */
  public static void halt(Runtime runtime, int code) {
    throw trap("Runtime.halt", code);
  }

  /** The status of the first exit call on this instance, or -1 when there was none. */
  public static int status() {
    return status;
  }

  private static Exit trap(String call, int code) {
    synchronized (ExitTrap.class) {
      if (status < 0) {
        status = code & 0xff; // what a process's parent would see
      }
    }
    return new Exit(call + "(" + code + ")", code & 0xff);
  }

  /** Unwinds a thread that asked to end the process; an Error, so that fewer handlers catch it. */
  public static final class Exit extends Error {
    private static final long serialVersionUID = 1L;

    private final int status;

    Exit(String call, int status) {
      super(
          call
              + " was called: Sluice ends this function instance instead of its process, as Lambda"
              + " ends the runtime");
      this.status = status;
    }

    /** The exit status asked for, 0–255. */
    public int status() {
      return status;
    }
  }
}
