package dev.sluice.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.log.LogEngine;
import dev.sluice.log.LogException;
import dev.sluice.log.LogListener;
import dev.sluice.log.ShardRef;
import dev.sluice.log.file.FileLogEngine;
import dev.sluice.log.file.FileLogOptions;
import dev.sluice.testing.ForwardingLogEngine;
import dev.sluice.testing.TestClock;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalog over a real file log, restarted on the same directory like a node would be. */
class StreamCatalogTest {

  static final long HOUR = 3_600_000L;

  /** The file engine's directory name of a stream, before the stream's name. */
  static final String STREAM_DIR = "s-";

  @TempDir Path dir;

  /** Where a test keeps a copy of {@link #dir}. */
  @TempDir Path spare;

  final TestClock clock = new TestClock(1_700_000_000_000L);
  FileLogEngine engine;
  StreamCatalog catalog;
  StreamAppender appender;

  void open() {
    engine =
        new FileLogEngine(
            dir.resolve("log"),
            FileLogOptions.defaults().withSegmentBytes(4096),
            clock,
            LogListener.NONE);
    engine.start();
    catalog = new StreamCatalog(dir, engine, clock, new StreamLimits(20, 2));
    catalog.start();
    appender = new StreamAppender(catalog, engine);
  }

  @AfterEach
  void close() {
    if (catalog != null) {
      catalog.close();
      engine.close();
    }
  }

  void reopen() {
    close();
    open();
  }

  void awaitStatus(String name, StreamStatus status) throws InterruptedException {
    for (int i = 0;
        i < 500 && catalog.find(name).map(StreamMeta::status).orElse(null) != status;
        i++) {
      Thread.sleep(5);
    }
    assertThat(catalog.require(name).status()).isEqualTo(status);
  }

  void createActive(String name, int shards) throws InterruptedException {
    catalog.create(name, shards, StreamMode.PROVISIONED, Map.of()).join();
    awaitStatus(name, StreamStatus.ACTIVE);
  }

  void splitActive(String name, String shard, BigInteger startingHashKey)
      throws InterruptedException {
    catalog.split(name, shard, startingHashKey).join();
    awaitStatus(name, StreamStatus.ACTIVE);
  }

  List<StreamAppender.Outcome> put(String stream, String key, String data) {
    return appender
        .append(
            stream,
            List.of(
                new StreamAppender.Entry(
                    key, HashKeys.ofPartitionKey(key), data.getBytes(StandardCharsets.UTF_8))))
        .join();
  }

  @Test
  void append_shardDeletedAfterRouting_notFoundNotAnInternalFailure() throws Exception {
    open();
    createActive("gone", 1);
    // what a DeleteStream through another node leaves this one with until it applies the change
    String shard = catalog.require("gone").openShards().get(0).id();
    engine.deleteShard(new ShardRef("gone", shard)).join();

    assertThatThrownBy(() -> put("gone", "k", "late"))
        .hasCauseInstanceOf(StreamException.class)
        .satisfies(
            e ->
                assertThat(((StreamException) e.getCause()).kind())
                    .isEqualTo(StreamException.Kind.NOT_FOUND));
  }

  @Test
  void create_nameDifferingOnlyByCaseOnACaseFoldingFileSystem_resourceInUse() throws Exception {
    open();
    catalog.close();
    catalog = new StreamCatalog(dir, engine, clock, new StreamLimits(20, 2), true);
    catalog.start();
    createActive("Orders", 1);

    assertThatThrownBy(() -> catalog.create("orders", 1, StreamMode.PROVISIONED, Map.of()).join())
        .hasCauseInstanceOf(StreamException.class)
        .hasMessageContaining("differs from stream Orders only by case");
    assertThat(catalog.find("orders")).isEmpty();
  }

  @Test
  void create_nameDifferingOnlyByCaseOnThisFileSystem_bothStreams() throws Exception {
    open(); // Linux tells names apart by case
    createActive("Orders", 1);
    createActive("orders", 1);

    assertThat(catalog.require("Orders").status()).isEqualTo(StreamStatus.ACTIVE);
    assertThat(catalog.require("orders").status()).isEqualTo(StreamStatus.ACTIVE);
  }

