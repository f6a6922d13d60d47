package dev.sluice.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.log.LogListener;
import dev.sluice.log.ShardRef;
import dev.sluice.stream.ShardWatch;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class EngineEventsTest {

  static final ShardRef SHARD = new ShardRef("orders", "shardId-000000000000");

  @Test
  void remoteAppend_wakesTheShardsWaiters_andReachesTheMeters() {
    List<Long> metered = new ArrayList<>();
    EngineEvents events =
        new EngineEvents(
            new LogListener() {
              @Override
              public void onAppend(ShardRef shard, int records, long bytes, long lastOffset) {
                metered.add(lastOffset);
              }
            });
    ShardWatch watch = new ShardWatch();
    events.wake(watch);
    CompletableFuture<Void> waiting = watch.next(SHARD);

    events.onRemoteAppend(SHARD, 3, 7);

    assertThat(waiting).isCompleted();
    assertThat(metered).containsExactly(7L);
  }

  @Test
  void localAppend_leavesWakingToTheAppender() {
    EngineEvents events = new EngineEvents(LogListener.NONE);
    ShardWatch watch = new ShardWatch();
    events.wake(watch);
    CompletableFuture<Void> waiting = watch.next(SHARD);

    events.onAppend(SHARD, 1, 10, 0);

    assertThat(waiting).isNotDone();
  }
}
