package dev.sluice.stream;

import dev.sluice.log.ShardRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Wakes consumers waiting on a shard when something happens to it: records were appended, or the
 * stream was resharded (a waiting reader must notice that its shard closed). Consumers wait without
 * threads or polling: an idle shard costs one pending future per consumer.
 */
public final class ShardWatch {

  private final Map<ShardRef, List<CompletableFuture<Void>>> waiters = new ConcurrentHashMap<>();

  /**
   * A future that completes at the next change of {@code shard}. Callers check the shard's state
   * after registering, so a change between their check and the registration is not missed.
   */
  public CompletableFuture<Void> next(ShardRef shard) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    waiters.compute(
        shard,
        (k, list) -> {
          List<CompletableFuture<Void>> l = list == null ? new ArrayList<>() : list;
          l.add(f);
          return l;
        });
    return f;
  }

  /**
   * Forgets {@code future}, registered with {@link #next} for {@code shard}: a consumer that stops
   * while its shard is idle would otherwise leave it held until the shard next changes, which for
   * an idle or deleted stream is never.
   */
  public void cancel(ShardRef shard, CompletableFuture<Void> future) {
    waiters.computeIfPresent(
        shard,
        (k, list) -> {
          list.remove(future);
          return list.isEmpty() ? null : list;
        });
  }

  /** How many futures wait on {@code shard}: each is kept until its shard changes. */
  public int waiting(ShardRef shard) {
    List<CompletableFuture<Void>> l = waiters.get(shard);
    return l == null ? 0 : l.size();
  }

  /** Wakes everyone waiting on {@code shard}. */
  public void changed(ShardRef shard) {
    List<CompletableFuture<Void>> woken = waiters.remove(shard);
    if (woken != null) {
      woken.forEach(f -> f.complete(null));
    }
  }

  /** Wakes everyone waiting on any shard of {@code stream}. */
  public void streamChanged(String stream) {
    for (ShardRef ref : List.copyOf(waiters.keySet())) {
      if (ref.stream().equals(stream)) {
        changed(ref);
      }
    }
  }
}
