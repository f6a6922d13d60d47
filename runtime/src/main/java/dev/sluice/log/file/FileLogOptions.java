package dev.sluice.log.file;

/**
 * Tuning of a {@link FileLogEngine}.
 *
 * @param segmentBytes size at which the active segment of a shard rolls over to a new one
 * @param indexIntervalBytes log bytes between two entries of a segment's sparse index
 * @param writerThreads threads that write and sync appends; shards are hashed over them
 * @param readerThreads threads that serve reads
 * @param hotCacheBytes bound of the cache of recently appended batches; 0 turns it off
 */
public record FileLogOptions(
    long segmentBytes,
    int indexIntervalBytes,
    int writerThreads,
    int readerThreads,
    long hotCacheBytes) {

  /** Validates the ranges. */
  public FileLogOptions {
    // Index entries hold 32-bit file positions, so a segment must stay addressable with an int.
    if (segmentBytes < 1 || segmentBytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("segmentBytes out of range: " + segmentBytes);
    }
    if (indexIntervalBytes < 1) {
      throw new IllegalArgumentException("indexIntervalBytes must be positive");
    }
    if (writerThreads < 1 || readerThreads < 1) {
      throw new IllegalArgumentException("writerThreads and readerThreads must be positive");
    }
    if (hotCacheBytes < 0) {
      throw new IllegalArgumentException("hotCacheBytes must not be negative");
    }
  }

  /** 64 MiB segments, an index entry per 4 KiB, one writer, two readers, a 32 MiB hot cache. */
  public static FileLogOptions defaults() {
    return new FileLogOptions(64L << 20, 4096, 1, 2, 32L << 20);
  }

  /** A copy with another segment size. */
  public FileLogOptions withSegmentBytes(long bytes) {
    return new FileLogOptions(
        bytes, indexIntervalBytes, writerThreads, readerThreads, hotCacheBytes);
  }

  /** A copy with another index interval. */
  public FileLogOptions withIndexIntervalBytes(int bytes) {
    return new FileLogOptions(segmentBytes, bytes, writerThreads, readerThreads, hotCacheBytes);
  }

  /** A copy with other thread counts. */
  public FileLogOptions withThreads(int writers, int readers) {
    return new FileLogOptions(segmentBytes, indexIntervalBytes, writers, readers, hotCacheBytes);
  }

  /** A copy with another hot cache bound. */
  public FileLogOptions withHotCacheBytes(long bytes) {
    return new FileLogOptions(
        segmentBytes, indexIntervalBytes, writerThreads, readerThreads, bytes);
  }
}
