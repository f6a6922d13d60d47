package dev.sluice.log.file;

import dev.sluice.log.ShardRef;

/**
 * Observes the work of a {@link FileLogEngine}, e.g. to record metrics. Methods run on the engine's
 * writer threads and must return quickly; exceptions they throw are ignored.
 */
public interface LogListener {

  /** Does nothing. */
  LogListener NONE = new LogListener() {};

  /** A file was synced to disk, which took {@code nanos}. */
  default void onFsync(long nanos) {}

  /** An append became durable: {@code records} records in {@code bytes} bytes of log. */
  default void onAppend(ShardRef shard, int records, long bytes, long lastOffset) {}
}
