package dev.sluice.log.file;

import dev.sluice.log.LogListener;
import java.nio.file.Path;
import java.time.Clock;

/**
 * What every shard log of one engine shares.
 *
 * @param dirLock guards creating and removing stream directories, which shards of one stream on
 *     different writer threads would otherwise race on
 */
record EngineContext(
    Path root,
    FileLogOptions options,
    Clock clock,
    LogListener listener,
    HotBatches hot,
    ChannelOpener opener,
    Object dirLock) {

  /** Tells the listener about a sync; a failing listener must not fail the write. */
  void reportSync(long nanos) {
    if (nanos < 0) {
      return;
    }
    try {
      listener.onFsync(nanos);
    } catch (RuntimeException e) {
      // metrics are not worth failing an append for
    }
  }
}
