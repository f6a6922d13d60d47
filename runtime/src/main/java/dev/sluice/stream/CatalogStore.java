package dev.sluice.stream;

import java.util.Collection;
import java.util.List;
import java.util.function.BiConsumer;

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
   * Reports each change another node makes: the stream's name and its new state, or null once it is
   * gone. The callback returns once the catalog applied it. A store only this node writes reports
   * nothing.
   */
  default void onRemote(BiConsumer<String, StreamMeta> change) {}

  /**
   * Whether this node alone uses the log engine's shards, so that a shard no stream names is a
   * leftover to delete. With a shared store another node may have just created it.
   */
  default boolean exclusive() {
    return true;
  }
}
