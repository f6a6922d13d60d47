package dev.sluice.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.cluster.StateException;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A catalog over shared node state whose records this node reads back when the test says, so that
 * the orders a slow read-back or another node can bring are played exactly: above all a stream
 * deleted and created again before its tombstone comes back.
 */
class StreamCatalogSharedOrderTest {

  static final String KEY = "stream/orders";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  final TestClock clock = new TestClock(1_700_000_000_000L);
  final HeldState state = new HeldState();
  FileLogEngine engine;
  StreamCatalog catalog;
  StreamAppender appender;
  final List<StreamCatalog> startedLater = new ArrayList<>();

  /** The creation {@link #takerFailingUpToItsLastTry} plays another node leaving unfinished. */
  StreamMeta orphan;

  @BeforeEach
  void open() {
    engine = new FileLogEngine(dir, FileLogOptions.defaults(), clock, LogListener.NONE);
    engine.start();
    catalog = StreamCatalog.shared(state, engine, clock, new StreamLimits(20, 2));
    catalog.start();
    appender = new StreamAppender(catalog, engine);
  }

  @AfterEach
  void close() {
    startedLater.forEach(StreamCatalog::close);
    catalog.close();
    engine.close();
  }

  @Test
  void tombstone_readBackAfterTheNameWasCreatedAgain_keepsTheNewStreamAndItsRecords()
      throws Exception {
    created();
    deleted();
    CompletableFuture<Void> again = creatingAgain(); // before the deletion's records come back

    state.readBackAll(); // ACTIVE, DELETING, the tombstone, then the new stream's CREATING
    again.join();
    awaitActive();
    put("new");

    assertThat(catalog.require("orders").status()).isEqualTo(StreamStatus.ACTIVE);
    assertThat(records()).containsExactly("new");
  }

  @Test
  void tombstone_ofAnotherNodeReadBeforeTheOwnOne_doesNotRemoveTheStreamCreatedAgain()
      throws Exception {
    created();
    deleted();
    CompletableFuture<Void> again = creatingAgain();

    state.readBack(); // ACTIVE
    state.readBack(); // DELETING
    state.fromAnotherNode(KEY, null); // it deleted the stream too, and its tombstone came first
    state.readBackAll();
    again.join();
    awaitActive();
    put("new");

    assertThat(catalog.require("orders").status()).isEqualTo(StreamStatus.ACTIVE);
    assertThat(records()).containsExactly("new");
  }

  @Test
  void ownChange_madeBeforeAnotherNodesDeletionAndReadAfterIt_markedGoneAgain() throws Exception {
    created();
    state.readBackAll();
    CompletableFuture<Void> late = catalog.addTags("orders", Map.of("late", "yes"));
    awaitHeld(1); // written, not read back yet
    state.fromAnotherNode(KEY, null); // another node deleted the stream, and came first

    assertThat(catalog.find("orders")).isEmpty();
    assertThat(state.readBack()).as("the tag change").isFalse();
    assertThat(catalog.find("orders")).as("not brought back by the stale change").isEmpty();
    assertNotFound(late);
    assertThat(state.held()).as("the stream's last record: gone again").isEqualTo(1);
    state.readBack();
    assertThat(catalog.find("orders")).isEmpty();
    assertThat(startedLater().find("orders")).as("a node starting later").isEmpty();
  }

  @Test
  void ownChange_failingToApplyAfterAnotherNodesDeletion_stillAnsweredNotFound() throws Exception {
    created();
    state.readBackAll();
    CompletableFuture<Void> late = catalog.addTags("orders", Map.of("late", "yes"));
    awaitHeld(1);
    state.fromAnotherNode(KEY, null);
    state.failNextWrite(); // the gone mark, written as the stale change is applied, fails

    state.readBack();

    assertThatThrownBy(() -> late.get(5, java.util.concurrent.TimeUnit.SECONDS))
        .as("answered at once, not when the wait for the record runs out")
        .isInstanceOf(java.util.concurrent.ExecutionException.class)
        .cause()
        .isInstanceOf(StreamException.class)
        .extracting(e -> ((StreamException) e).kind())
        .isEqualTo(StreamException.Kind.NOT_FOUND);
  }

  @Test
  void ownChange_madeBeforeAnotherNodeDeletedAndCreatedTheStreamAgain_doesNotReviveTheOldOne()
      throws Exception {
    created();
    state.readBackAll();
    StreamMeta old = catalog.require("orders");
    CompletableFuture<Void> late = catalog.addTags("orders", Map.of("late", "yes"));
    awaitHeld(1); // written, not read back yet
    state.fromAnotherNode(KEY, null); // another node deleted the stream and created it again
    StreamMeta again = createdByAnotherNode(old);

    state.readBack(); // the tag change, of the deleted generation

    assertNotFound(late); // not made on the new stream
    assertThat(catalog.require("orders").createdMillis()).isEqualTo(again.createdMillis());
    assertThat(catalog.require("orders").tags()).doesNotContainKey("late");
    awaitHeld(1); // the new generation again, after the stale change
    state.readBack();
    assertThat(catalog.require("orders").createdMillis()).isEqualTo(again.createdMillis());
    assertThat(catalog.require("orders").tags()).doesNotContainKey("late");
    assertThat(startedLater().require("orders").createdMillis())
        .as("a node starting later")
        .isEqualTo(again.createdMillis());
  }

  @Test
  void goneRecord_readBackAfterAnotherNodeCreatedTheStreamAgain_keepsTheNewStream()
      throws Exception {
    created();
    state.readBackAll();
    StreamMeta old = catalog.require("orders");
    CompletableFuture<Void> late = catalog.addTags("orders", Map.of("late", "yes"));
    awaitHeld(1);
    state.fromAnotherNode(KEY, null); // another node deleted the stream
    state.readBack(); // the stale tag change: this node marks the stream gone again
    awaitHeld(1);
    StreamMeta again = createdByAnotherNode(old); // before that record lands

    state.readBack(); // the gone record

    assertNotFound(late);
    // the new generation, as read or already written again
    assertThat(catalog.require("orders").createdMillis()).isEqualTo(again.createdMillis());
    awaitHeld(1); // the new generation again, after the gone record
    state.readBack();
    assertThat(catalog.require("orders").status()).isEqualTo(StreamStatus.ACTIVE);
    assertThat(catalog.require("orders").createdMillis()).isEqualTo(again.createdMillis());
    assertThat(startedLater().require("orders").createdMillis())
        .as("a node starting later")
        .isEqualTo(again.createdMillis());
  }

