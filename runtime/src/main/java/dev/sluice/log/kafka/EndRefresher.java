package dev.sluice.log.kafka;

import dev.sluice.log.LogBusyException;
import dev.sluice.log.LogListener;
import dev.sluice.log.ShardRef;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Makes other writers' appends visible: asks for the end offsets of every held partition in one
 * request, moves each shard's cached end forward, and reports the new records to the {@link
 * LogListener} as {@link LogListener#onRemoteAppend remote appends}.
 *
 * <p>Threads: rounds start on the engine's thread {@code sluice-kafka-refresh} and never wait:
 * answers are applied on the Admin client's thread as they arrive, so one slow partition (a topic
 * another node deleted, looked up until the request times out) holds back no other. A partition
 * still waiting for an answer is left out of later rounds until it gets one.
 */
final class EndRefresher implements Runnable {

  private static final Logger LOG = Logger.getLogger(EndRefresher.class);

  /** How long one request may look for a partition's leader before giving up for the round. */
  private static final int REQUEST_TIMEOUT_MS = 5_000;

  private final TopicAdmin admin;
  private final Map<ShardRef, ShardState> states;
  private final Clock clock;
  private final LogListener listener;
  private final Set<TopicPartition> asking = ConcurrentHashMap.newKeySet();

  EndRefresher(
      TopicAdmin admin, Map<ShardRef, ShardState> states, Clock clock, LogListener listener) {
    this.admin = admin;
    this.states = states;
    this.clock = clock;
    this.listener = listener;
  }

  /** One round over every held shard not waiting for an answer already. */
  @Override
  public void run() {
    try {
      List<ShardState> ask = new ArrayList<>();
      for (ShardState s : states.values()) {
        if (asking.add(s.partition)) {
          ask.add(s);
        }
      }
      // each partition may be asked again as soon as its own answer came: not after the round's
      // slowest, which may be a deleted topic looked up until the request times out
      ask(ask, s -> asking.remove(s.partition));
    } catch (RuntimeException e) {
      // a periodic task that throws is never run again: log, and try next round
      LOG.debugf(e, "refreshing Kafka end offsets failed");
    }
  }

  /**
   * Asks the broker for these shards' end offsets now; completes (never exceptionally) once each
   * shard has its answer applied, or failed to get one.
   */
  CompletableFuture<Void> ask(Collection<ShardState> shards) {
    return ask(shards, s -> {}).thenApply(answered -> null);
  }

  /**
   * As {@link #ask(Collection)}, but fails with a {@link LogBusyException} when a shard got no
   * answer: for callers that must not go on from a stale end.
   */
  CompletableFuture<Void> confirm(Collection<ShardState> shards) {
    return ask(shards, s -> {})
        .thenApply(
            answered -> {
              if (!answered) {
                throw new LogBusyException(
                    "the broker did not answer for the end of " + shards.size() + " shard(s)");
              }
              return null;
            });
  }

  /**
   * As {@link #ask(Collection)}, calling {@code answered} for each shard once it is settled;
   * completes with whether every shard got its answer.
   */
  private CompletableFuture<Boolean> ask(
      Collection<ShardState> shards, Consumer<ShardState> answered) {
    if (shards.isEmpty()) {
      return CompletableFuture.completedFuture(true);
    }
    Map<TopicPartition, CompletableFuture<Long>> ends;
    try {
      ends = admin.endOffsets(shards.stream().map(s -> s.partition).toList(), REQUEST_TIMEOUT_MS);
    } catch (RuntimeException e) {
      shards.forEach(answered);
      return CompletableFuture.completedFuture(false);
    }
    List<CompletableFuture<Boolean>> applied = new ArrayList<>();
    for (ShardState s : shards) {
      applied.add(
          ends.get(s.partition)
              .thenApply(
                  end -> {
                    apply(s, end);
                    return true;
                  })
              .exceptionally(e -> false)
              .whenComplete((v, e) -> answered.accept(s)));
    }
    return CompletableFuture.allOf(applied.toArray(CompletableFuture[]::new))
        .thenApply(v -> applied.stream().allMatch(CompletableFuture::join));
  }

  private void apply(ShardState s, long end) {
    long added = s.refreshed(end, clock.millis());
    if (added > 0) {
      try {
        listener.onRemoteAppend(s.ref, (int) Math.min(added, Integer.MAX_VALUE), end - 1);
      } catch (RuntimeException ignored) {
        // listeners must not stop the refresher
      }
    }
  }
}
