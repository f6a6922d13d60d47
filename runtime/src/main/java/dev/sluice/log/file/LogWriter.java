package dev.sluice.log.file;

import dev.sluice.log.LogException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A writer thread serving the shards hashed to it. It takes everything queued at once and
 * group-commits the appends among it: all batches are written, each touched file is synced once,
 * and only then are the futures completed, so producers that append concurrently share syncs. Other
 * tasks (create, seal, trim, delete) run between group commits, in submission order.
 *
 * <p>The thread is never interrupted: an interrupt would close the file channels it is writing.
 */
final class LogWriter implements Runnable {

  private static final System.Logger LOG = System.getLogger(LogWriter.class.getName());
  private static final Object STOP = new Object();

  /**
   * The most bytes of appends that may wait for this writer: beyond it appends are refused (as a
   * throughput limit, which clients retry), so that a disk that syncs slowly, or not at all, does
   * not let them pile up until the heap is full.
   */
  static final long MAX_QUEUED_BYTES = 128L << 20;

  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final AtomicLong queuedBytes = new AtomicLong();
  private final Set<ShardLog> group = new LinkedHashSet<>();
  private final Thread thread;
  private boolean accepting = true;

  LogWriter(String name) {
    this.thread = new Thread(this, name);
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /**
   * Counts an append of {@code bytes} against {@link #MAX_QUEUED_BYTES}; false, counting nothing,
   * when the queue is over it (an append alone larger than the bound is always let in).
   */
  boolean admit(long bytes) {
    long now = queuedBytes.addAndGet(bytes);
    if (now > MAX_QUEUED_BYTES && now != bytes) {
      queuedBytes.addAndGet(-bytes);
      return false;
    }
    return true;
  }

  /** Gives back what {@link #admit} counted for an append that was not queued after all. */
  void release(long bytes) {
    queuedBytes.addAndGet(-bytes);
  }

  long queuedBytes() {
    return queuedBytes.get();
  }

  /** Queues an {@link AppendTask} or a {@link ControlTask}; false once the writer is stopping. */
  boolean submit(Object task) {
    synchronized (queue) {
      if (!accepting) {
        return false;
      }
      queue.add(task);
      return true;
    }
  }

  /** Finishes everything queued so far, then ends the thread and waits for it. */
  void stop() {
    synchronized (queue) {
      if (!accepting) {
        return;
      }
      accepting = false;
      queue.add(STOP);
    }
    if (Thread.currentThread() == thread) {
      // Called from a future's callback on this writer: it stops once the current tasks are done.
      return;
    }
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void run() {
    List<Object> tasks = new ArrayList<>();
    boolean running = true;
    while (running) {
      try {
        tasks.add(queue.take());
      } catch (InterruptedException e) {
        continue;
      }
      queue.drainTo(tasks);
      running = !tasks.contains(STOP);
      try {
        process(tasks);
      } catch (RuntimeException | Error e) {
        abandon(tasks, e);
      }
      tasks.clear();
    }
  }

  private void process(List<Object> tasks) {
    for (Object task : tasks) {
      if (task instanceof AppendTask append) {
        queuedBytes.addAndGet(-append.bytes()); // taken off the queue, whatever happens next
      }
    }
    for (Object task : tasks) {
      if (task instanceof AppendTask append) {
        stage(append);
      } else if (task != STOP) {
        commit();
        runTask((ControlTask<?>) task);
      }
    }
    commit();
  }

  /** Last resort when processing broke unexpectedly: fail what is pending rather than hang it. */
  private void abandon(List<Object> tasks, Throwable cause) {
    LOG.log(System.Logger.Level.ERROR, "writer failed unexpectedly", cause);
    LogException failure = new LogException("writer failed unexpectedly", cause);
    for (ShardLog log : group) {
      log.abort(failure);
    }
    group.clear();
    for (Object task : tasks) {
      if (task instanceof AppendTask t) {
        t.future.completeExceptionally(failure);
      } else if (task instanceof ControlTask<?> c) {
        c.fail(failure);
      }
    }
  }

  private void stage(AppendTask t) {
    try {
      t.log.stage(t);
      group.add(t.log);
    } catch (RuntimeException e) {
      t.future.completeExceptionally(new LogException("append to " + t.log + " failed", e));
    }
  }

  private void commit() {
    if (group.isEmpty()) {
      return;
    }
    // Write everything before the first sync, so one sync covers as much as possible.
    group.forEach(ShardLog::flush);
    group.forEach(ShardLog::sync);
    for (ShardLog log : group) {
      try {
        log.finish();
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "completing appends to " + log + " failed", e);
      }
    }
    group.clear();
  }

  private static void runTask(ControlTask<?> task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "writer task failed", e);
    }
  }
}
