package dev.sluice.stream;

import java.math.BigInteger;
import java.util.List;

/** Finds the open shard that owns a hash key, by binary search over the open ranges. */
final class ShardRouter {

  private final Shard[] open;

  ShardRouter(List<Shard> openShardsInHashOrder) {
    this.open = openShardsInHashOrder.toArray(new Shard[0]);
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
