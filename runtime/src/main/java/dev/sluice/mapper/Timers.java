package dev.sluice.mapper;

import io.vertx.core.Context;

/**
 * The mapper's delayed tasks: retry backoff, the batching window, a tumbling window's end. Delays
 * are measured on the mapper's clock, so that tests can advance a clock instead of sleeping; a task
 * runs on the event-loop context it was scheduled for, like everything else of its shard.
 */
interface Timers {

  /** A task scheduled to run once. */
  interface Handle {
    /** Calls the task off if it has not run yet; no effect afterwards. */
    void cancel();
  }

  /**
   * Runs {@code task} on {@code ctx} once {@code delayMillis} have passed.
   *
   * @param delayMillis milliseconds from now; zero or less means as soon as possible
   */
  Handle schedule(Context ctx, long delayMillis, Runnable task);
}
