package dev.sluice.function;

import java.util.concurrent.Semaphore;

/**
 * A concurrency limit that can be resized while invocations hold permits: a function's reserved
 * concurrency, which one object keeps across the function's changes, so that invocations admitted
 * before a code, configuration or concurrency change still count against the limit after it (a new
 * semaphore per change let them run beside as many new ones); and the node's unreserved pool.
 */
final class ReservedLimit extends Semaphore {

  private int size;

  ReservedLimit(int size) {
    super(size);
    this.size = size;
  }

  /** This limit resized to {@code next} permits, or a new one when {@code current} is null. */
  static ReservedLimit resized(ReservedLimit current, int next) {
    if (current == null) {
      return new ReservedLimit(next);
    }
    current.resize(next);
    return current;
  }

  /** Resizes to {@code next} permits; those held meanwhile count against the new size. */
  synchronized void resize(int next) {
    if (next > size) {
      release(next - size);
    } else if (next < size) {
      reducePermits(size - next); // may go negative: invocations in flight over the new limit
    }
    size = next;
  }
}
