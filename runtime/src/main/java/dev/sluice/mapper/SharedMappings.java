package dev.sluice.mapper;

import dev.sluice.cluster.SharedRecords;
import dev.sluice.cluster.StateStore;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.jboss.logging.Logger;

/**
 * The mappings in the node state several nodes share: {@code mapping/UUID} holds a configuration as
 * JSON, and {@code mapping-deleted/UUID} marks a deleted mapping (a {@link Grave}; markers stay).
 *
 * <p>Why markers: a mapping's UUID is never used again, so its deletion is final. A change another
 * node made from a view that did not have the deletion yet lands after it in the shared order, and
 * under last-write-wins it brought the mapping back, on every node and for every node starting
 * later (compaction keeps a key's last record). Every node ignores the configuration of a marked
 * mapping instead, and removes that record again so that compaction drops it.
 *
 * <p>Thread model: listeners run on the store's applying thread; the removals of such records run
 * on a thread of their own, since a write blocks until the broker has it.
 */
final class SharedMappings {

  private static final Logger LOG = Logger.getLogger(SharedMappings.class);

  /**
   * The marker of a deleted mapping.
   *
   * @param uuid the mapping
   * @param deletedMillis when it was deleted (for people reading the topic)
   */
  record Grave(String uuid, long deletedMillis) {}

  private final SharedRecords<MappingConfig> configs;
  private final SharedRecords<Grave> graves;
  private final Clock clock;
  private final Set<String> buried = ConcurrentHashMap.newKeySet();
  private final ExecutorService sweeper =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "sluice-mapping-sweeper");
            t.setDaemon(true);
            return t;
          });

  SharedMappings(StateStore state, Clock clock) {
    this.configs = new SharedRecords<>(state, "mapping/", MappingConfig.class);
    this.graves = new SharedRecords<>(state, "mapping-deleted/", Grave.class);
    this.clock = clock;
  }

  /**
   * The mappings not deleted, in the order they were last written; only before the store follows.
   * The configurations of deleted ones are removed again.
   */
  List<MappingConfig> load() {
    graves.load().forEach(g -> buried.add(g.uuid()));
    List<MappingConfig> all = configs.load();
    all.stream().map(MappingConfig::uuid).filter(buried::contains).forEach(this::sweep);
    return all.stream().filter(c -> !buried.contains(c.uuid())).toList();
  }

  /**
   * Calls {@code remote} for each change another node makes, once the store follows: a deletion
   * when its marker comes (and again when the configuration is removed), never a configuration of a
   * deleted mapping.
   */
  void listen(SharedRecords.Remote<MappingConfig> remote) {
    graves.listen(
        new SharedRecords.Remote<>() {
          @Override
          public void changed(String uuid, Grave g) {
            buried.add(uuid);
            remote.removed(uuid);
          }

          @Override
          public void removed(String uuid) {
            // markers stay; someone removed one by hand: the mapping stays deleted here
          }
        });
    configs.listen(
        new SharedRecords.Remote<>() {
          @Override
          public void changed(String uuid, MappingConfig c) {
            if (buried.contains(uuid)) {
              LOG.infof("Mapping %s: ignoring a change made before its deletion was seen", uuid);
              sweep(uuid);
              return;
            }
            remote.changed(uuid, c);
          }

          @Override
          public void removed(String uuid) {
            remote.removed(uuid);
          }
        });
  }

  /** Writes a mapping's configuration; blocking, durable when it returns. */
  void put(MappingConfig c) {
    configs.put(c.uuid(), c);
  }

  /** See {@link StateStore#awaitCurrent()}: call before a change, without a listener's lock. */
  void awaitCurrent() {
    configs.awaitCurrent();
  }

  /**
   * Deletes a mapping for good: its marker first, so that no node takes a configuration written
   * after it; then its configuration. Blocking; the deletion is durable when it returns, and fails
   * only if the marker could not be written.
   */
  void delete(String uuid) {
    // buried before the marker is written: a configuration another node wrote just after the
    // marker, applied here before this thread marked it, would start the mapping again
    buried.add(uuid);
    try {
      graves.put(uuid, new Grave(uuid, clock.millis()));
    } catch (RuntimeException e) {
      buried.remove(uuid); // not deleted: the caller reports the failure
      throw e;
    }
    try {
      configs.remove(uuid);
    } catch (RuntimeException e) {
      // the marker decided it on every node: failing now would keep the mapping here alone
      LOG.warnf("Mapping %s: deleted, its configuration removed later: %s", uuid, e.getMessage());
      sweep(uuid);
    }
  }

  /** Stops removing stale configurations; another node or the next start does it. */
  void close() {
    sweeper.shutdownNow();
  }

  private void sweep(String uuid) {
    try {
      sweeper.execute(() -> removeQuietly(uuid));
    } catch (RejectedExecutionException e) {
      // closing: the next node to read the record removes it
    }
  }

  private void removeQuietly(String uuid) {
    try {
      configs.remove(uuid);
    } catch (RuntimeException e) { // StateException, or the store closing: never the thread
      LOG.warnf("Mapping %s: could not remove a change made after its deletion: %s", uuid, e);
    }
  }
}