  @Test
  void readBack_ofDeleteCreateDelete_neverShowsTheStreamAgain() throws Exception {
    created();
    deleted();
    answered(creatingAgain()); // reads back the deletion's records, then the creation's
    awaitActive(false);
    deleted(); // before the new stream's ACTIVE comes back

    int tombstones = 0;
    while (state.held() > 0) {
      tombstones += state.readBack() ? 1 : 0;
      assertThat(catalog.find("orders")).isEmpty();
    }
    assertThat(tombstones).isEqualTo(1);
    created(); // and the name starts again
    assertThat(catalog.require("orders").status()).isEqualTo(StreamStatus.ACTIVE);
  }

  @Test
  void tombstone_ofAnotherNode_removesTheStream() throws Exception {
    created();
    state.readBackAll();

    state.fromAnotherNode(KEY, null);

    assertThat(catalog.find("orders")).isEmpty();
    assertThat(engine.shards()).isEmpty();
  }

  @Test
  void create_whoseWriteFailedButLanded_isFinishedWhenItComesBack() throws Exception {
    state.failNextWrite();
    assertThatThrownBy(() -> catalog.create("orders", 1, StreamMode.PROVISIONED, Map.of()).join())
        .hasCauseInstanceOf(StateException.class);
    assertThat(catalog.find("orders")).isEmpty();

    state.readBackAll(); // the CREATING record landed; every node shows it now
    awaitActive();

    put("x");
    assertThat(records()).containsExactly("x");
  }

  @Test
  void create_ownRecordFirstInTheOrder_answeredOnceReadBackThenItsLogsMade() throws Exception {
    CompletableFuture<Void> creating =
        catalog.create("orders", 1, StreamMode.PROVISIONED, Map.of());
    awaitHeld(1);
    Thread.sleep(100);
    assertThat(creating).as("not answered before its record comes back").isNotDone();
    assertThat(engine.shards()).as("no log before its record stands").isEmpty();

    state.readBack();
    creating.join();
    awaitActive();

    put("x");
    assertThat(records()).containsExactly("x");
  }

  @Test
  void create_anotherNodesCreationCameFirst_answeredInUseAndMakesNoLogs() throws Exception {
    CompletableFuture<Void> mine = catalog.create("orders", 2, StreamMode.PROVISIONED, Map.of());
    awaitHeld(1);
    clock.advance(1);
    StreamMeta theirs = creatingByAnotherNode(); // one shard, also version 1, and first

    state.fromAnotherNode(KEY, JSON.writeValueAsBytes(theirs));
    state.readBack(); // this node's CREATING: second, so it lost

    assertInUse(mine);
    assertThat(catalog.require("orders").createdMillis()).isEqualTo(theirs.createdMillis());
    assertThat(engine.shards()).as("no log made for the creation that lost").isEmpty();
    state.fromAnotherNode(
        KEY, JSON.writeValueAsBytes(theirs.withStatus(StreamStatus.ACTIVE).withVersion(2)));
    assertThat(catalog.require("orders").shards()).hasSize(1);
    assertThat(engine.shards()).hasSize(1);
    assertThat(state.held()).as("nothing written after the lost creation").isZero();
  }

  @Test
  void finishOrphanedChanges_ownCreationNotReadBackYet_leftToTheCreation() throws Exception {
    CompletableFuture<Void> creating =
        catalog.create("orders", 1, StreamMode.PROVISIONED, Map.of());
    awaitHeld(1);

    catalog.finishOrphanedChanges().join();
    clock.advance(StreamCatalog.ORPHANED_CHANGE_MILLIS);
    catalog.finishOrphanedChanges().join(); // the state reader lags a minute

    assertThat(engine.shards()).as("no log before its record stands").isEmpty();
    assertThat(state.held()).isEqualTo(1);
    state.readBack();
    creating.join();
    awaitActive();
  }

  @Test
  void delete_whoseWriteFailedButLanded_isFinishedWhenItComesBack() throws Exception {
    created();
    state.readBackAll();
    state.failNextWrite();
    assertThatThrownBy(() -> catalog.delete("orders").join())
        .hasCauseInstanceOf(StateException.class);

    state.readBackAll(); // the DELETING record landed
    for (int i = 0; i < 500 && catalog.find("orders").isPresent(); i++) {
      Thread.sleep(5);
    }

    assertThat(catalog.find("orders")).isEmpty();
    assertThat(engine.shards()).isEmpty();
  }

  @Test
  void reshard_whoseWriteFailedButLanded_returnsToActiveWithTheOldShards() throws Exception {
    created();
    state.readBackAll();
    state.failNextWrite();
    assertThatThrownBy(() -> catalog.updateShardCount("orders", 2).join())
        .hasCauseInstanceOf(StateException.class);

    state.readBackAll(); // the UPDATING record landed; the caller was told the reshard failed
    awaitActive();

    assertThat(catalog.require("orders").shards()).hasSize(1);
    assertThat(catalog.require("orders").version()).isEqualTo(4); // CREATING, ACTIVE, UPDATING
    put("x");
    assertThat(records()).containsExactly("x");
  }

  @Test
  void reshardOutcome_whoseWriteFailedButLanded_keepsTheNewShards() throws Exception {
    created();
    state.readBackAll();
    state.failWriteAfter(1); // UPDATING is written; the outcome's write fails, yet lands
    reshardedToTwoShards();
    awaitHeld(1);

    state.readBackAll(); // the outcome comes back before the retry
    Thread.sleep(1_500); // the retry then finds it applied
    state.readBackAll();

    assertThat(catalog.require("orders").status()).isEqualTo(StreamStatus.ACTIVE);
    assertThat(catalog.require("orders").openShards()).hasSize(2);
    assertThat(catalog.require("orders").version()).isEqualTo(4); // nothing written after it
    put("x");
  }

