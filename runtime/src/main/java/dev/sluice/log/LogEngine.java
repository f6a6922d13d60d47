package dev.sluice.log;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * The storage engine under streams: one append-only log per shard, addressed by offset.
 *
 * <p>The embedded default keeps segment files on local disk ({@code dev.sluice.log.file}); a
 * Kafka-backed engine maps a shard onto a topic partition and an offset onto a Kafka offset. Both
 * keep the same contract:
 *
 * <ul>
 *   <li>Offsets start at 0 and grow by one per record; arrival times never decrease in a shard.
 *   <li>An append's future completes only when its records are durable; appends to one shard are
 *       applied in the order they were called.
 *   <li>No method blocks its caller: I/O runs on the engine's own threads, so callers may be
 *       event-loop threads. Futures complete on engine threads.
 *   <li>Failures complete the future exceptionally with a {@link LogException}.
 * </ul>
 */
public interface LogEngine extends AutoCloseable {

  /** Opens the engine: recovers what is on disk and starts its threads. Blocks; call once. */
  void start();

  /** Shards the engine holds, as found at start and created since. */
  Set<ShardRef> shards();

  /** Creates an empty log for the shard; does nothing when it exists already. */
  CompletableFuture<Void> createShard(ShardRef shard);

  /**
   * Why a stream named {@code name} cannot be stored beside the streams named {@code existing}, or
   * null when it can: Kafka, say, takes topic names that differ only by '.' and '_' for one. May
   * block; not on an event loop.
   */
  default String nameClash(String name, Collection<String> existing) {
    return null;
  }

  /**
   * Appends records to the shard, in list order, as one durable unit that gets one arrival time.
   * Fails with {@link ShardSealedException} once the shard is sealed.
   */
  CompletableFuture<AppendResult> append(ShardRef shard, List<NewRecord> records);

  /**
   * Reads records from {@code fromOffset} on, at most {@code maxRecords} of them and, past the
   * first record, at most {@code maxBytes} in total (see {@link LogRecord#size()}). An offset below
   * the start offset reads from the start; one at or past the end reads nothing.
   */
  CompletableFuture<ReadResult> read(
      ShardRef shard, long fromOffset, int maxRecords, long maxBytes);

  /**
   * The offset of the first record that arrived at or after {@code timestampMillis}, or the end
   * offset when none did.
   */
  CompletableFuture<Long> offsetForTimestamp(ShardRef shard, long timestampMillis);

  /** The shard's current offsets, from memory. Fails with {@link ShardNotFoundException}. */
  ShardOffsets offsets(ShardRef shard);

  /**
   * The shard's offsets counting every append acknowledged so far, also other nodes' where storage
   * is shared (there {@link #offsets} may lag them by a refresh interval); {@link #offsets} where
   * only this node writes.
   */
  default CompletableFuture<ShardOffsets> currentOffsets(ShardRef shard) {
    try {
      return CompletableFuture.completedFuture(offsets(shard));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Seals the shard after every append called before this one; completes with its end offset.
   * Sealing is not persisted by the engine: the stream catalog re-seals closed shards at start.
   */
  CompletableFuture<Long> seal(ShardRef shard);

  /**
   * Whether a seal is final as soon as it completes: where only this node writes. Otherwise {@link
   * #finalEnd} settles the end later.
   */
  default boolean sealsAtOnce() {
    return true;
  }

  /**
   * The end of a sealed shard once no writer can add to it any more. A seal is final at once on
   * storage only this node writes to; where other nodes write too and may not know of the seal yet,
   * their late appends still count for a grace period from the first call of this, which completes
   * after it: so call it once every node can learn of the seal (it is in the shared node state).
   */
  default CompletableFuture<Long> finalEnd(ShardRef shard) {
    return CompletableFuture.completedFuture(offsets(shard).endOffset());
  }

  /**
   * Takes {@code endOffset} as the sealed shard's end, as it was settled for every node (see {@link
   * #finalEnd}): this engine may have fixed its own end earlier, or seen a later one. Nothing to do
   * where the seal is final at once.
   */
  default void settledAt(ShardRef shard, long endOffset) {}

  /**
   * Another node closed the shard: appends called from now on fail with {@link
   * ShardSealedException}, ahead of the seal this node makes once it has applied the change.
   * Nothing to do where only this node writes.
   */
  default void fence(ShardRef shard) {}

  /**
   * Lifts a {@link #fence}: the change that closed the shard lost to another in the shared order,
   * and the shard is open after all.
   */
  default void unfence(ShardRef shard) {}

  /**
   * Keeps this node from acknowledging appends that a seal made by another node may leave past the
   * shard's end: {@code viewAgeNanos} tells how old this node's view of the shared node state is,
   * through which it learns of such seals (see {@code StateStore.viewAgeNanos}). Nothing to do
   * where only this node writes.
   */
  default void fenceWrites(LongSupplier viewAgeNanos) {}

  /**
   * Deletes whole stored units (segments) all of whose records arrived before {@code cutoffMillis},
   * never the one being written; completes with the new start offset.
   */
  CompletableFuture<Long> trim(ShardRef shard, long cutoffMillis);

  /** Deletes the shard's log and everything stored for it. */
  CompletableFuture<Void> deleteShard(ShardRef shard);

  /**
   * Deletes the log of a closed shard that expired while its stream lives on. Storage the shard
   * shares with the stream's other shards stays, whichever of them this engine holds: it may not
   * hold them all (attaching one failed), and would take the shard for the stream's last.
   */
  default CompletableFuture<Void> deleteExpiredShard(ShardRef shard) {
    return deleteShard(shard);
  }

  /**
   * Stops holding a shard that another node deleted in storage this engine shares; an engine that
   * owns its storage deletes it. A shared store's name may already belong to a new stream, which
   * only its creator knows of yet.
   */
  default CompletableFuture<Void> forgetShard(ShardRef shard) {
    return deleteShard(shard);
  }

  /** Completes pending appends, syncs and closes files, and stops the engine's threads. */
  @Override
  void close();
}
