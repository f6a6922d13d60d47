package dev.sluice.cluster;

import java.util.List;
import java.util.Map;

/**
 * The node state that several Sluice nodes share (stream catalog, function definitions and code,
 * mapping definitions): a map from keys such as {@code stream/orders} to bytes, replicated to every
 * node in one total order, as Kafka Connect's distributed mode keeps its configuration.
 *
 * <p>Life cycle: after opening, each component reads its part with {@link #snapshot}, registers a
 * {@link StateListener} with {@link #listen}, and once every component has done so the node calls
 * {@link #follow()}; from then on every change another node makes (and every change this node made
 * that was overtaken by another node's) reaches the listeners, in the shared order.
 *
 * <p>Consistency: a writer {@link #put}s its change and applies it locally under one lock that its
 * listener takes too, and its listener applies a change before returning. The last write to a key
 * in the shared order then wins on every node: a node whose write was overtaken by another node's
 * sees the other value and then its own again, so applying must be idempotent.
 */
public interface StateStore extends AutoCloseable {

  /** Largest value a key may hold: Lambda's 50 MB zip limit for a function package, with room. */
  int MAX_VALUE_BYTES = 64 << 20;

  /**
   * The current value of every key starting with {@code prefix}, in the order they were last
   * written. Only meaningful before {@link #follow()}.
   */
  Map<String, byte[]> snapshot(String prefix);

  /**
   * Every record of keys starting with {@code prefix} that the topic still held when the store
   * opened, in its order, removals as null values: for a component that judges records in order
   * ({@link #listenAll}) to judge those before it follows as every other node did. Records of more
   * than {@link #HISTORY_VALUE_BYTES} (function packages) are left out. Only meaningful before
   * {@link #follow()}; by default, the snapshot's records.
   */
  default List<Map.Entry<String, byte[]>> history(String prefix) {
    return List.copyOf(snapshot(prefix).entrySet());
  }

  /** The largest value {@link #history} holds. */
  int HISTORY_VALUE_BYTES = 256 << 10;

  /** Calls {@code listener} for changes to keys starting with {@code prefix}, once following. */
  void listen(String prefix, StateListener listener);

  /**
   * Calls {@code listener} for every record of keys starting with {@code prefix} in the shared
   * order, this node's own writes included: for a component that decides by a version inside the
   * value which change wins, and so must see them all.
   */
  void listenAll(String prefix, StateListener listener);

  /**
   * Calls {@code peeker} for every record of keys starting with {@code prefix}, this node's own
   * included, as soon as it is read: before the listeners apply it, and while they may still be
   * applying earlier ones. For what must take effect at once whatever the listeners are busy with
   * (another node closed a shard this node writes to); a peeker must return quickly and take no
   * lock a listener or writer may hold. A store that no other node writes peeks nothing.
   */
  default void peek(String prefix, StateListener peeker) {}

  /**
   * Nanoseconds since this node last had read, and peeked, every change the shared log held, or
   * {@link Long#MAX_VALUE} while it never has: a change another node wrote longer ago than that has
   * reached the peekers here. 0 for a store that no other node writes.
   */
  default long viewAgeNanos() {
    return 0;
  }

  /** Starts delivering changes to the listeners, from where the snapshot ended. */
  void follow();

  /**
   * Waits (a few seconds at most) until this node has applied every change the shared log holds
   * now, so that a change computed next from this node's view does not start from a stale one (say
   * a function's code another node replaced a moment ago). Call it before taking a lock that
   * listeners take. Blocking.
   *
   * @return false when the view is still behind when the wait ends, or the log's end could not be
   *     learned: what this node does not know of may yet exist
   */
  default boolean awaitCurrent() {
    return true;
  }

  /**
   * Writes {@code value} under {@code key}; returns once the shared log has it durably. Blocking.
   */
  void put(String key, byte[] value);

  /** Removes {@code key}; blocking, like {@link #put}. */
  void remove(String key);

  /**
   * Stops delivering other nodes' changes to the listeners; writes still work until {@link #close}.
   * A stopping node calls it first, so that no change starts work while it stops, and closes once
   * its last writes (the mappings' final checkpoint copies) are done.
   */
  default void stopFollowing() {}

  /** Stops following and releases the store's clients. */
  @Override
  void close();
}
