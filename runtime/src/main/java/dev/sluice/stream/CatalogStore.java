package dev.sluice.stream;

import java.util.Collection;
import java.util.List;

/**
 * Where the catalog is kept: a file in the node's data directory ({@link FileCatalogStore}), or the
 * node state several nodes share ({@link SharedCatalogStore}). Called from the catalog's thread.
 */
interface CatalogStore {

  /** Every stream stored. */
  List<StreamMeta> load();

  /**
   * Stores {@code streams} as the whole catalog, in which only stream {@code changed} differs from
   * the last save (changed or gone); durable when it returns.
   */
  void save(Collection<StreamMeta> streams, String changed);

  /**
   * Writes, after everything this node wrote, that {@code stale}'s stream is gone, as a record that
   * a later creation of the name overrides (a {@link StreamStatus#GONE} one); {@link #load} skips
   * it. Only a shared store gets here: a store only this node writes has no stale records.
   */
  default void markGone(StreamMeta stale) {
    throw new UnsupportedOperationException("no shared order");
  }

  /** A change read back from the shared order. */
  @FunctionalInterface
  interface Change {
    /**
     * Stream {@code name} is now {@code meta}, or gone when it is null; {@code own} says that this
     * node wrote the record.
     */
    void apply(String name, StreamMeta meta, boolean own);
  }

  /**
   * Reports every change in the shared order, this node's own included: the stream's name and its
   * new state, or null once it is gone. The callback returns once the catalog applied it. A store
   * only this node writes reports nothing.
   */
  default void onRemote(Change change) {}

  /**
   * Reports every change in the shared order as soon as it is read, ahead of {@link #onRemote},
   * which may still be applying earlier ones: the callback must be quick and take no lock. A store
   * only this node writes reports nothing.
   */
  default void onRead(Change change) {}

  /**
   * Whether this node alone uses the log engine's shards, so that a shard no stream names is a
   * leftover to delete. With a shared store another node may have just created it.
   */
  default boolean exclusive() {
    return true;
  }
}
