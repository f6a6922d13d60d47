package dev.sluice.function;

/**
 * Where functions' logs are kept: files in the node's data directory ({@link FunctionLogs}), or a
 * Kafka topic every node on a cluster writes to and reads from, so that a function's log shows its
 * invocations on every node. Appends and {@link #forget}s come from the service's log thread only,
 * which every invocation's result passes: they must not wait for anything slow.
 */
public interface FunctionLogStore {

  /** Appends one invocation's lines (whole lines, each ending in a newline). */
  void append(String function, String text);

  /** The last {@code max} lines, oldest first, and the position just past the newest line. */
  LogPage last(String function, int max);

  /**
   * At most {@code max} whole lines written at or after {@code position} (a {@link LogPage#next}),
   * oldest first. A position older than what is kept reads from the oldest kept line.
   */
  LogPage page(String function, long position, int max);

  /**
   * This node dropped the deleted function: whatever the store holds open for it is let go. Called
   * on every node.
   */
  void forget(String function);

  /**
   * The function was deleted through this node: a function made again under its name starts with an
   * empty log. Called on the deleting request's thread, on the node asked only, after the deletion
   * stands; it may wait until that is stored.
   */
  void cleared(String function);

  /** Whether reads must run on the log thread, which the store's open files belong to. */
  boolean readsOnLogThread();

  /** Lets go of everything the store holds open. */
  void close();
}