  @Test
  void updateShardCount_aParentsLogUnusable_refusedWithTheOtherShardsStillTakingRecords()
      throws Exception {
    open();
    createActive("r", 2);
    String inShard1 = keyIn("r", "shardId-000000000001");
    for (int i = 0; i < 3; i++) {
      put("r", inShard1, "batch-" + i + "-" + "x".repeat(200));
    }
    close();
    Path segment = dir.resolve("log/s-r/shardId-000000000001/00000000000000000000.log");
    byte[] bytes = java.nio.file.Files.readAllBytes(segment);
    bytes[bytes.length / 4] ^=
        0x5a; // inside the first batch: recovery keeps the file, fails the shard
    java.nio.file.Files.write(segment, bytes);
    open();

    catalog.updateShardCount("r", 4).join();
    awaitStatus("r", StreamStatus.ACTIVE);
    Thread.sleep(100); // the failed reshard has run by now

    assertThat(catalog.require("r").shards()).hasSize(2);
    String inShard0 = keyIn("r", "shardId-000000000000");
    assertThat(put("r", inShard0, "after").get(0).ok()).as("shard 0 was not sealed").isTrue();
  }

  @Test
  void updateShardCount_aChildsCreationFails_rolledBackAndALaterSplitGetsFreshShards()
      throws Exception {
    AtomicInteger refusals = new AtomicInteger(1);
    openOn(
        files ->
            new ForwardingLogEngine(files) {
              @Override
              public CompletableFuture<Void> createShard(ShardRef shard) {
                // 2→3 makes 2, 5, 6 open and 3, 4 closed (sealed at once): 4 fails, 3 is made
                if (shard.shard().equals("shardId-000000000004")
                    && refusals.getAndDecrement() > 0) {
                  return CompletableFuture.failedFuture(new LogException("create failed"));
                }
                return super.createShard(shard);
              }
            });
    createActive("r", 2);
    catalog.updateShardCount("r", 3).join();
    awaitStatus("r", StreamStatus.ACTIVE);
    Thread.sleep(100); // the failed reshard has run by now
    assertThat(catalog.require("r").shards()).hasSize(2);

    splitActive("r", "shardId-000000000000", HashKeys.MAX.shiftRight(2));

    // the split's children reused 2 and 3, and 3's log was the sealed one left by the failure
    for (Shard s : catalog.require("r").openShards()) {
      assertThat(put("r", keyIn("r", s.id()), "after").get(0).ok()).as(s.id()).isTrue();
    }
  }

  @Test
  void updateShardCount_secondParentsSealFailsOnce_triedAgainAndEveryKeyStillTakesRecords()
      throws Exception {
    Set<String> sealedParents = ConcurrentHashMap.newKeySet();
    AtomicInteger refusals = new AtomicInteger(1);
    openOn(
        files ->
            new ForwardingLogEngine(files) {
              @Override
              public CompletableFuture<Long> seal(ShardRef shard) {
                boolean parent = shard.shard().compareTo("shardId-000000000002") < 0;
                if (parent
                    && !sealedParents.isEmpty()
                    && !sealedParents.contains(shard.shard())
                    && refusals.getAndDecrement() > 0) { // a disk that failed for a moment
                  return CompletableFuture.failedFuture(new LogException("seal failed"));
                }
                return super.seal(shard)
                    .whenComplete(
                        (end, e) -> {
                          if (parent && e == null) {
                            sealedParents.add(shard.shard());
                          }
                        });
              }
            });
    createActive("r", 2);
    String inShard0 = keyIn("r", "shardId-000000000000");
    String inShard1 = keyIn("r", "shardId-000000000001");

    catalog.updateShardCount("r", 4).join();
    for (int i = 0; i < 500 && catalog.require("r").openShards().size() != 4; i++) {
      Thread.sleep(10);
    }

    assertThat(refusals.get()).as("one seal was refused").isNotPositive();
    StreamMeta meta = catalog.require("r");
    assertThat(meta.status()).isEqualTo(StreamStatus.ACTIVE);
    assertThat(meta.openShards()).hasSize(4);
    for (String key : List.of(inShard0, inShard1)) {
      assertThat(put("r", key, "after").get(0).ok()).as("key %s", key).isTrue();
    }
  }

