package dev.sluice.function;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.IntSupplier;

/**
 * A node's concurrency limits, as Lambda's: a function with a reservation runs within it alone, the
 * others share what reservations leave (the unreserved pool), and no more than the node's
 * concurrency ({@code sluice.function.max-concurrency}) run at once. Thread-safe: invocations
 * acquire and release on any thread while changes resize.
 */
final class Concurrency {

  private final int global;

  /**
   * What reservations leave of the node's concurrency, shared by the functions without one: as in
   * Lambda, a reservation is capacity no other function can take. Resized under {@link
   * #unreservedLock} whenever a reservation changes.
   */
  private final ReservedLimit unreserved;

  private final Object unreservedLock = new Object();

  /**
   * Every invocation on the node, whatever its pool: a reservation removed, lowered or added while
   * invocations run moves capacity between the pools at once, but those invocations still hold
   * their old pool's permits, which the new sizes do not count.
   */
  private final Semaphore running;

  /**
   * Each function's reserved-concurrency limit, kept while its reservation is removed: invocations
   * admitted under it may still run when a reservation is put again, and must count against it.
   */
  private final Map<String, ReservedLimit> limits = new ConcurrentHashMap<>();

  /** How many invocations the node runs at once, at most. */
  int global() {
    return global;
  }

  /** Limits for a node running at most {@code global} invocations at once. */
  Concurrency(int global) {
    this.global = global;
    this.unreserved = new ReservedLimit(global);
    this.running = new Semaphore(global);
  }

  /**
   * The limit of function {@code name} reserving {@code reserved} (null: none, so null), resized:
   * the same one across its changes (see ReservedLimit).
   */
  ReservedLimit limiter(String name, Integer reserved) {
    if (reserved == null) {
      return null;
    }
    return limits.compute(name, (n, current) -> ReservedLimit.resized(current, reserved));
  }

  /** Forgets the limit of a deleted function: a namesake created later starts afresh. */
  void forget(String name) {
    limits.remove(name);
  }

  /**
   * Admits an invocation of {@code config}'s function, whose limit is {@code reserved} (null: the
   * unreserved pool), or fails as TOO_MANY_REQUESTS with Lambda's reason.
   */
  void acquire(ReservedLimit reserved, FunctionConfig config) {
    acquirePool(reserved, config);
    if (!running.tryAcquire()) {
      (reserved != null ? reserved : unreserved).release();
      throw FunctionException.throttled(
          "ConcurrentInvocationLimitExceeded",
          "Rate Exceeded. The node's concurrency is in use by invocations admitted before a"
              + " reserved concurrency changed.");
    }
  }

  private void acquirePool(ReservedLimit reserved, FunctionConfig config) {
    if (reserved != null) {
      if (!reserved.tryAcquire()) {
        throw FunctionException.throttled(
            "ReservedFunctionConcurrentInvocationLimitExceeded",
            "Rate Exceeded. Function "
                + config.name()
                + " is at its reserved concurrency ("
                + config.reservedConcurrency()
                + ").");
      }
      return;
    }
    if (!unreserved.tryAcquire()) {
      throw FunctionException.throttled(
          "ConcurrentInvocationLimitExceeded",
          "Rate Exceeded. The node's unreserved concurrency is in use.");
    }
  }

  /** Gives back what {@link #acquire} took under {@code reserved}, the same limit. */
  void release(ReservedLimit reserved) {
    (reserved != null ? reserved : unreserved).release();
    running.release();
  }

  /**
   * Sizes the unreserved pool to what the reservations leave; {@code reservedTotal} is read under
   * the pool's lock, so that of two resizes at once the later sees the later total.
   */
  void resizeUnreserved(IntSupplier reservedTotal) {
    synchronized (unreservedLock) {
      unreserved.resize(Math.max(0, global - reservedTotal.getAsInt()));
    }
  }

  /**
   * As Lambda keeps reservations within the account's limit and leaves a tenth of it (100 of 1,000)
   * to the functions without one: here within the node's concurrency, with at least a tenth of it
   * (one at least, 100 at most) left unreserved, so that reservations cannot throttle every other
   * function to nothing. Fails as INVALID_PARAMETER when {@code reserved} for {@code name} leaves
   * less, with {@code others} reserved by the other functions.
   */
  void requireRoomFor(String name, int reserved, int others) {
    int minUnreserved = Math.min(100, Math.max(1, global / 10));
    if (others + reserved > global - minUnreserved) {
      throw FunctionException.invalid(
          "Specified ReservedConcurrentExecutions for function "
              + name
              + " decreases the node's UnreservedConcurrentExecution below its minimum value of ["
              + minUnreserved
              + "]: "
              + others
              + " are reserved by other functions, of this node's "
              + global
              + " (sluice.function.max-concurrency).");
    }
  }
}
