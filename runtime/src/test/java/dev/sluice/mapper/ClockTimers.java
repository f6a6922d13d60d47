package dev.sluice.mapper;

import dev.sluice.testing.TestClock;
import io.vertx.core.Context;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * {@link Timers} on a {@link TestClock}: a task is due once the clock reached its time, and runs on
 * its context when a test advances the clock there (at once if it is due when scheduled). Tests see
 * what is pending, so they can check a delay without waiting it out.
 */
final class ClockTimers implements Timers {

  private final TestClock clock;
  private final PriorityQueue<Task> queue =
      new PriorityQueue<>(Comparator.comparingLong(Task::due).thenComparingLong(Task::seq));
  private long seq;

  ClockTimers(TestClock clock) {
    this.clock = clock;
    clock.onChange(this::fireDue);
  }

  /** One scheduled task. */
  private record Task(long due, long seq, Context ctx, Runnable run) {}

  @Override
  public Handle schedule(Context ctx, long delayMillis, Runnable task) {
    Task t;
    synchronized (this) {
      t = new Task(clock.millis() + Math.max(0, delayMillis), seq++, ctx, task);
      queue.add(t);
    }
    fireDue();
    return () -> cancel(t);
  }

  private synchronized void cancel(Task t) {
    queue.remove(t);
  }

  /** The delays (from now, in scheduling order of their due times) of the tasks not yet run. */
  synchronized List<Long> pending() {
    long now = clock.millis();
    return queue.stream().sorted(queue.comparator()).map(t -> t.due() - now).toList();
  }

  /** Waits (real time, for the mapper's threads) until a task is pending; returns its delay. */
  long awaitPending() throws InterruptedException {
    for (int i = 0; i < 1000; i++) {
      List<Long> now = pending();
      if (!now.isEmpty()) {
        return now.get(0);
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no timer was scheduled");
  }

  private void fireDue() {
    List<Task> due = new ArrayList<>();
    synchronized (this) {
      while (!queue.isEmpty() && queue.peek().due() <= clock.millis()) {
        due.add(queue.poll());
      }
    }
    due.forEach(t -> t.ctx().runOnContext(v -> t.run().run()));
  }
}
