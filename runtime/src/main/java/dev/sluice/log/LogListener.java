package dev.sluice.log;

/**
 * Observes the work of a {@link LogEngine}, e.g. to record metrics. Methods run on the engine's own
 * threads and must return quickly; exceptions they throw are ignored.
 */
public interface LogListener {

  /** Does nothing. */
  LogListener NONE = new LogListener() {};

  /** A file was synced to disk, which took {@code nanos}. */
  default void onFsync(long nanos) {}

  /** An append became durable: {@code records} records in {@code bytes} bytes of log. */
  default void onAppend(ShardRef shard, int records, long bytes, long lastOffset) {}

  /**
   * Records that another writer (another node sharing the storage) appended became readable: {@code
   * records} of them, the newest at {@code lastOffset}. Their size is unknown; by default this is
   * reported as an append of 0 bytes. Consumers waiting on the shard are not woken by the engine:
   * whoever wakes them on local appends should do it here too.
   */
  default void onRemoteAppend(ShardRef shard, int records, long lastOffset) {
    onAppend(shard, records, 0, lastOffset);
  }
}