  @Test
  void reshardOutcome_whoseWriteFailed_isPublishedAgain() throws Exception {
    created();
    state.readBackAll();
    state.failWriteAfter(1);
    reshardedToTwoShards();
    awaitHeld(1); // held: the failed outcome did not come back yet

    for (int i = 0; i < 500 && state.held() < 2; i++) {
      Thread.sleep(5); // the retry writes the outcome again
    }
    state.readBackAll();

    assertThat(catalog.require("orders").status()).isEqualTo(StreamStatus.ACTIVE);
    assertThat(catalog.require("orders").openShards()).hasSize(2);
    assertThat(catalog.require("orders").version()).isEqualTo(5);
    put("x");
  }

  @Test
  void ownChange_askedWhileAReshardOutcomeWaitsForItsRetry_madeOnceTheOutcomeStands()
      throws Exception {
    created();
    state.readBackAll();
    state.failWriteAfter(1); // UPDATING is written; the outcome's write fails, yet lands
    reshardedToTwoShards();
    awaitHeld(1);
    CompletableFuture<Void> tagging = catalog.addTags("orders", Map.of("team", "a"));

    awaitHeld(2, java.time.Duration.ofSeconds(5)); // the outcome's retry; the tag change waits
    state.readBack(); // the outcome's write reported failed, which landed
    state.readBack(); // and the one written again: the reshard is over
    awaitHeld(1); // the tag change, made on top of the outcome
    state.readBackAll();
    tagging.join();

    StreamMeta meta = catalog.require("orders");
    assertThat(meta.status()).isEqualTo(StreamStatus.ACTIVE);
    assertThat(meta.openShards()).hasSize(2);
    assertThat(meta.tags()).containsEntry("team", "a");
    put("x");
  }

  @Test
  void reshard_anotherNodesTagChangeCameFirst_madeAgainOnTopOfItSealingOnlyThen() throws Exception {
    created();
    state.readBackAll();
    StreamMeta old = catalog.require("orders");
    CompletableFuture<?> reshard = catalog.updateShardCount("orders", 2);
    awaitHeld(1);

    StreamMeta tagged = old.withTags(Map.of("team", "a")).withVersion(old.version() + 1);
    state.fromAnotherNode(KEY, JSON.writeValueAsBytes(tagged)); // the same version, first
    state.readBack(); // this node's UPDATING: second, so it lost and is made again
    assertThat(engine.offsets(new ShardRef("orders", old.shards().get(0).id())).sealed())
        .as("the lost reshard sealed nothing")
        .isFalse();
    state.readBackAll();

    reshard.join();
    awaitActive();
    StreamMeta meta = catalog.require("orders");
    assertThat(meta.openShards()).hasSize(2);
    assertThat(meta.tags()).containsEntry("team", "a");
  }

  @Test
  void addTags_anotherNodesTagChangeCameFirst_madeAgainOnTopOfIt() throws Exception {
    created();
    state.readBackAll();
    StreamMeta old = catalog.require("orders");
    CompletableFuture<Void> tagging = catalog.addTags("orders", Map.of("owner", "b"));
    awaitHeld(1);

    StreamMeta tagged = old.withTags(Map.of("team", "a")).withVersion(old.version() + 1);
    state.fromAnotherNode(KEY, JSON.writeValueAsBytes(tagged));
    state.readBackAll();

    tagging.join();
    assertThat(catalog.require("orders").tags())
        .containsEntry("team", "a")
        .containsEntry("owner", "b");
    assertThat(startedLater().require("orders").tags())
        .as("what compaction keeps")
        .containsEntry("team", "a")
        .containsEntry("owner", "b");
  }

  @Test
  void addTags_anotherNodesChangeCameFirstEveryTry_failsInUse() throws Exception {
    created();
    state.readBackAll();
    StreamMeta old = catalog.require("orders");
    CompletableFuture<Void> tagging = catalog.addTags("orders", Map.of("owner", "b"));

    for (int i = 0; i < Landings.TRIES; i++) {
      for (int w = 0; w < 500 && state.held() == 0; w++) {
        Thread.sleep(5);
      }
      long version = JSON.readTree(state.oldest()).get("version").asLong();
      StreamMeta other = old.withTags(Map.of("round", "" + i)).withVersion(version);
      state.fromAnotherNode(KEY, JSON.writeValueAsBytes(other));
      state.readBack(); // lost again
    }

    assertInUse(tagging);
    state.readBackAll();
    assertThat(catalog.require("orders").tags()).doesNotContainKey("owner");
  }

  @Test
  void reshard_anotherNodesReshardCameFirst_failsInUseAndLeavesThatPlanToThatNode()
      throws Exception {
    created();
    state.readBackAll();
    CompletableFuture<?> reshard = catalog.updateShardCount("orders", 2);
    awaitHeld(1);

    splitAcceptedByAnotherNode();
    state.readBackAll();

    assertInUse(reshard);
    StreamMeta meta = catalog.require("orders");
    assertThat(meta.status()).isEqualTo(StreamStatus.UPDATING);
    assertThat(engine.offsets(new ShardRef("orders", meta.shards().get(0).id())).sealed())
        .as("left to the node whose reshard came first")
        .isFalse();
    assertThat(engine.shards()).as("no child created here").hasSize(1);
    Thread.sleep(2_500);
    assertThat(state.held())
        .as("no copy of the winner, whose node writes the reshard's outcome after it")
        .isZero();
  }

