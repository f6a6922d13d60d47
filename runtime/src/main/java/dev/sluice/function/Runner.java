package dev.sluice.function;

import java.util.concurrent.CompletableFuture;

/**
 * Runs one version of one function: keeps its warm instances, starts new ones as needed, and
 * replaces instances that crashed or timed out. The caller (the function service) enforces
 * concurrency limits; a runner accepts every invocation it is given and runs them concurrently on
 * separate instances.
 *
 * <p>Implementations never block the calling thread and never let a user-code failure escape as an
 * exception: the future completes with a {@link InvocationResult.Failure} instead. The future
 * completes exceptionally only when Sluice itself failed.
 */
public interface Runner extends AutoCloseable {

  /** Runs the invocation on a free instance (starting one when none is free). */
  CompletableFuture<InvocationReport> invoke(Invocation invocation);

  /**
   * Stops taking invocations, lets those in flight finish (an atomic code swap relies on this),
   * then releases every instance.
   */
  @Override
  void close();

  /**
   * Completes once the runner is closed, its invocations answered and its instances gone, so its
   * code may be removed (a handler abandoned at its timeout may still run, and fail to load a
   * class); never, unless {@link #close()} was called.
   */
  CompletableFuture<Void> stopped();
}
