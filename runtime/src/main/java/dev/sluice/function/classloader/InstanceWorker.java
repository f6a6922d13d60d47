package dev.sluice.function.classloader;

import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The thread of one warm handler instance. After each invocation it spins briefly before parking,
 * so an invocation that follows closely starts without an operating-system wake-up, which on a
 * virtual machine costs tens of microseconds, more than the rest of an invocation. The spin is
 * bounded, so an idle instance costs nothing after {@link #SPIN_NANOS}.
 */
final class InstanceWorker {

  static final long SPIN_NANOS = 50_000;

  private final AtomicReference<Runnable> slot = new AtomicReference<>();
  private final Thread thread;
  private volatile boolean parked;
  private volatile boolean closed;

  InstanceWorker(String name) {
    thread = new Thread(this::loop, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Runs {@code task} on this instance's thread; the instance must be idle. */
  void post(Runnable task) {
    slot.set(task);
    if (parked) {
      LockSupport.unpark(thread);
    }
  }

  /** Lets the thread end once it is idle. */
  void close() {
    closed = true;
    LockSupport.unpark(thread);
  }

  private void loop() {
    long spinUntil = 0;
    while (!closed) {
      Runnable task = slot.getAndSet(null);
      if (task != null) {
        task.run();
        spinUntil = System.nanoTime() + SPIN_NANOS;
      } else if (System.nanoTime() < spinUntil) {
        Thread.onSpinWait();
      } else {
        parked = true;
        // checked again after announcing the park: a post in between unparks or is seen here
        if (slot.get() == null && !closed) {
          LockSupport.park(this);
        }
        parked = false;
      }
    }
  }
}
