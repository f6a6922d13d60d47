package dev.sluice.log.file;

import static dev.sluice.log.file.LogFixtures.SHARD;
import static dev.sluice.log.file.LogFixtures.await;
import static dev.sluice.log.file.LogFixtures.files;
import static dev.sluice.log.file.LogFixtures.fill;
import static dev.sluice.log.file.LogFixtures.record;
import static dev.sluice.log.file.LogFixtures.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.log.AppendResult;
import dev.sluice.log.LogException;
import dev.sluice.log.LogListener;
import dev.sluice.log.ShardNotFoundException;
import dev.sluice.log.ShardRef;
import dev.sluice.log.ShardSealedException;
import dev.sluice.testing.TestClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileLogEngineLifecycleTest {

  @TempDir Path root;
  private Path dir;
  private final TestClock clock = new TestClock(1_000);
  private FileLogEngine engine;

  @AfterEach
  void closeEngine() {
    if (engine != null) {
      engine.close();
    }
  }

  private void open() {
    dir = root.resolve("log");
    engine = start(dir, LogFixtures.small(400), clock, LogListener.NONE);
    await(engine.createShard(SHARD));
  }

  private static void assertFailsWith(CompletableFuture<?> f, Class<? extends Throwable> type) {
    assertThat(f)
        .failsWithin(Duration.ofSeconds(20))
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(type);
  }

  @Test
  void seal_completesWithTheEndOffset_andLaterAppendsFail() {
    open();
    fill(engine, SHARD, 3, 2);

    long end = await(engine.seal(SHARD));

    assertThat(end).isEqualTo(6);
    assertThat(engine.offsets(SHARD).sealed()).isTrue();
    assertFailsWith(engine.append(SHARD, List.of(record("k", "v"))), ShardSealedException.class);
    assertThat(engine.offsets(SHARD).endOffset()).isEqualTo(6);
    assertThat(await(engine.read(SHARD, 0, 100, Long.MAX_VALUE)).records()).hasSize(6);
  }

  @Test
  void seal_ordersAfterAppendsCalledBeforeIt_andBeforeThoseAfter() {
    open();
    List<CompletableFuture<AppendResult>> before = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      before.add(engine.append(SHARD, List.of(record("k", "v" + i))));
    }

    CompletableFuture<Long> sealed = engine.seal(SHARD);
    CompletableFuture<AppendResult> after = engine.append(SHARD, List.of(record("k", "late")));

    assertThat(await(sealed)).isEqualTo(50);
    before.forEach(f -> assertThat(await(f).count()).isEqualTo(1));
    assertFailsWith(after, ShardSealedException.class);
  }

  @Test
  void createShard_isIdempotent() {
    open();
    fill(engine, SHARD, 2, 1);

    await(engine.createShard(SHARD));

    assertThat(engine.shards()).containsExactly(SHARD);
    assertThat(engine.offsets(SHARD).endOffset()).isEqualTo(2);
  }

  @Test
  void deleteShard_removesItsFilesAndTheEmptyStreamDirectory() throws IOException {
    open();
    ShardRef other = new ShardRef("orders", "shardId-000000000001");
    await(engine.createShard(other));
    fill(engine, SHARD, 10, 2);
    Path streamDir = dir.resolve("s-orders");

    await(engine.deleteShard(SHARD));

    assertThat(streamDir.resolve(SHARD.shard())).doesNotExist();
    assertThat(streamDir).exists();
    assertThat(engine.shards()).containsExactly(other);
    assertThatThrownBy(() -> engine.offsets(SHARD)).isInstanceOf(ShardNotFoundException.class);
    assertFailsWith(engine.read(SHARD, 0, 1, 1), ShardNotFoundException.class);
    assertFailsWith(engine.append(SHARD, List.of(record("k", "v"))), ShardNotFoundException.class);

    await(engine.deleteShard(other));
    assertThat(streamDir).doesNotExist();
    assertThat(files(dir, ".log")).isEmpty();
  }

  @Test
  void createShard_afterDelete_startsEmpty() {
    open();
    fill(engine, SHARD, 5, 2);

    await(engine.deleteShard(SHARD));
    await(engine.createShard(SHARD));

    assertThat(engine.offsets(SHARD).endOffset()).isZero();
    assertThat(await(engine.read(SHARD, 0, 100, Long.MAX_VALUE)).records()).isEmpty();
    assertThat(await(engine.append(SHARD, List.of(record("k", "v")))).baseOffset()).isZero();
  }

  @Test
  void createShard_filesLeftByADeletionThatFailedHalfWay_startsEmpty() throws IOException {
    open();
    fill(engine, SHARD, 5, 2);
    Path shardDir = dir.resolve("s-orders").resolve(SHARD.shard());
    Path saved = Files.createTempDirectory("sluice-left");
    try (var files = Files.list(shardDir)) {
      for (Path f : files.toList()) {
        Files.copy(f, saved.resolve(f.getFileName()));
      }
    }
    await(engine.deleteShard(SHARD));
    // what a deletion that stopped on an I/O error leaves: the old segments, no open shard
    Files.createDirectories(shardDir);
    try (var files = Files.list(saved)) {
      for (Path f : files.toList()) {
        Files.copy(f, shardDir.resolve(f.getFileName()));
      }
    }

    await(engine.createShard(SHARD));

    assertThat(engine.offsets(SHARD).endOffset()).as("not the old shard's records").isZero();
    assertThat(await(engine.read(SHARD, 0, 100, Long.MAX_VALUE)).records()).isEmpty();
  }

  @Test
  void shardOfStreamDotDot_staysInsideTheDirectory() throws IOException {
    open();
    ShardRef dotDot = new ShardRef("..", "shardId-000000000000");
    ShardRef dot = new ShardRef(".", "shardId-000000000000");

    await(engine.createShard(dotDot));
    await(engine.createShard(dot));
    await(engine.append(dotDot, List.of(record("k", "v"))));
    await(engine.append(dot, List.of(record("k", "w"))));

    assertThat(dir.resolve("s-..").resolve("shardId-000000000000")).isDirectory();
    assertThat(dir.resolve("s-.").resolve("shardId-000000000000")).isDirectory();
    try (var siblings = Files.list(root)) {
      assertThat(siblings).containsExactly(dir);
    }
    assertThat(files(dir, ".log")).allMatch(p -> p.normalize().startsWith(dir));
    engine.close();
    engine = start(dir, LogFixtures.small(400), clock, LogListener.NONE);
    assertThat(engine.shards()).containsExactlyInAnyOrder(SHARD, dot, dotDot);
    await(engine.deleteShard(dotDot));
    assertThat(dir.resolve("s-..")).doesNotExist();
    assertThat(dir).isDirectory();
  }

  @Test
  void createShard_withPathLikeShardId_fails() {
    open();

    assertFailsWith(engine.createShard(new ShardRef("orders", "..")), LogException.class);
    assertFailsWith(
        engine.createShard(new ShardRef("a/b", "shardId-000000000000")), LogException.class);
  }

  @Test
  void unknownShard_failsWithShardNotFound() {
    open();
    ShardRef unknown = new ShardRef("nope", "shardId-000000000000");

    assertFailsWith(
        engine.append(unknown, List.of(record("k", "v"))), ShardNotFoundException.class);
    assertFailsWith(engine.read(unknown, 0, 1, 1), ShardNotFoundException.class);
    assertFailsWith(engine.seal(unknown), ShardNotFoundException.class);
    assertFailsWith(engine.trim(unknown, 0), ShardNotFoundException.class);
    assertFailsWith(engine.deleteShard(unknown), ShardNotFoundException.class);
    assertThatThrownBy(() -> engine.offsets(unknown)).isInstanceOf(ShardNotFoundException.class);
  }

  @Test
  void afterClose_operationsFailWithLogException() {
    open();
    engine.close();

    assertFailsWith(engine.append(SHARD, List.of(record("k", "v"))), LogException.class);
    assertFailsWith(engine.read(SHARD, 0, 1, 1), LogException.class);
    assertFailsWith(engine.createShard(SHARD), LogException.class);
    assertThatThrownBy(() -> engine.offsets(SHARD)).isInstanceOf(LogException.class);
  }
}
