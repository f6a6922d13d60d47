package dev.sluice.mapper;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

/** {@link Timers} on Vert.x timers: the production clock is the wall clock. */
final class VertxTimers implements Timers {

  private final Vertx vertx;

  VertxTimers(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public Handle schedule(Context ctx, long delayMillis, Runnable task) {
    // Vert.x refuses delays under 1 ms; the timer fires on some loop, the task on its own context
    long id = vertx.setTimer(Math.max(1, delayMillis), x -> ctx.runOnContext(v -> task.run()));
    return () -> vertx.cancelTimer(id);
  }
}
