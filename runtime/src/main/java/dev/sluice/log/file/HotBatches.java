package dev.sluice.log.file;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.sluice.log.LogRecord;
import dev.sluice.log.NewRecord;
import java.util.List;

/**
 * Recently appended batches, so that readers tailing a shard are served without disk reads. Holds
 * only durable batches, keyed by the shard log instance (a deleted and re-created shard starts
 * afresh) and base offset; bounded by bytes. Records share the producer's arrays, which the log
 * never changes.
 */
final class HotBatches {

  private static final int ENTRY_OVERHEAD = 64;
  private static final int RECORD_OVERHEAD = 48;

  private record Key(ShardLog log, long baseOffset) {}

  private record Batch(long baseOffset, long arrivalMillis, List<NewRecord> records, int weight) {}

  private final Cache<Key, Batch> cache;

  HotBatches(long maxBytes) {
    this.cache =
        maxBytes <= 0
            ? null
            : Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher(HotBatches::weigh)
                .executor(Runnable::run)
                .build();
  }

  // The encoded size is known already; walking the records to weigh them cost the writer thread
  // as much as writing them.
  private static int weigh(Key key, Batch batch) {
    return batch.weight();
  }

  /** Remembers a batch that just became durable. */
  void put(ShardLog log, AppendTask t) {
    if (cache != null) {
      cache.put(
          new Key(log, t.baseOffset()),
          new Batch(
              t.baseOffset(),
              t.arrivalMillis(),
              t.records,
              (int)
                  Math.min(
                      Integer.MAX_VALUE,
                      ENTRY_OVERHEAD
                          + (long) t.bytes()
                          + (long) RECORD_OVERHEAD * t.records.size())));
    }
  }

  /**
   * Serves records from {@code offset} on while the batch starting there is cached; returns the
   * offset after the last record served.
   */
  long serve(ShardLog log, long offset, long endOffset, List<LogRecord> out, ReadBudget budget) {
    if (cache == null) {
      return offset;
    }
    long next = offset;
    while (next < endOffset && !budget.full()) {
      Batch b = cache.getIfPresent(new Key(log, next));
      if (b == null) {
        break;
      }
      for (NewRecord r : b.records()) {
        if (!budget.take(r.size())) {
          return next;
        }
        out.add(new LogRecord(next++, b.arrivalMillis(), r.partitionKey(), r.data()));
      }
    }
    return next;
  }

  /** Forgets every batch of a shard log. */
  void invalidate(ShardLog log) {
    if (cache != null) {
      cache.asMap().keySet().removeIf(k -> k.log() == log);
    }
  }

  void clear() {
    if (cache != null) {
      cache.invalidateAll();
    }
  }
}
