package dev.sluice.function.classloader;

import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The thread of one warm handler instance. After an invocation it spins briefly before parking, so
 * an invocation that follows closely starts without an operating-system wake-up, which on a virtual
 * machine costs tens of microseconds, more than the rest of an invocation. It spins only while
 * invocations do follow closely (the last idle gap was within {@link #SPIN_NANOS}), and the spin is
 * bounded, so an idle instance costs nothing after it.
 */
final class InstanceWorker {

  static final long SPIN_NANOS = 50_000;

  private final AtomicReference<Runnable> slot = new AtomicReference<>();
  private final Thread thread;
  private volatile boolean parked;

  /**
   * When the last task was posted; written before the slot, so the worker sees it with the task.
   */
  private volatile long postedAt;

  private volatile boolean closed;

  InstanceWorker(String name) {
    this(name, Thread.currentThread().getThreadGroup());
  }

  /** A worker whose thread, and so every thread its tasks start, belongs to {@code group}. */
  InstanceWorker(String name, ThreadGroup group) {
    thread = new Thread(group, this::loop, name);
    thread.setDaemon(true);
    thread.start();
  }

  Thread thread() {
    return thread;
  }

  /** Runs {@code task} on this instance's thread; the instance must be idle. */
  void post(Runnable task) {
    postedAt = System.nanoTime();
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
    long idleSince = 0;
    boolean spin = true;
    while (!closed) {
      Runnable task = slot.getAndSet(null);
      if (task != null) {
        // spin after this task only if the last idle gap (to the post, not to the wake-up) was
        // short enough for a spin to catch: when invocations come further apart (a saturated
        // machine), spinning only takes CPU from the threads that produce the next one
        spin = idleSince == 0 || postedAt - idleSince <= SPIN_NANOS;
        task.run();
        idleSince = System.nanoTime();
        spinUntil = spin ? idleSince + SPIN_NANOS : idleSince;
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
