package dev.sluice.cli.deploy;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition the server reaches on its own, such as a stream becoming ACTIVE. */
final class Waiter {

  private final Duration timeout;

  Waiter(Duration timeout) {
    this.timeout = timeout;
  }

  void until(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new DeployException(
            "timed out after " + timeout.toSeconds() + " s waiting for " + what);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DeployException("interrupted while waiting for " + what);
      }
    }
  }
}
