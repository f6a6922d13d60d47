package dev.sluice.function.process;

import dev.sluice.function.Invocation;
import dev.sluice.function.InvocationReport;
import java.util.concurrent.CompletableFuture;

/**
 * One invocation on its way through a runner. The delivery fields are written once, by the instance
 * that hands the event to its runtime, under that instance's lock.
 */
final class Job {

  final Invocation invocation;
  final CompletableFuture<InvocationReport> future = new CompletableFuture<>();

  /**
   * How long the handler may run once it has the event. Taken from the caller's deadline when the
   * invocation arrives, and started only on delivery: as in Lambda, a cold start's init does not
   * eat into the function's timeout.
   */
  final long budgetMillis;

  boolean delivered;
  long deliveredNanos;
  long deadlineMillis;

  /** Where its log begins: where the previous report's ended, so that init output is in it. */
  long logStart;

  long timerId = -1;
  long initNanos = -1;

  Job(Invocation invocation, long budgetMillis) {
    this.invocation = invocation;
    this.budgetMillis = budgetMillis;
  }

  String requestId() {
    return invocation.requestId();
  }
}
