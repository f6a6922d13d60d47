package dev.sluice.node;

import dev.sluice.log.LogListener;
import dev.sluice.log.ShardRef;
import dev.sluice.stream.ShardWatch;

/**
 * What the node does with its log engine's events: meters them, and wakes the consumers waiting on
 * a shard when another node's records to it became readable (local appends wake them through the
 * stream appender). Runs on the engine's threads; the watch is set once the catalog exists, and
 * nobody waits on a shard before that.
 */
final class EngineEvents implements LogListener {

  private final LogListener meters;
  private volatile ShardWatch watch;

  EngineEvents(LogListener meters) {
    this.meters = meters;
  }

  /** From now on remote appends wake the waiters of {@code watch}. */
  void wake(ShardWatch watch) {
    this.watch = watch;
  }

  @Override
  public void onFsync(long nanos) {
    meters.onFsync(nanos);
  }

  @Override
  public void onAppend(ShardRef shard, int records, long bytes, long lastOffset) {
    meters.onAppend(shard, records, bytes, lastOffset);
  }

  @Override
  public void onRemoteAppend(ShardRef shard, int records, long lastOffset) {
    meters.onRemoteAppend(shard, records, lastOffset);
    ShardWatch w = watch;
    if (w != null) {
      w.changed(shard);
    }
  }
}
