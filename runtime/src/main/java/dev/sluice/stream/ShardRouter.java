package dev.sluice.stream;

import java.math.BigInteger;
import java.util.List;

/**
 * Finds the open shard that owns a hash key, by binary search over the open ranges of one stream
 * generation (its creation time), which the sequence numbers of the records written there carry.
 */
final class ShardRouter {

  private final Shard[] open;
  private final long generation;

  ShardRouter(List<Shard> openShardsInHashOrder, long generation) {
    this.open = openShardsInHashOrder.toArray(new Shard[0]);
    this.generation = generation;
  }

  /** The creation time of the stream these shards belong to. */
  long generation() {
    return generation;
  }

  /** The open shard whose range holds {@code hashKey}; {@link StreamException} when none does. */
  Shard routeOrFail(String stream, BigInteger hashKey) {
    Shard shard = route(hashKey);
    if (shard == null) {
      throw StreamException.notFound("Stream " + stream + " not found.");
    }
    return shard;
  }

  /** The open shard whose range holds {@code hashKey}; null when the stream has none open. */
  Shard route(BigInteger hashKey) {
    int lo = 0;
    int hi = open.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      Shard s = open[mid];
      if (hashKey.compareTo(s.range().start()) < 0) {
        hi = mid - 1;
      } else if (hashKey.compareTo(s.range().end()) > 0) {
        lo = mid + 1;
      } else {
        return s;
      }
    }
    return null;
  }
}
