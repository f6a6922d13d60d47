package dev.sluice.function.classloader;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads of one handler instance: its worker and every thread its handler starts, which join
 * the worker's thread group. A Lambda sandbox that is reset takes all of its threads with it; here
 * the group is how an instance that is closed, or abandoned at its timeout, finds the threads it
 * leaves behind.
 */
final class InstanceThreads {

  private static final AtomicInteger IDS = new AtomicInteger();

  private final ThreadGroup group;

  InstanceThreads(String function) {
    group = new ThreadGroup("sluice-fn-" + function + "-" + IDS.incrementAndGet());
    // Java 17 keeps every group in its parent until it is destroyed, and a daemon group destroys
    // itself when its last thread ends; without it each instance ever started stayed reachable
    group.setDaemon(true);
  }

  ThreadGroup group() {
    return group;
  }

  /** The group's live threads other than the caller. */
  List<Thread> others() {
    Thread[] all = new Thread[group.activeCount() + 16];
    int n = group.enumerate(all, true);
    List<Thread> live = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      if (all[i] != Thread.currentThread() && all[i].isAlive() && !shared(all[i])) {
        live.add(all[i]);
      }
    }
    return live;
  }

  /**
   * Whether {@code t} is a worker of the JVM's common fork-join pool: on Java 17 a parallel stream
   * started in the group creates it there, yet every function's tasks run on it afterwards, so it
   * is never the instance's to interrupt, stop or capture the output of.
   */
  static boolean shared(Thread t) {
    return t instanceof ForkJoinWorkerThread w && w.getPool() == ForkJoinPool.commonPool();
  }

  /** Asks every other thread to end: those that honour interruption do. */
  List<Thread> interruptOthers() {
    List<Thread> live = others();
    live.forEach(Thread::interrupt);
    return live;
  }

  /**
   * Stops every other thread with {@link Thread#stop}, which Java 17 to 19 still offer and later
   * ones refuse; returns false when this Java refuses. Only for an instance that is discarded: an
   * asynchronous ThreadDeath may leave the objects it was changing half done, and nothing of the
   * instance is used again.
   */
  @SuppressWarnings({"removal", "deprecation"})
  boolean stopOthers() {
    for (Thread t : others()) {
      try {
        t.stop();
      } catch (UnsupportedOperationException notOnThisJava) {
        return false;
      }
    }
    return true;
  }
}