  @Test
  void addTags_madeWhileThisNodesReshardIsCarriedOut_writtenOnceTheReshardsOutcomeStands()
      throws Exception {
    created();
    state.readBackAll();
    CompletableFuture<?> reshard = catalog.updateShardCount("orders", 2);
    CompletableFuture<Void> tagging = catalog.addTags("orders", Map.of("team", "a"));
    awaitHeld(1); // the reshard's UPDATING; the tag change waits for it

    state.readBack();
    reshard.join();
    awaitHeld(1);
    StreamMeta outcome = oldestHeld();
    assertThat(outcome.status()).as("the reshard's outcome first").isEqualTo(StreamStatus.ACTIVE);
    assertThat(outcome.openShards()).hasSize(2);
    Thread.sleep(100);
    assertThat(state.held()).as("the tag change waits for the outcome to come back").isEqualTo(1);

    state.readBack();
    awaitHeld(1);
    state.readBackAll();
    tagging.join();
    StreamMeta meta = catalog.require("orders");
    assertThat(meta.openShards()).hasSize(2);
    assertThat(meta.tags()).containsEntry("team", "a");
  }

  @Test
  void reshardOutcome_anotherNodesTagChangeCameFirst_writtenAgainOnTopOfIt() throws Exception {
    StreamMeta updating = reshardedWithItsOutcomeHeld();

    // another node's tag change, made from the UPDATING stream (so still carrying the plan), first
    StreamMeta tagged = updating.withTags(Map.of("team", "a")).withVersion(updating.version() + 1);
    state.fromAnotherNode(KEY, JSON.writeValueAsBytes(tagged));
    state.readBack(); // this node's outcome: second, so it lost

    awaitHeld(1); // written again after the winner
    state.readBackAll();
    StreamMeta meta = catalog.require("orders");
    assertThat(meta.status()).isEqualTo(StreamStatus.ACTIVE);
    assertThat(meta.openShards()).hasSize(2);
    assertThat(meta.tags()).containsEntry("team", "a");
    put("x"); // routed to an open child, not to the sealed parent
    StreamMeta later = startedLater().require("orders");
    assertThat(later.openShards()).hasSize(2);
    assertThat(later.tags()).containsEntry("team", "a");
  }

  @Test
  void settle_ofAReshardWhoseOutcomeHasNotComeBack_writtenOnceTheOutcomeStands() throws Exception {
    HeldState held = new HeldState(); // a node of its own, whose seals settle when the test says
    CompletableFuture<Long> finalEnd = new CompletableFuture<>();
    LogEngine settlingLater =
        new ForwardingLogEngine(engine) {
          @Override
          public boolean sealsAtOnce() {
            return false;
          }

          @Override
          public CompletableFuture<Long> finalEnd(ShardRef shard) {
            return finalEnd;
          }
        };
    StreamCatalog node = nodeOver(held, settlingLater);
    answered(held, node.create("orders", 1, StreamMode.PROVISIONED, Map.of()));
    answered(held, node.updateShardCount("orders", 2)); // ACTIVE, then UPDATING
    awaitHeld(held, 1); // the outcome, its parent's end provisional

    finalEnd.complete(0L);
    Thread.sleep(200);
    assertThat(held.held()).as("no settled end on top of an outcome still to come back").isOne();
    held.readBack();

    awaitHeld(held, 1); // the settled end, once the outcome stands
    held.readBackAll();
    assertThat(node.require("orders").status()).isEqualTo(StreamStatus.ACTIVE);
    assertThat(node.require("orders").openShards()).hasSize(2);
  }

  @Test
  void create_whileALostReshardOutcomeIsToBeWrittenAgain_countsThatReshardsNewShards()
      throws Exception {
    StreamMeta updating = reshardedWithItsOutcomeHeld();
    StreamMeta tagged = updating.withTags(Map.of("team", "a")).withVersion(updating.version() + 1);
    state.fromAnotherNode(KEY, JSON.writeValueAsBytes(tagged)); // first: shown until it is read
    assertThat(catalog.require("orders").openShards()).hasSize(1);

    // the limit is 20 shards: 2 once the outcome is written again, so 18 more at most
    CompletableFuture<Void> tooMany = catalog.create("more", 19, StreamMode.PROVISIONED, Map.of());

    assertThatThrownBy(tooMany::join)
        .cause()
        .isInstanceOf(StreamException.class)
        .extracting(e -> ((StreamException) e).kind())
        .isEqualTo(StreamException.Kind.LIMIT_EXCEEDED);
    state.readBack(); // the outcome, which lost: written again
    awaitHeld(1);
    state.readBackAll();
    assertThat(catalog.require("orders").openShards()).hasSize(2);
  }

  @Test
  void create_afterDeletingAStreamWhoseReshardWaitsForItsNextTry_madeWithoutWaitingForIt()
      throws Exception {
    HeldState held = new HeldState(); // a node of its own, whose second shard never seals
    AtomicInteger refused = new AtomicInteger();
    LogEngine secondSealFails =
        new ForwardingLogEngine(engine) {
          @Override
          public CompletableFuture<Long> seal(ShardRef shard) {
            if (shard.shard().equals("shardId-000000000001")) {
              refused.incrementAndGet();
              return CompletableFuture.failedFuture(new LogException("seal failed"));
            }
            return super.seal(shard);
          }
        };
    StreamCatalog node = nodeOver(held, secondSealFails);
    answered(held, node.create("orders", 2, StreamMode.PROVISIONED, Map.of()));
    answered(held, node.updateShardCount("orders", 1)); // the merge seals the first, then fails
    for (int i = 0; i < 500 && refused.get() < 2; i++) {
      Thread.sleep(10); // tried at once and a second later: the next try comes 2 s later
    }
    assertThat(refused).hasValue(2);

    node.delete("orders").join();
    held.readBack(); // DELETING
    held.readBack(); // the tombstone
    CompletableFuture<Void> again = node.create("orders", 1, StreamMode.PROVISIONED, Map.of());

    awaitHeld(held, 1, java.time.Duration.ofMillis(1_000)); // its CREATING, not after that try
    held.readBack();
    again.join();
  }

