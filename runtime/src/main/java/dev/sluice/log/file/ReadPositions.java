package dev.sluice.log.file;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Where recent reads stopped: for an offset a read ended at, the segment and file position of the
 * batch holding it. The next read from that offset starts there instead of searching the index.
 * Entries are hints: a reader checks the segment still exists before using one.
 */
final class ReadPositions {

  private static final int MAX_ENTRIES = 10_000;

  private record Key(ShardLog log, long offset) {}

  /** A batch position in a segment. */
  record Position(long segmentBase, long filePosition) {}

  private final Cache<Key, Position> cache =
      Caffeine.newBuilder().maximumSize(MAX_ENTRIES).executor(Runnable::run).build();

  Position get(ShardLog log, long offset) {
    return cache.getIfPresent(new Key(log, offset));
  }

  void put(ShardLog log, long offset, long segmentBase, long filePosition) {
    cache.put(new Key(log, offset), new Position(segmentBase, filePosition));
  }

  void clear() {
    cache.invalidateAll();
  }
}
