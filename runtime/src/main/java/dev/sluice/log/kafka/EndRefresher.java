package dev.sluice.log.kafka;

import dev.sluice.log.LogListener;
import dev.sluice.log.ShardRef;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Makes other writers' appends visible: fetches the end offsets of every held partition in one
 * request, moves each shard's cached end forward, and reports the new records to the {@link
 * LogListener} as {@link LogListener#onRemoteAppend remote appends}. Runs on the engine's thread
 * {@code sluice-kafka-refresh} only, so rounds never overlap and never block a caller.
 */
final class EndRefresher implements Runnable {

  private static final Logger LOG = Logger.getLogger(EndRefresher.class);

  private final TopicAdmin admin;
  private final Map<ShardRef, ShardState> states;
  private final Clock clock;
  private final LogListener listener;

  EndRefresher(
      TopicAdmin admin, Map<ShardRef, ShardState> states, Clock clock, LogListener listener) {
    this.admin = admin;
    this.states = states;
    this.clock = clock;
    this.listener = listener;
  }

  /** One round over every held shard; failures wait for the next round. */
  @Override
  public void run() {
    try {
      refresh(List.copyOf(states.values()));
    } catch (RuntimeException e) {
      // a periodic task that throws is never run again: log, and try next round
      LOG.debugf(e, "refreshing Kafka end offsets failed");
    }
  }

  /** Refreshes these shards now. */
  void refresh(Collection<ShardState> shards) {
    if (shards.isEmpty()) {
      return;
    }
    Map<TopicPartition, Long> ends =
        admin.endOffsets(shards.stream().map(s -> s.partition).toList());
    long now = clock.millis();
    for (ShardState s : shards) {
      Long end = ends.get(s.partition);
      long added = end == null ? 0 : s.refreshed(end, now);
      if (added > 0) {
        report(s.ref, added, end - 1);
      }
    }
  }

  private void report(ShardRef shard, long records, long lastOffset) {
    try {
      listener.onRemoteAppend(shard, (int) Math.min(records, Integer.MAX_VALUE), lastOffset);
    } catch (RuntimeException ignored) {
      // listeners must not stop the refresher
    }
  }
}