  @Test
  void reshard_ownRecordFirstInTheOrder_answeredOnceReadBackThenCarriedOut() throws Exception {
    created();
    state.readBackAll();
    CompletableFuture<?> reshard = catalog.updateShardCount("orders", 2);
    awaitHeld(1);
    Thread.sleep(100);
    assertThat(reshard).as("not answered before its record comes back").isNotDone();

    state.readBack();
    reshard.join();
    awaitActive();

    assertThat(catalog.require("orders").openShards()).hasSize(2);
  }

  @Test
  void reshard_catalogClosedBeforeTheRecordCameBack_answeredWithAnError() throws Exception {
    created();
    state.readBackAll();
    CompletableFuture<?> reshard = catalog.updateShardCount("orders", 2);
    awaitHeld(1);

    catalog.close();

    assertThatThrownBy(reshard::join).cause().isInstanceOf(StateException.class);
  }

  @Test
  void reshard_acceptedByANodeThatStoppedBeforeCarryingItOut_finishedHereOnceOrphaned()
      throws Exception {
    created();
    state.readBackAll();
    put("before");
    splitAcceptedByAnotherNode(); // and then it stopped

    catalog.finishOrphanedChanges().join(); // seen now: the wait counts from here
    clock.advance(StreamCatalog.ORPHANED_CHANGE_MILLIS - 1_000);
    catalog.finishOrphanedChanges().join();
    assertThat(catalog.require("orders").status())
        .as("left to the node that accepted it a while")
        .isEqualTo(StreamStatus.UPDATING);
    assertThat(state.held()).isZero();

    clock.advance(1_000);
    catalog.finishOrphanedChanges().join();
    awaitActive();

    StreamMeta now = catalog.require("orders");
    assertThat(now.reshard()).isNull();
    assertThat(now.openShards())
        .extracting(Shard::id)
        .containsExactly("shardId-000000000001", "shardId-000000000002");
    assertThat(now.shard("shardId-000000000000").orElseThrow().endOffset()).isEqualTo(1);
    state.readBackAll(); // the outcome this node wrote
    assertThat(startedLater().require("orders").openShards()).hasSize(2);
  }

  @Test
  void orphanedReshard_takerFailsToCarryItOut_leavesItUpdatingForTheNextCheck() throws Exception {
    created();
    state.readBackAll();
    StreamCatalog taker =
        startedLaterOn(
            new ForwardingLogEngine(engine) {
              @Override
              public CompletableFuture<Long> seal(ShardRef shard) {
                return CompletableFuture.failedFuture(new LogException("broker unreachable"));
              }
            });
    splitAcceptedByAnotherNode();

    taker.finishOrphanedChanges().join();
    clock.advance(StreamCatalog.ORPHANED_CHANGE_MILLIS);
    taker.finishOrphanedChanges().join(); // tries, and fails

    assertThat(state.held()).as("no ACTIVE that would undo the accepting node's outcome").isZero();
    assertThat(taker.require("orders").status()).isEqualTo(StreamStatus.UPDATING);
    assertThat(taker.require("orders").reshard()).isNotNull();
  }

  @Test
  void creation_acceptedByANodeThatStoppedBeforeFinishingIt_finishedHereOnceOrphaned()
      throws Exception {
    state.fromAnotherNode(KEY, JSON.writeValueAsBytes(creatingByAnotherNode())); // then it stopped

    catalog.finishOrphanedChanges().join();
    clock.advance(StreamCatalog.ORPHANED_CHANGE_MILLIS - 1_000);
    catalog.finishOrphanedChanges().join();
    assertThat(catalog.require("orders").status()).isEqualTo(StreamStatus.CREATING);
    assertThat(state.held()).as("left to the node that accepted it a while").isZero();

    clock.advance(1_000);
    catalog.finishOrphanedChanges().join();
    awaitActive();

    put("first");
    assertThat(records()).containsExactly("first");
    assertThat(startedLater().require("orders").status()).isEqualTo(StreamStatus.ACTIVE);
  }

  @Test
  void orphanedCreation_takerFailsToCreateTheLogs_leftCreatingThenDeletedAfterTheLastTry()
      throws Exception {
    StreamCatalog taker = takerFailingUpToItsLastTry();

    taker.finishOrphanedChanges().join(); // refused every time: given up, as its node would have

    assertThat(state.held()).as("the DELETING record").isEqualTo(1);
    state.readBackAll();
    assertThat(taker.require("orders").status()).isEqualTo(StreamStatus.DELETING);
    taker.finishOrphanedChanges().join();
    clock.advance(StreamCatalog.ORPHANED_CHANGE_MILLIS);
    taker.finishOrphanedChanges().join(); // an orphaned deletion now, finished as one
    assertThat(taker.find("orders")).isEmpty();
    state.readBackAll();
    assertThat(startedLater().find("orders")).as("a node starting later").isEmpty();
  }

  @Test
  void orphanedCreation_anotherNodeMadeItActiveBeforeTheLastTryLanded_activeStands()
      throws Exception {
    StreamCatalog taker = takerFailingUpToItsLastTry();

    taker.finishOrphanedChanges().join(); // gives it up: DELETING, written, not read back yet
    StreamMeta active = orphan.withStatus(StreamStatus.ACTIVE).withVersion(2);
    state.fromAnotherNode(KEY, JSON.writeValueAsBytes(active)); // and it came first
    state.readBackAll();

    assertThat(taker.require("orders").status()).isEqualTo(StreamStatus.ACTIVE);
    awaitActive();
    put("kept");
    assertThat(records()).containsExactly("kept");
  }

  @Test
  void otherNodesStream_storageFailsToAttachItsShardAtFirst_attachedOnALaterTry() throws Exception {
    AtomicInteger refusals = new AtomicInteger(2);
    AtomicInteger attached = new AtomicInteger();
    startedLaterOn(
        new ForwardingLogEngine(engine) {
          @Override
          public CompletableFuture<Void> createShard(ShardRef shard) {
            if (refusals.getAndDecrement() > 0) {
              return CompletableFuture.failedFuture(new LogException("no leader answered in time"));
            }
            attached.incrementAndGet();
            return super.createShard(shard);
          }
        });

    // no later change of the stream comes that would attach it again
    StreamMeta active = creatingByAnotherNode().withStatus(StreamStatus.ACTIVE);
    state.fromAnotherNode(KEY, JSON.writeValueAsBytes(active));
    for (int i = 0; i < 200 && attached.get() == 0; i++) {
      Thread.sleep(50); // tried again after 1 s, then after 2 s
    }

    assertThat(refusals.get()).as("both refusals met").isNegative();
    assertThat(attached).hasValue(1);
  }

