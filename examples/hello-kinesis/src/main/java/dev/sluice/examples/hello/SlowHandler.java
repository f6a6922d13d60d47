package dev.sluice.examples.hello;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

/**
 * Sleeps for {@code input.sleepMs} milliseconds, ignoring interrupts, then returns {@code
 * {"sleptMs": n}}. Only a timeout that kills the worker stops it early.
 */
public class SlowHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
  @Override
  public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
    Object value = input == null ? null : input.get("sleepMs");
    long sleepMs =
        value instanceof Number
            ? ((Number) value).longValue()
            : value == null ? 0 : Long.parseLong(value.toString().trim());
    context.getLogger().log("sleeping " + sleepMs + " ms");
    long end = System.nanoTime() + sleepMs * 1_000_000;
    boolean interrupted = false;
    for (long left = sleepMs; left > 0; left = (end - System.nanoTime()) / 1_000_000) {
      try {
        Thread.sleep(left);
      } catch (InterruptedException e) {
        interrupted = true; // ignored on purpose: the handler keeps sleeping
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return Map.of("sleptMs", sleepMs);
  }
}
