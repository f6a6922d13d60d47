package dev.sluice.function;

import java.util.concurrent.CompletableFuture;

/**
 * Stands in for the runner of a function that exists (in the shared state or the data directory)
 * but cannot run on this node: its runtime or isolation is missing here. The function stays
 * visible, in Lambda's Failed state, so that it can still be updated or deleted through this node;
 * invocations fail as Lambda fails them for a function in that state.
 */
final class UnrunnableRunner implements Runner {

  private final FunctionService.Unrunnable why;

  UnrunnableRunner(FunctionService.Unrunnable why) {
    this.why = why;
  }

  FunctionService.Unrunnable why() {
    return why;
  }

  @Override
  public CompletableFuture<InvocationReport> invoke(Invocation invocation) {
    return CompletableFuture.failedFuture(FunctionService.failedState());
  }

  @Override
  public void close() {
    // no instances, nothing in flight
  }

  @Override
  public CompletableFuture<Void> stopped() {
    return CompletableFuture.completedFuture(null);
  }
}