  /**
   * A node whose storage refuses new logs, sighting another node's orphaned creation of "orders"
   * and failing to take it over at every try but its last, which is due at its next check.
   */
  private StreamCatalog takerFailingUpToItsLastTry() throws Exception {
    StreamCatalog taker = startedLaterOn(storageRefusingNewLogs());
    orphan = creatingByAnotherNode();
    state.fromAnotherNode(KEY, JSON.writeValueAsBytes(orphan));
    taker.finishOrphanedChanges().join(); // seen now: the wait counts from here
    for (int i = 1; i < StreamCatalog.CREATION_TAKE_OVERS; i++) {
      clock.advance(StreamCatalog.ORPHANED_CHANGE_MILLIS);
      taker.finishOrphanedChanges().join(); // tries, and fails
      assertThat(state.held()).as("no give-up before the last try").isZero();
      assertThat(taker.require("orders").status()).isEqualTo(StreamStatus.CREATING);
    }
    clock.advance(StreamCatalog.ORPHANED_CHANGE_MILLIS);
    return taker;
  }

  @Test
  void orphanedCreation_takerFailsOnce_anotherNodeFinishesIt() throws Exception {
    StreamCatalog taker = startedLaterOn(storageRefusingNewLogs());
    state.fromAnotherNode(KEY, JSON.writeValueAsBytes(creatingByAnotherNode()));
    taker.finishOrphanedChanges().join();
    catalog.finishOrphanedChanges().join();
    clock.advance(StreamCatalog.ORPHANED_CHANGE_MILLIS);
    taker.finishOrphanedChanges().join(); // tries, and fails

    catalog.finishOrphanedChanges().join(); // a node whose broker answers
    awaitActive();
    state.readBackAll(); // its ACTIVE record, which the taker reads too
    assertThat(taker.require("orders").status()).isEqualTo(StreamStatus.ACTIVE);
    for (int i = 0; i < StreamCatalog.CREATION_TAKE_OVERS; i++) {
      clock.advance(StreamCatalog.ORPHANED_CHANGE_MILLIS);
      taker.finishOrphanedChanges().join();
    }
    assertThat(state.held()).as("nothing more from the taker").isZero();
  }

  @Test
  void deletion_acceptedByANodeThatStoppedBeforeFinishingIt_finishedHereOnceOrphaned()
      throws Exception {
    created();
    state.readBackAll();
    put("before");
    StreamMeta old = catalog.require("orders");
    StreamMeta deleting = old.withStatus(StreamStatus.DELETING).withVersion(old.version() + 1);
    state.fromAnotherNode(KEY, JSON.writeValueAsBytes(deleting)); // and then it stopped

    catalog.finishOrphanedChanges().join();
    clock.advance(StreamCatalog.ORPHANED_CHANGE_MILLIS - 1_000);
    catalog.finishOrphanedChanges().join();
    assertThat(catalog.require("orders").status()).isEqualTo(StreamStatus.DELETING);
    assertThat(engine.shards()).hasSize(1);

    clock.advance(1_000);
    catalog.finishOrphanedChanges().join();

    assertThat(catalog.find("orders")).isEmpty();
    assertThat(engine.shards()).as("its log deleted").isEmpty();
    state.readBackAll(); // the tombstone this node wrote
    assertThat(startedLater().find("orders")).as("a node starting later").isEmpty();
    created(); // the name is free again
  }

  @Test
  void start_anotherNodesReshardUnderWay_leftToThatNode() throws Exception {
    created();
    state.readBackAll();
    splitAcceptedByAnotherNode();

    StreamCatalog later = startedLater();

    assertThat(later.require("orders").status()).isEqualTo(StreamStatus.UPDATING);
    assertThat(later.require("orders").reshard()).isNotNull();
    assertThat(state.held()).as("no write from the starting node").isZero();
  }

  /** Reshards stream "orders" to two shards and reads its UPDATING record back, so it answers. */
  private void reshardedToTwoShards() throws InterruptedException {
    CompletableFuture<?> reshard = catalog.updateShardCount("orders", 2);
    awaitHeld(1);
    state.readBack();
    reshard.join();
  }

  /**
   * Creates stream "orders" and reshards it to two shards, its UPDATING record read back and its
   * outcome (parents sealed) written but held; returns the UPDATING record, which carries the plan.
   */
  private StreamMeta reshardedWithItsOutcomeHeld() throws Exception {
    created();
    state.readBackAll();
    CompletableFuture<?> reshard = catalog.updateShardCount("orders", 2);
    awaitHeld(1);
    StreamMeta updating = oldestHeld();
    state.readBack();
    reshard.join();
    awaitHeld(1);
    return updating;
  }

  /** Another node's CREATING record of stream "orders", one shard, and nothing after it. */
  private StreamMeta creatingByAnotherNode() {
    return new StreamMeta(
        "orders",
        StreamStatus.CREATING,
        StreamMode.PROVISIONED,
        24,
        clock.millis(),
        List.of(Shard.open(0, null, null, new HashKeyRange(BigInteger.ZERO, HashKeys.MAX), 0)),
        Map.of(),
        1,
        1);
  }

  /**
   * Plays another node accepting a split of the stream's first shard: its UPDATING record, with the
   * plan, and nothing after it.
   */
  private void splitAcceptedByAnotherNode() throws Exception {
    StreamMeta old = catalog.require("orders");
    Resharder split = new Resharder(old, clock.millis());
    split.split(old.shards().get(0), HashKeys.MAX.shiftRight(1));
    StreamMeta updating =
        old.withStatus(StreamStatus.UPDATING)
            .withReshard(split.plan())
            .withVersion(old.version() + 1);
    state.fromAnotherNode(KEY, JSON.writeValueAsBytes(updating));
  }