  /** A partition key that routes to {@code shardId}. */
  private String keyIn(String stream, String shardId) {
    for (int i = 0; ; i++) {
      String key = "key-" + i;
      if (catalog.route(stream, HashKeys.ofPartitionKey(key)).id().equals(shardId)) {
        return key;
      }
    }
  }

  @Test
  void create_thenRestart_streamShardsTagsAndRecordsSurvive() throws Exception {
    open();
    catalog.create("orders", 2, StreamMode.PROVISIONED, Map.of("team", "a")).join();
    awaitStatus("orders", StreamStatus.ACTIVE);
    String seq = put("orders", "order-1", "placed").get(0).sequenceNumber();
    reopen();
    StreamMeta m = catalog.require("orders");
    assertThat(m.status()).isEqualTo(StreamStatus.ACTIVE);
    assertThat(m.shards()).hasSize(2);
    assertThat(m.tags()).containsEntry("team", "a");
    Shard shard = catalog.route("orders", HashKeys.ofPartitionKey("order-1"));
    var read = engine.read(new ShardRef("orders", shard.id()), 0, 10, 1 << 20).join();
    assertThat(read.records())
        .singleElement()
        .satisfies(
            r -> assertThat(new String(r.data(), StandardCharsets.UTF_8)).isEqualTo("placed"));
    assertThat(
            SequenceNumbers.of(m.createdMillis(), shard.ordinal(), read.records().get(0).offset()))
        .isEqualTo(seq);
  }

  @Test
  void delete_someShardLogsGoneAlready_finishesAndTheNodeRestarts() throws Exception {
    open();
    createActive("d", 2);
    // what a crash between the shard deletions and the catalog's write leaves behind
    engine.deleteShard(new ShardRef("d", "shardId-000000000000")).join();

    catalog.delete("d").join();
    for (int i = 0; i < 500 && catalog.find("d").isPresent(); i++) {
      Thread.sleep(5);
    }

    assertThat(catalog.find("d")).isEmpty();
    assertThat(engine.shards()).isEmpty();
    reopen();
    assertThat(catalog.find("d")).isEmpty();
  }

  @Test
  void delete_storageFailsAShardLogsDeletionOnce_triedAgainUntilTheStreamIsGone() throws Exception {
    AtomicInteger refusals = new AtomicInteger(1);
    openOn(
        files ->
            new ForwardingLogEngine(files) {
              @Override
              public CompletableFuture<Void> deleteShard(ShardRef shard) {
                if (refusals.getAndDecrement() > 0) { // a topic deletion that timed out, say
                  return CompletableFuture.failedFuture(new LogException("deletion timed out"));
                }
                return super.deleteShard(shard);
              }
            });
    createActive("d", 2);

    catalog.delete("d").join();
    for (int i = 0; i < 500 && catalog.find("d").isPresent(); i++) {
      Thread.sleep(10);
    }

    assertThat(refusals.get()).as("the deletion was refused once").isNegative();
    assertThat(catalog.find("d")).as("not left DELETING for good").isEmpty();
    assertThat(engine.shards()).isEmpty();
  }

  @Test
  void split_queuedBehindASwitchToOnDemand_refusedAsKinesisDoes() throws Exception {
    CountDownLatch held = openHoldingBlocker();
    createActive("p", 2);
    catalog.create("blocker", 1, StreamMode.PROVISIONED, Map.of()).join();

    // both asked before either ran: the mode check must see the switch
    CompletableFuture<Void> mode = catalog.setMode("p", StreamMode.ON_DEMAND);
    CompletableFuture<Void> split =
        catalog.split("p", "shardId-000000000000", HashKeys.MAX.shiftRight(2));
    held.countDown();
    mode.get(10, TimeUnit.SECONDS);

    assertFailsWith(split, StreamException.Kind.INVALID_ARGUMENT);
    assertThat(catalog.require("p").shards()).hasSize(2);
  }

