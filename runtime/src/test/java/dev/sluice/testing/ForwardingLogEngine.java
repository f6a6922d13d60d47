package dev.sluice.testing;

import dev.sluice.log.AppendResult;
import dev.sluice.log.LogEngine;
import dev.sluice.log.NewRecord;
import dev.sluice.log.ReadResult;
import dev.sluice.log.ShardOffsets;
import dev.sluice.log.ShardRef;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A real engine behind a wrapper that a test subclasses to hold back or fail one operation. Its own
 * start and close do nothing: the test starts and closes the engine it wraps.
 */
public class ForwardingLogEngine implements LogEngine {

  protected final LogEngine engine;

  public ForwardingLogEngine(LogEngine engine) {
    this.engine = engine;
  }

  @Override
  public void start() {}

  @Override
  public Set<ShardRef> shards() {
    return engine.shards();
  }

  @Override
  public CompletableFuture<Void> createShard(ShardRef shard) {
    return engine.createShard(shard);
  }

  @Override
  public CompletableFuture<AppendResult> append(ShardRef shard, List<NewRecord> records) {
    return engine.append(shard, records);
  }

  @Override
  public CompletableFuture<ReadResult> read(
      ShardRef shard, long fromOffset, int maxRecords, long maxBytes) {
    return engine.read(shard, fromOffset, maxRecords, maxBytes);
  }

  @Override
  public CompletableFuture<Long> offsetForTimestamp(ShardRef shard, long timestampMillis) {
    return engine.offsetForTimestamp(shard, timestampMillis);
  }

  @Override
  public ShardOffsets offsets(ShardRef shard) {
    return engine.offsets(shard);
  }

  @Override
  public CompletableFuture<Long> seal(ShardRef shard) {
    return engine.seal(shard);
  }

  @Override
  public CompletableFuture<Long> trim(ShardRef shard, long cutoffMillis) {
    return engine.trim(shard, cutoffMillis);
  }

  @Override
  public CompletableFuture<Void> deleteShard(ShardRef shard) {
    return engine.deleteShard(shard);
  }

  @Override
  public CompletableFuture<Void> deleteExpiredShard(ShardRef shard) {
    return engine.deleteExpiredShard(shard);
  }

  @Override
  public void close() {}
}
