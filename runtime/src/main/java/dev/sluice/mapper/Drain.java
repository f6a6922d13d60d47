package dev.sluice.mapper;

import dev.sluice.function.FunctionConfig;
import dev.sluice.function.FunctionService;
import java.time.Duration;

/**
 * How long a shard leaving this node may take to finish its batches in flight before it is handed
 * over: the function's timeout, plus what a cold start may add before the timeout starts, plus a
 * little for the checkpoint. Past it the shard is handed over with what finished; a batch still
 * running may then overlap with the next owner's first one.
 */
public final class Drain {

  /** A cold start's initialization may take this long before the function's own timeout runs. */
  private static final Duration INIT = Duration.ofSeconds(10);

  private static final Duration MARGIN = Duration.ofSeconds(2);

  private static final Duration STOP_CAP = Duration.ofSeconds(10);

  private Drain() {}

  /** The drain of a mapping to {@code function}; short when the function is gone. */
  public static Duration of(FunctionService functions, String function) {
    try {
      return forTimeout(functions.get(function).timeoutSeconds());
    } catch (RuntimeException e) {
      return MARGIN; // no such function now: nothing can be in flight for long
    }
  }

  /**
   * How long a stopping runner (an update, disable or delete, a node shutting down) waits for its
   * batches in flight: the drain of {@code function}, but at most 10 s, since the API call that
   * stops it answers only then; a batch running longer than that may overlap with the next runner's
   * first. (A rebalance that takes a Kafka mapping's partitions away waits the whole {@link #of}
   * drain, unless the runner is stopping: the group waits for it, the API caller does not.)
   */
  public static Duration onStop(FunctionService functions, String function) {
    Duration d = of(functions, function);
    return d.compareTo(STOP_CAP) > 0 ? STOP_CAP : d;
  }

  /**
   * The drain of a function with the longest timeout there is: a group membership (a shard lease's,
   * a Kafka mapping's consumer) is set up once, when its mapping starts, and its rebalance timeout
   * must cover whatever timeout the function is given later. Each revocation still waits only as
   * long as the timeout then asks.
   */
  public static Duration longest() {
    return forTimeout(FunctionConfig.MAX_TIMEOUT_SECONDS);
  }

  private static Duration forTimeout(int seconds) {
    return Duration.ofSeconds(seconds).plus(INIT).plus(MARGIN);
  }
}