  @Test
  void create_whileASplitIsAcceptedButNotPublished_countsItsNewShardAgainstTheLimit()
      throws Exception {
    CountDownLatch held = openHoldingBlocker();
    createActive("a", 18);
    catalog.create("blocker", 1, StreamMode.PROVISIONED, Map.of()).join(); // 19 shards open

    // both asked before either ran: the split is accepted (20) and then the create is checked
    CompletableFuture<Void> split =
        catalog.split("a", "shardId-000000000000", HashKeys.MAX.divide(BigInteger.valueOf(36)));
    CompletableFuture<Void> b = catalog.create("b", 1, StreamMode.PROVISIONED, Map.of());
    held.countDown();
    split.get(10, TimeUnit.SECONDS);

    assertFailsWith(b, StreamException.Kind.LIMIT_EXCEEDED);
    awaitStatus("a", StreamStatus.ACTIVE);
    assertThat(catalog.openShardCount()).isEqualTo(20);
  }

  /**
   * Opens the catalog on an engine that holds the creation of stream {@code blocker}'s logs, and
   * with it the catalog's thread, until the returned latch opens: requests asked meanwhile queue.
   */
  private CountDownLatch openHoldingBlocker() {
    CountDownLatch held = new CountDownLatch(1);
    openOn(
        files ->
            new ForwardingLogEngine(files) {
              @Override
              public CompletableFuture<Void> createShard(ShardRef shard) {
                if (shard.stream().equals("blocker")) {
                  awaitQuietly(held);
                }
                return super.createShard(shard);
              }
            });
    return held;
  }

  /** Opens the catalog on the file engine as {@code wrap} wraps it. */
  private void openOn(UnaryOperator<LogEngine> wrap) {
    open();
    catalog.close();
    LogEngine wrapped = wrap.apply(engine);
    catalog = new StreamCatalog(dir, wrapped, clock, new StreamLimits(20, 2));
    catalog.start();
    appender = new StreamAppender(catalog, wrapped);
  }