  /**
   * Plays another node creating stream "orders" again, as a new generation of {@code old} with its
   * shards: its CREATING and ACTIVE records; returns the ACTIVE one.
   */
  private StreamMeta createdByAnotherNode(StreamMeta old) throws Exception {
    StreamMeta creating =
        new StreamMeta(
            "orders",
            StreamStatus.CREATING,
            old.mode(),
            old.retentionHours(),
            old.createdMillis() + 60_000,
            old.shards(),
            Map.of(),
            old.nextOrdinal(),
            1);
    StreamMeta active = creating.withStatus(StreamStatus.ACTIVE).withVersion(2);
    state.fromAnotherNode(KEY, JSON.writeValueAsBytes(creating));
    state.fromAnotherNode(KEY, JSON.writeValueAsBytes(active));
    return active;
  }

  @Test
  void ownWritesRefusedWithoutLanding_anotherNodesLaterChangeStillShownAndKept() throws Exception {
    created();
    state.readBackAll();
    StreamMeta v2 = catalog.require("orders");
    state.refuseWrites(0, 2);
    for (int i = 0; i < 2; i++) {
      assertThat(catalog.addTags("orders", Map.of("a", "1")))
          .failsWithin(java.time.Duration.ofSeconds(5));
    }

    // another node's change, made from the same state, lands: nothing of this node's did
    StreamMeta theirs = v2.withTags(Map.of("b", "2")).withVersion(v2.version() + 1);
    state.fromAnotherNode(KEY, JSON.writeValueAsBytes(theirs));
    assertThat(catalog.require("orders").tags()).containsEntry("b", "2");

    CompletableFuture<Void> tagging = catalog.addTags("orders", Map.of("c", "3"));
    awaitHeld(1); // made from what is shown
    state.readBackAll();
    tagging.join();
    assertThat(startedLater().require("orders").tags())
        .as("the other node's change not undone")
        .containsEntry("b", "2")
        .containsEntry("c", "3");
  }

  @Test
  void nodeStartedOnAStaleChangeAfterADeletion_dropsTheStreamAtItsGoneMarkAndTakesANewOne()
      throws Exception {
    StreamMeta stale = deletedThenStaleChangeFromAnotherNode();
    StreamCatalog late = startedLater(); // loads the stale change, the key's last record
    assertThat(late.find("orders")).as("what it loaded").isPresent();

    state.fromAnotherNode(KEY, JSON.writeValueAsBytes(stale.gone())); // marked by its writer
    assertThat(late.find("orders")).isEmpty();

    createdByAnotherNode(stale); // created again, from version 1
    assertThat(late.require("orders").createdMillis()).isGreaterThan(stale.createdMillis());
  }

  @Test
  void anotherNodesStaleChangeAfterADeletion_leftLastByItsDeadWriter_markedGoneHere()
      throws Exception {
    deletedThenStaleChangeFromAnotherNode(); // its writer dies before marking it gone
    assertThat(catalog.find("orders")).isEmpty();

    awaitHeld(1, java.time.Duration.ofSeconds(10)); // the mark, after 5-7 s
    state.readBackAll();
    assertThat(startedLater().find("orders")).as("a node starting later").isEmpty();
  }

  @Test
  void delete_tombstoneReportedFailedButLanded_itsStrayCopyDoesNotDeleteTheStreamCreatedAgain()
      throws Exception {
    created();
    state.readBackAll();
    long first = catalog.require("orders").createdMillis();
    state.failWriteAfter(1); // DELETING goes through; the tombstone fails, and lands all the same

    catalog.delete("orders").join();
    for (int i = 0; i < 1000 && catalog.find("orders").isPresent(); i++) {
      Thread.sleep(5); // the retry writes the tombstone again
    }
    assertThat(catalog.find("orders")).isEmpty();
    CompletableFuture<Void> again = creatingAgain(); // before any of it is read back
    assertThat(state.readBack()).as("DELETING").isFalse();
    assertThat(state.readBack()).as("the tombstone reported failed").isTrue();
    assertThat(state.readBack()).as("the one written again").isTrue();

    assertThat(catalog.find("orders")).as("the new stream, still shown").isPresent();
    state.readBack(); // its CREATING
    again.join();
    awaitActive();
    put("new");
    state.readBackAll();
    assertThat(catalog.require("orders").createdMillis()).isGreaterThan(first);
    assertThat(catalog.require("orders").status()).isEqualTo(StreamStatus.ACTIVE);
    assertThat(records()).containsExactly("new");
  }

  @Test
  void create_activeWriteRefusedWithoutLanding_writtenAgainUntilItIs() throws Exception {
    state.refuseWrites(1, 2); // CREATING goes through; the first two ACTIVE writes never land
    answered(catalog.create("orders", 1, StreamMode.PROVISIONED, Map.of()));

    // no other node finishes a creation: left CREATING, the stream could not even be deleted
    for (int i = 0; i < 1000 && !active(); i++) {
      Thread.sleep(5);
    }
    assertThat(active()).isTrue();
    state.readBackAll();
    assertThat(startedLater().require("orders").status()).isEqualTo(StreamStatus.ACTIVE);
  }

  @Test
  void delete_tombstoneRefusedWithoutLanding_writtenAgainUntilItIs() throws Exception {
    created();
    state.readBackAll();
    state.refuseWrites(1, 1); // DELETING goes through; the first tombstone never lands

    catalog.delete("orders").join();
    for (int i = 0; i < 1000 && catalog.find("orders").isPresent(); i++) {
      Thread.sleep(5);
    }
    assertThat(catalog.find("orders")).isEmpty();
    state.readBackAll();
    assertThat(startedLater().find("orders")).as("a node starting later").isEmpty();
  }

