package dev.sluice.log.file;

import static dev.sluice.log.file.LogFixtures.SHARD;
import static dev.sluice.log.file.LogFixtures.await;
import static dev.sluice.log.file.LogFixtures.record;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.log.AppendResult;
import dev.sluice.log.LogBusyException;
import dev.sluice.log.LogListener;
import dev.sluice.log.NewRecord;
import dev.sluice.testing.TestClock;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Appends to a shard whose disk stalls are refused once the writer's queue is full. */
class FileLogEngineBackpressureTest {

  @TempDir Path dir;
  private final CountDownLatch disk = new CountDownLatch(1);
  private final AtomicBoolean stalled = new AtomicBoolean();
  private final CountDownLatch inForce = new CountDownLatch(1);
  private FileLogEngine engine;

  @AfterEach
  void close() {
    disk.countDown();
    engine.close();
  }

  @Test
  void append_diskStalledAndQueueFull_refusedAsBusyAndTheQueuedOnesLandOnceItSyncs()
      throws Exception {
    AtomicBoolean never = new AtomicBoolean();
    ChannelOpener stalling =
        (path, options) ->
            new FaultyChannel(FileChannel.open(path, options), never, never)
                .beforeForce(this::waitWhileStalled);
    engine =
        new FileLogEngine(
            dir, FileLogOptions.defaults(), new TestClock(1_000), LogListener.NONE, stalling);
    engine.start();
    await(engine.createShard(SHARD));
    stalled.set(true);
    List<NewRecord> mib = List.of(record("k", "x".repeat(1 << 20)));
    // the writer takes this one off its queue and stalls syncing it; the rest waits in the queue
    CompletableFuture<AppendResult> syncing = engine.append(SHARD, mib);
    assertThat(inForce.await(30, TimeUnit.SECONDS)).isTrue();

    List<CompletableFuture<AppendResult>> queued = new ArrayList<>();
    CompletableFuture<AppendResult> refused = null;
    for (int i = 0; i < 200 && refused == null; i++) {
      CompletableFuture<AppendResult> f = engine.append(SHARD, mib);
      if (f.isCompletedExceptionally()) {
        refused = f;
      } else {
        queued.add(f);
      }
    }

    assertThat(refused).as("refused before 200 MiB were queued").isNotNull();
    assertThat(refused.handle((r, e) -> e).get()).isInstanceOf(LogBusyException.class);
    assertThat(queued.size()).isBetween(127, 128); // the 128 MiB bound, records' own bytes aside
    stalled.set(false);
    disk.countDown();
    assertThat(syncing.get(60, TimeUnit.SECONDS).count()).isEqualTo(1);
    for (CompletableFuture<AppendResult> f : queued) {
      assertThat(f.get(60, TimeUnit.SECONDS).count()).isEqualTo(1);
    }
    assertThat(engine.append(SHARD, mib).get(60, TimeUnit.SECONDS).count()).isEqualTo(1);
  }

  private void waitWhileStalled() {
    if (!stalled.get()) {
      return;
    }
    inForce.countDown();
    try {
      disk.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