  private static void assertFailsWith(CompletableFuture<?> f, StreamException.Kind kind) {
    assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(StreamException.class)
        .satisfies(e -> assertThat(((StreamException) e.getCause()).kind()).isEqualTo(kind));
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void create_storageRefusesAShardLog_streamRemovedAndTheNodeRestarts() throws Exception {
    open();
    // a file where the second shard's directory goes: the storage cannot create that log
    Path streamDir = dir.resolve("log").resolve(STREAM_DIR + "refused");
    java.nio.file.Files.createDirectories(streamDir);
    java.nio.file.Files.writeString(streamDir.resolve("shardId-000000000001"), "in the way");

    catalog.create("refused", 2, StreamMode.PROVISIONED, Map.of()).join();
    for (int i = 0; i < 500 && catalog.find("refused").isPresent(); i++) {
      Thread.sleep(5);
    }

    assertThat(catalog.find("refused")).as("not left CREATING").isEmpty();
    assertThat(engine.shards()).isEmpty();
    reopen();
    assertThat(catalog.find("refused")).isEmpty();
    java.nio.file.Files.delete(streamDir.resolve("shardId-000000000001"));
    createActive("refused", 2);
  }

  @Test
  void split_atTheEdgesOfTheShardsRange_refusedAsKinesisDoes() throws Exception {
    open();
    createActive("s", 1);

    for (BigInteger key : List.of(BigInteger.ONE, HashKeys.MAX)) {
      assertThatThrownBy(() -> catalog.split("s", "shardId-000000000000", key).join())
          .as("NewStartingHashKey %s", key)
          .hasCauseInstanceOf(StreamException.class)
          .hasMessageContaining("must be greater than one plus 0 and less than");
    }
    splitActive("s", "shardId-000000000000", BigInteger.TWO);
    assertThat(catalog.require("s").shards()).hasSize(3);
  }

  @Test
  void split_thenRestart_parentStaysSealedAndWritesGoToChildren() throws Exception {
    open();
    createActive("s", 1);
    put("s", "k", "one");
    splitActive("s", "shardId-000000000000", HashKeys.MAX.shiftRight(1));
    reopen();
    Shard parent = catalog.require("s").shard("shardId-000000000000").orElseThrow();
    assertThat(parent.isOpen()).isFalse();
    assertThat(parent.endOffset()).isEqualTo(1);
    assertThat(engine.offsets(new ShardRef("s", parent.id())).sealed()).isTrue();
    assertThat(put("s", "k", "two").get(0).shardId())
        .isIn("shardId-000000000001", "shardId-000000000002");
  }

  @Test
  void split_nodeStopsBeforeItIsCarriedOut_finishedAtTheNextStart() throws Exception {
    CountDownLatch sealing = new CountDownLatch(1);
    CountDownLatch released = new CountDownLatch(1);
    openOn(
        files ->
            new ForwardingLogEngine(files) {
              @Override
              public CompletableFuture<Long> seal(ShardRef shard) {
                sealing.countDown(); // the children's logs exist; the parent is not sealed yet
                awaitQuietly(released);
                return super.seal(shard);
              }
            });
    createActive("s", 1);
    put("s", "k", "one");
    catalog.split("s", "shardId-000000000000", HashKeys.MAX.shiftRight(1)).join();
    assertThat(sealing.await(10, TimeUnit.SECONDS)).isTrue();
    Path killed = copyOfDataDirectory(); // the files as a kill at this point leaves them
    released.countDown();
    close();

    dir = killed;
    open();
    awaitStatus("s", StreamStatus.ACTIVE);

    StreamMeta meta = catalog.require("s");
    assertThat(meta.openShards())
        .extracting(Shard::id)
        .containsExactly("shardId-000000000001", "shardId-000000000002");
    assertThat(meta.reshard()).isNull();
    Shard parent = meta.shard("shardId-000000000000").orElseThrow();
    assertThat(parent.endOffset()).isEqualTo(1);
    assertThat(engine.offsets(new ShardRef("s", parent.id())).sealed()).isTrue();
    assertThat(put("s", "k", "two").get(0).shardId())
        .isIn("shardId-000000000001", "shardId-000000000002");
    reopen();
    assertThat(catalog.require("s").openShards()).hasSize(2);
  }

  /** A copy of the node's data directory, taken while the node runs. */
  private Path copyOfDataDirectory() throws java.io.IOException {
    Path copy = spare.resolve("node");
    try (var files = java.nio.file.Files.walk(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path target = copy.resolve(dir.relativize(p).toString());
        if (java.nio.file.Files.isDirectory(p)) {
          java.nio.file.Files.createDirectories(target);
        } else {
          java.nio.file.Files.copy(p, target);
        }
      }
    }
    return copy;
  }

  @Test
  void start_firstClosedShardsLogDamaged_laterClosedShardsStillSealed() throws Exception {
    open();
    createActive("s", 1);
    put("s", "k", "x".repeat(200));
    put("s", "k", "y".repeat(200)); // a second batch: intact behind the damaged first one
    splitActive("s", "shardId-000000000000", HashKeys.MAX.shiftRight(1));
    splitActive("s", "shardId-000000000001", HashKeys.MAX.shiftRight(2));
    close();
    Path log = dir.resolve("log").resolve(STREAM_DIR + "s").resolve("shardId-000000000000");
    try (var files = java.nio.file.Files.list(log)) {
      Path segment = files.filter(f -> f.toString().endsWith(".log")).findFirst().orElseThrow();
      byte[] bytes = java.nio.file.Files.readAllBytes(segment);
      bytes[100] ^= 0x5a; // inside the first batch's data
      java.nio.file.Files.write(segment, bytes);
    }

    open();

    assertThatThrownBy(() -> engine.offsets(new ShardRef("s", "shardId-000000000000")))
        .hasMessageContaining("unusable");
    assertThat(engine.offsets(new ShardRef("s", "shardId-000000000001")).sealed())
        .as("closed, after the damaged one in the stream's list")
        .isTrue();
    assertThat(catalog.require("s").status()).isEqualTo(StreamStatus.ACTIVE);
  }

  @Test
  void applyRetention_closedShardPastRetention_isForgottenAndItsLogDeleted() throws Exception {
    open();
    createActive("r", 1);
    for (int i = 0; i < 50; i++) {
      put("r", "k" + i, "x".repeat(200));
    }
    splitActive("r", "shardId-000000000000", BigInteger.TEN);
    clock.advance(23 * HOUR);
    catalog.applyRetention().join();
    assertThat(catalog.require("r").shards()).hasSize(3);
    clock.advance(2 * HOUR);
    catalog.applyRetention().join();
    assertThat(catalog.require("r").shards())
        .extracting(Shard::id)
        .containsExactly("shardId-000000000001", "shardId-000000000002");
    assertThat(engine.shards()).doesNotContain(new ShardRef("r", "shardId-000000000000"));
  }

  @Test
  void applyRetention_expiredShardsLogAlreadyGone_forgottenAndOtherStreamsStillTrimmed()
      throws Exception {
    open();
    createActive("gone", 1);
    splitActive("gone", "shardId-000000000000", BigInteger.TEN);
    engine.deleteShard(new ShardRef("gone", "shardId-000000000000")).join(); // a crash, say
    clock.advance(25 * HOUR);

    catalog.applyRetention().join();

    assertThat(catalog.require("gone").shards())
        .extracting(Shard::id)
        .containsExactly("shardId-000000000001", "shardId-000000000002");
  }

  @Test
  void applyRetention_anOpenShardsLogNotAttached_theExpiredShardIsStillForgotten()
      throws Exception {
    open();
    createActive("part", 1);
    splitActive("part", "shardId-000000000000", BigInteger.TEN);
    // an open shard whose log is not there (damaged, or its attach still retried)
    engine.deleteShard(new ShardRef("part", "shardId-000000000001")).join();
    clock.advance(25 * HOUR);

    catalog.applyRetention().join();

    // it held back the whole stream's pass: the expired parent stayed listed for ever
    assertThat(catalog.require("part").shards())
        .extracting(Shard::id)
        .containsExactly("shardId-000000000001", "shardId-000000000002");
  }

  @Test
  void create_overShardLimit_limitExceeded() {
    open();
    assertThatThrownBy(() -> catalog.create("big", 21, StreamMode.PROVISIONED, Map.of()).join())
        .hasCauseInstanceOf(StreamException.class)
        .cause()
        .satisfies(
            e ->
                assertThat(((StreamException) e).kind())
                    .isEqualTo(StreamException.Kind.LIMIT_EXCEEDED));
  }

  @Test
  void delete_readerWaitingOnAnIdleShard_isWoken() throws Exception {
    open();
    createActive("d", 1);
    java.util.concurrent.CompletableFuture<Void> reader =
        catalog.watch().next(new ShardRef("d", "shardId-000000000000"));

    catalog.delete("d").join();

    assertThat(reader).succeedsWithin(java.time.Duration.ofSeconds(10));
    assertThat(catalog.watch().waiting(new ShardRef("d", "shardId-000000000000"))).isZero();
  }

  @Test
  void delete_thenRestart_streamAndLogsAreGone() throws Exception {
    open();
    createActive("d", 2);
    put("d", "k", "v");
    catalog.delete("d").join();
    for (int i = 0; i < 500 && catalog.find("d").isPresent(); i++) {
      Thread.sleep(5);
    }
    reopen();
    assertThat(catalog.find("d")).isEmpty();
    assertThat(engine.shards()).noneMatch(s -> s.stream().equals("d"));
  }

  @Test
  void updateShardCount_intermediateShards_haveSealedLogsAndTheStreamDeletesCleanly()
      throws Exception {
    open();
    createActive("u", 3);
    put("u", "k", "v");

    catalog.updateShardCount("u", 5).join();
    awaitStatus("u", StreamStatus.ACTIVE);
    StreamMeta meta = catalog.require("u");
    List<Shard> intermediate =
        meta.shards().stream().filter(s -> !s.isOpen() && s.ordinal() >= 3).toList();

    assertThat(intermediate).as("3 → 5 goes through intermediate shards").isNotEmpty();
    for (Shard s : meta.shards()) {
      var offsets = engine.offsets(new ShardRef("u", s.id()));
      assertThat(offsets.sealed()).as(s.id()).isEqualTo(!s.isOpen());
    }
    for (Shard s : intermediate) {
      assertThat(engine.read(new ShardRef("u", s.id()), 0, 10, 1 << 20).join().records()).isEmpty();
    }
    catalog.delete("u").join();
    for (int i = 0; i < 500 && catalog.find("u").isPresent(); i++) {
      Thread.sleep(5);
    }
    assertThat(catalog.find("u")).isEmpty();
    assertThat(engine.shards()).noneMatch(s -> s.stream().equals("u"));
  }
}