  /**
   * Plays stream "orders" created here, deleted by another node, and then a change of it another
   * node made before it read the deletion; returns that stale change.
   */
  private StreamMeta deletedThenStaleChangeFromAnotherNode() throws Exception {
    created();
    state.readBackAll();
    StreamMeta v2 = catalog.require("orders");
    state.fromAnotherNode(KEY, null);
    StreamMeta stale = v2.withTags(Map.of("late", "yes")).withVersion(v2.version() + 1);
    state.fromAnotherNode(KEY, JSON.writeValueAsBytes(stale));
    return stale;
  }

  /** A catalog of a node that starts now over the same state: it loads what compaction kept. */
  private StreamCatalog startedLater() {
    return startedLaterOn(engine);
  }

  /** As {@link #startedLater()}, over {@code storage} (the same logs, seen through a wrapper). */
  private StreamCatalog startedLaterOn(LogEngine storage) {
    return nodeOver(state, storage);
  }

  /** A catalog started now over {@code held} and {@code storage}; closed after the test. */
  private StreamCatalog nodeOver(HeldState held, LogEngine storage) {
    StreamCatalog node = StreamCatalog.shared(held, storage, clock, new StreamLimits(20, 2));
    startedLater.add(node);
    node.start();
    return node;
  }

  /** The engine's logs, seen by a node whose broker refuses to create any new one. */
  private LogEngine storageRefusingNewLogs() {
    return new ForwardingLogEngine(engine) {
      @Override
      public CompletableFuture<Void> createShard(ShardRef shard) {
        return CompletableFuture.failedFuture(new LogException("broker unreachable"));
      }
    };
  }

  private static void assertInUse(CompletableFuture<?> change) {
    assertThatThrownBy(change::join)
        .cause()
        .isInstanceOf(StreamException.class)
        .extracting(e -> ((StreamException) e).kind())
        .isEqualTo(StreamException.Kind.IN_USE);
  }

  private static void assertNotFound(CompletableFuture<Void> change) {
    assertThatThrownBy(change::join)
        .cause()
        .isInstanceOf(StreamException.class)
        .extracting(e -> ((StreamException) e).kind())
        .isEqualTo(StreamException.Kind.NOT_FOUND);
  }

  /** The oldest of this node's held writes, a stream's record. */
  private StreamMeta oldestHeld() throws java.io.IOException {
    return JSON.copy()
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .readValue(state.oldest(), StreamMeta.class);
  }

  private void awaitHeld(int writes) throws InterruptedException {
    awaitHeld(writes, java.time.Duration.ofMillis(2500));
  }

  private void awaitHeld(int writes, java.time.Duration within) throws InterruptedException {
    awaitHeld(state, writes, within);
  }

  private static void awaitHeld(HeldState held, int writes) throws InterruptedException {
    awaitHeld(held, writes, java.time.Duration.ofMillis(2500));
  }

  private static void awaitHeld(HeldState held, int writes, java.time.Duration within)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline && held.held() < writes) {
      Thread.sleep(5);
    }
    assertThat(held.held()).isEqualTo(writes);
  }

  private void awaitActive() throws InterruptedException {
    awaitActive(true);
  }

  /** Waits until "orders" is ACTIVE here, reading back this node's writes meanwhile or not. */
  private void awaitActive(boolean readBack) throws InterruptedException {
    for (int i = 0; i < 500 && !active(); i++) {
      Thread.sleep(5);
      if (readBack) {
        state.readBackAll(); // the node's own ACTIVE record, once finishing wrote it
      }
    }
    assertThat(active()).isTrue();
  }

  /**
   * Creates stream "orders" with one shard, reads back what this node wrote up to its CREATING
   * record, so that the creation is answered, and waits until the stream is ACTIVE here.
   */
  private void created() throws InterruptedException {
    answered(catalog.create("orders", 1, StreamMode.PROVISIONED, Map.of()));
    awaitActive(false);
  }

  /**
   * Creates stream "orders" again, a second after the last creation, and waits until its CREATING
   * record is written; returns the creation, answered once that record is read back.
   */
  private CompletableFuture<Void> creatingAgain() throws InterruptedException {
    int before = state.held();
    clock.advance(1_000);
    CompletableFuture<Void> again = catalog.create("orders", 1, StreamMode.PROVISIONED, Map.of());
    awaitHeld(before + 1);
    return again;
  }

  /**
   * Reads back this node's writes, oldest first, until {@code change} is answered (a record's
   * change is answered as it is read back), and joins it.
   */
  private void answered(CompletableFuture<?> change) throws InterruptedException {
    answered(state, change);
  }

  /** As {@link #answered(CompletableFuture)}, for a node over {@code held}. */
  private static void answered(HeldState held, CompletableFuture<?> change)
      throws InterruptedException {
    while (!change.isDone()) {
      for (int i = 0; i < 500 && held.held() == 0 && !change.isDone(); i++) {
        Thread.sleep(5);
      }
      assertThat(held.held() > 0 || change.isDone()).as("a write to read back").isTrue();
      if (!change.isDone()) {
        held.readBack();
      }
    }
    change.join();
  }

  private boolean active() {
    return catalog.find("orders").map(StreamMeta::status).orElse(null) == StreamStatus.ACTIVE;
  }

  /** Deletes stream "orders" and waits until it is gone here. */
  private void deleted() throws InterruptedException {
    catalog.delete("orders").join();
    for (int i = 0; i < 500 && catalog.find("orders").isPresent(); i++) {
      Thread.sleep(5);
    }
    assertThat(catalog.find("orders")).isEmpty();
  }

  private void put(String data) {
    appender
        .append(
            "orders",
            List.of(
                new StreamAppender.Entry(
                    "k", HashKeys.ofPartitionKey("k"), data.getBytes(StandardCharsets.UTF_8))))
        .join()
        .forEach(o -> assertThat(o.ok()).as(o.toString()).isTrue());
  }

  private List<String> records() {
    String shard = catalog.require("orders").shards().get(0).id();
    return engine.read(new ShardRef("orders", shard), 0, 10, 1 << 20).join().records().stream()
        .map(r -> new String(r.data(), StandardCharsets.UTF_8))
        .toList();
  }
}
