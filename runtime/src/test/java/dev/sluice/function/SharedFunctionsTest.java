package dev.sluice.function;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.cluster.KafkaFunctionLogs;
import dev.sluice.cluster.StateStore;
import dev.sluice.function.classloader.ClassLoaderRunnerFactory;
import dev.sluice.log.kafka.KafkaConnection;
import dev.sluice.testing.HandlerJars;
import dev.sluice.testing.KafkaBroker;
import dev.sluice.testing.MemoryState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Functions in the node state several nodes share, over a state kept in memory. */
class SharedFunctionsTest {

  static final ObjectMapper MAPPER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  @TempDir Path dir;
  final MemoryState state = new MemoryState();
  final ClassLoaderRunnerFactory runners = new ClassLoaderRunnerFactory();
  FunctionService service;

  @AfterEach
  void close() {
    service.close();
    runners.close();
  }

  void open() {
    open(state);
  }

  void open(StateStore store) {
    service = node("node", store, null);
  }

  @Test
  void create_withRole_anotherNodeReadsTheRole() throws Exception {
    open();
    Path code = Files.createDirectories(dir.resolve("small"));
    Files.writeString(code.resolve("handler.txt"), "not a class, but a file");
    String role = "arn:aws:iam::123456789012:role/service-role/orders";
    service.create(
        "f", FunctionServiceTest.java17("fixture.Any").withRole(role), new CodeSource.Local(code));

    FunctionService other = otherNode();
    try {
      assertThat(other.get("f").role()).isEqualTo(role);
    } finally {
      other.close();
    }
  }

  @Test
  void retag_onAnotherNode_thisNodeSeesTheTagsAndKeepsItsWarmInstance() throws Exception {
    open();
    String counter =
        "package fixture; public class Count { static int calls;"
            + " public String handle(String in) { return \"call \" + (++calls); } }";
    service.create(
        "f",
        FunctionServiceTest.java17("fixture.Count::handle"),
        new CodeSource.Upload(HandlerJars.jar(Map.of("fixture.Count", counter))));
    FunctionService other = otherNode();
    try {
      assertThat(result(other.invoke("f", "\"x\"".getBytes(UTF_8), null).join()))
          .isEqualTo("\"call 1\"");

      service.retag("f", Map.of("team", "orders"), List.of());
      service.putConcurrency("f", 3);

      assertThat(other.get("f").tags()).containsEntry("team", "orders");
      assertThat(other.get("f").reservedConcurrency()).isEqualTo(3);
      assertThat(result(other.invoke("f", "\"x\"".getBytes(UTF_8), null).join()))
          .as("the same instance, not a cold start")
          .isEqualTo("\"call 2\"");
    } finally {
      other.close();
    }
  }

  static FunctionSpec memory(int mb) {
    return new FunctionSpec(null, null, mb, null, null, null, null);
  }

  private void createSmall(String name) throws Exception {
    Path code = Files.createDirectories(dir.resolve("small-" + name));
    Files.writeString(code.resolve("handler.txt"), "not a class, but a file");
    service.create(name, FunctionServiceTest.java17("fixture.Any"), new CodeSource.Local(code));
  }

  private List<String> packagesOf(String name) {
    return List.copyOf(state.snapshot("code/" + name + "/").keySet()); // restores write meanwhile
  }

  private static FunctionException conflict(Runnable change) {
    return lost(change, FunctionException.Kind.CONFLICT);
  }

  private static FunctionException lost(Runnable change, FunctionException.Kind kind) {
    try {
      change.run();
    } catch (FunctionException e) {
      assertThat(e.kind()).isEqualTo(kind);
      return e;
    }
    throw new AssertionError("the change did not lose");
  }

  @Test
  void updateConfiguration_anotherNodeChangedItMeanwhile_losesAndBothNodesKeepTheWinner()
      throws Exception {
    open();
    createSmall("f");
    FunctionService other = otherNode();
    try {
      String before = state.snapshot("").keySet().toString();
      // the other node's change lands between this node's view and its write
      state.beforeNextWrite("function/f", () -> other.updateConfiguration("f", memory(512), null));

      FunctionException lost = conflict(() -> service.updateConfiguration("f", memory(1024), null));

      assertThat(lost.getMessage()).contains("An update is in progress for resource");
      assertThat(service.get("f").memorySize()).isEqualTo(512);
      assertThat(other.get("f").memorySize()).isEqualTo(512);
      assertThat(state.snapshot("").keySet().toString()).isEqualTo(before);
      // the loser's record came last; its node wrote the winner again after it
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(new String(state.snapshot("function/f").get("function/f"), UTF_8))
                      .contains("\"memorySize\":512"));
      await().atMost(Duration.ofSeconds(5)).until(state::quiet); // both nodes read the restore
      SharedFunctions.Versioned restore = lastRecord();
      assertThat(restore.follows()).isNotNull();
      // the same version again: a change made from the winner before the restore still wins
      assertThat(restore.version()).isEqualTo(restore.base());
      injectChange(restore.version(), restore.incarnation(), 3);
      assertThat(service.get("f").reservedConcurrency()).isEqualTo(3);
      assertThat(other.get("f").reservedConcurrency()).isEqualTo(3);

      FunctionConfig next = service.updateConfiguration("f", memory(2048), null);
      assertThat(next.memorySize()).isEqualTo(2048);
      assertThat(other.get("f").memorySize()).isEqualTo(2048);
    } finally {
      other.close();
    }
  }

  @Test
  void updateCode_whileItsPackageIsWritten_anotherNodesChangeStillAppliesHere() throws Exception {
    open();
    createSmall("f");
    createSmall("g");
    FunctionService other = otherNode();
    CountDownLatch release = new CountDownLatch(1);
    try {
      CompletableFuture<FunctionConfig> update = updatingFHeld(version2(), release);

      // delivered to this node on the writer's thread, as its applier would apply it
      CompletableFuture.runAsync(() -> other.updateConfiguration("g", memory(512), null))
          .get(5, TimeUnit.SECONDS);

      assertThat(service.get("g").memorySize()).isEqualTo(512);
      release.countDown();
      assertThat(update.get(10, TimeUnit.SECONDS).codeSha256())
          .isNotEqualTo(other.get("g").codeSha256())
          .isEqualTo(other.get("f").codeSha256());
    } finally {
      release.countDown();
      other.close();
    }
  }

  @Test
  void checkCode_ofThePackageAnUpdateUnderWayStaged_leavesItForThatUpdate() throws Exception {
    open();
    createSmall("f");
    CountDownLatch release = new CountDownLatch(1);
    try {
      Path v2 = version2();
      CompletableFuture<FunctionConfig> update = updatingFHeld(v2, release);

      service.checkCode("f", new CodeSource.Local(v2), null); // a DryRun of the same package
      release.countDown();

      String sha = update.get(10, TimeUnit.SECONDS).codeSha256();
      assertThat(service.get("f").codeSha256()).isEqualTo(sha);
      try (Stream<Path> files = Files.walk(dir.resolve("node"))) {
        assertThat(files.filter(p -> p.endsWith("handler.txt")).map(SharedFunctionsTest::text))
            .as("the package the function now runs, unpacked on this node")
            .contains("version 2");
      }
    } finally {
      release.countDown();
    }
  }

  /** A package whose handler.txt says "version 2". */
  private Path version2() throws java.io.IOException {
    Path v2 = Files.createDirectories(dir.resolve("v2"));
    Files.writeString(v2.resolve("handler.txt"), "version 2");
    return v2;
  }

  /**
   * Starts updating function f's code to {@code code}, and returns once the package's write to the
   * shared state is held, as a large package on its way to the broker, until {@code release} opens.
   */
  private CompletableFuture<FunctionConfig> updatingFHeld(Path code, CountDownLatch release)
      throws InterruptedException {
    CountDownLatch uploading = new CountDownLatch(1);
    state.beforeNextWriteUnder(
        "code/f/",
        () -> {
          uploading.countDown();
          awaitQuietly(release);
        });
    CompletableFuture<FunctionConfig> update =
        CompletableFuture.supplyAsync(() -> service.updateCode("f", new CodeSource.Local(code)));
    assertThat(uploading.await(10, TimeUnit.SECONDS)).isTrue();
    return update;
  }

  private static String text(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void updateCode_anotherNodeChangedItMeanwhile_losesRemovesItsPackageAndTheWinnersStays()
      throws Exception {
    open();
    createSmall("f");
    List<String> first = packagesOf("f");
    FunctionService other = otherNode();
    try {
      Path v2 = version2();
      state.beforeNextWrite("function/f", () -> other.updateConfiguration("f", memory(512), null));

      conflict(() -> service.updateCode("f", new CodeSource.Local(v2)));

      // once the winner is the key's last record again
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () -> assertThat(packagesOf("f")).as("the loser's package removed").isEqualTo(first));
      String sha = other.get("f").codeSha256();
      assertThat(service.get("f").codeSha256()).isEqualTo(sha);
      assertThat(service.invoke("f", "{}".getBytes(UTF_8), null).join().report().result())
          .as("runs with the winner's package")
          .isNotNull();
    } finally {
      other.close();
    }
  }

  @Test
  void update_functionDeletedByAnotherNodeMeanwhile_notFoundAndStaysDeletedEverywhere()
      throws Exception {
    open();
    createSmall("f");
    FunctionService other = otherNode();
    try {
      state.beforeNextWrite("function/f", () -> other.delete("f"));

      FunctionException lost =
          lost(() -> service.putConcurrency("f", 2), FunctionException.Kind.NOT_FOUND);

      assertThat(lost.getMessage()).startsWith("Function not found: arn:aws:lambda:");

      assertThat(service.list()).isEmpty();
      assertThat(other.list()).isEmpty();
      assertThat(packagesOf("f")).isEmpty();
      // the loser's record came last: its node wrote the deletion again after it
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(() -> assertThat(lastRecord().deleted()).isTrue());
      assertThat(lastRecord().follows()).isNotNull();
    } finally {
      other.close();
    }
  }

  @Test
  void updateConfiguration_withTheRevisionIdAnotherNodesChangeReplaced_preconditionFailed()
      throws Exception {
    open();
    createSmall("f");
    FunctionService other = otherNode();
    try {
      String revision = service.get("f").revisionId();
      state.beforeNextWrite("function/f", () -> other.updateConfiguration("f", memory(512), null));

      lost(
          () -> service.updateConfiguration("f", memory(1024), revision),
          FunctionException.Kind.PRECONDITION_FAILED);

      assertThat(service.get("f").memorySize()).isEqualTo(512);
    } finally {
      other.close();
    }
  }

  /** A record made from a version before the one in effect, by a node that died at once. */
  private SharedFunctions.Versioned injectLoser(SharedFunctions.Versioned w) throws Exception {
    SharedFunctions.Versioned loser =
        new SharedFunctions.Versioned(
            w.config().withReservedConcurrency(7),
            w.version() + 1,
            w.version() - 1,
            w.incarnation(),
            false,
            false,
            null,
            w.packageKey(),
            "dead-node-change");
    state.remote("function/f", MAPPER.writeValueAsBytes(loser));
    return loser;
  }

  /** Another node's change of f, made from version {@code base}: its reserved concurrency. */
  private void injectChange(long base, String incarnation, int reserved) throws Exception {
    SharedFunctions.Versioned head = lastRecord();
    SharedFunctions.Versioned change =
        new SharedFunctions.Versioned(
            head.config().withReservedConcurrency(reserved),
            head.version() + 100,
            base,
            incarnation,
            false,
            false,
            null,
            head.packageKey(),
            "remote-" + reserved);
    state.remote("function/f", MAPPER.writeValueAsBytes(change));
  }

  private SharedFunctions.Versioned lastRecord() throws Exception {
    return MAPPER.readValue(
        state.snapshot("function/f").get("function/f"), SharedFunctions.Versioned.class);
  }

  @Test
  void start_losingRecordLeftLastByANodeThatDied_newNodeJudgesItAndAnotherWritesTheWinnerAgain()
      throws Exception {
    open();
    createSmall("f");
    SharedFunctions.Versioned w = lastRecord();
    injectLoser(w);

    FunctionService fresh = otherNode(); // judges the topic's records in order, as others did
    try {
      assertThat(fresh.get("f")).isEqualTo(w.config());
      assertThat(service.get("f")).isEqualTo(w.config());
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(lastRecord().follows()).isEqualTo("dead-node-change"));
      assertThat(lastRecord().config()).isEqualTo(w.config());
    } finally {
      fresh.close();
    }
  }

  @Test
  void start_compactedToALoserLeftLast_newNodeTakesItUntilTheWinnerIsWrittenAgain()
      throws Exception {
    open();
    createSmall("f");
    SharedFunctions.Versioned w = lastRecord();
    injectLoser(w);
    state.compact(); // the winner's record is gone: only the loser is left of the name

    FunctionService fresh = otherNode();
    try {
      assertThat(fresh.get("f").reservedConcurrency()).as("it cannot tell").isEqualTo(7);
      assertThat(service.get("f").reservedConcurrency()).isNull();

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(fresh.get("f")).isEqualTo(w.config()));
      assertThat(service.get("f")).isEqualTo(w.config());
      FunctionConfig next = fresh.putConcurrency("f", 2); // both judge it the same way now
      assertThat(service.get("f")).isEqualTo(next);
    } finally {
      fresh.close();
    }
  }

  @Test
  void delete_fromAViewAnotherNodesChangeOvertook_conflictsAndTheFunctionStays() throws Exception {
    open();
    createSmall("f");
    FunctionService other = otherNode();
    try {
      state.beforeNextWrite("function/f", () -> other.updateConfiguration("f", memory(512), null));

      conflict(() -> service.delete("f"));

      assertThat(service.get("f").memorySize()).isEqualTo(512);
      assertThat(other.get("f").memorySize()).isEqualTo(512);
      assertThat(packagesOf("f")).hasSize(1);
      other.delete("f");
      assertThat(service.list()).isEmpty();
      assertThat(packagesOf("f")).isEmpty();
      createSmall("f"); // a deleted name is free again on every node
      assertThat(other.get("f").name()).isEqualTo("f");
    } finally {
      other.close();
    }
  }

  @Test
  void create_anotherNodeCreatedTheNameMeanwhile_answersThatItExistsAndKeepsTheOther()
      throws Exception {
    open();
    FunctionService other = otherNode();
    try {
      Path theirs = Files.createDirectories(dir.resolve("theirs"));
      Files.writeString(theirs.resolve("handler.txt"), "theirs");
      Path mine = Files.createDirectories(dir.resolve("mine"));
      Files.writeString(mine.resolve("handler.txt"), "mine");
      state.beforeNextWrite(
          "function/f",
          () ->
              other.create(
                  "f", FunctionServiceTest.java17("fixture.Theirs"), new CodeSource.Local(theirs)));

      FunctionException lost =
          conflict(
              () ->
                  service.create(
                      "f", FunctionServiceTest.java17("fixture.Mine"), new CodeSource.Local(mine)));

      assertThat(lost.getMessage()).isEqualTo("Function already exist: f");
      assertThat(service.get("f").handler()).isEqualTo("fixture.Theirs");
      await().atMost(Duration.ofSeconds(5)).until(() -> packagesOf("f").size() == 1);
    } finally {
      other.close();
    }
  }

  @Test
  void updateCode_wins_replacedPackageRemovedFromTheSharedState() throws Exception {
    open();
    createSmall("f");
    List<String> first = packagesOf("f");
    service.updateCode("f", new CodeSource.Local(version2()));

    assertThat(packagesOf("f")).hasSize(1).doesNotContainAnyElementsOf(first);
    FunctionService restarted = otherNode();
    try {
      assertThat(restarted.get("f").codeSha256()).isEqualTo(service.get("f").codeSha256());
    } finally {
      restarted.close();
    }
  }

  @Test
  void create_configurationLandsButItsAcknowledgementIsLost_serviceErrorAndThePackageStays()
      throws Exception {
    open(new AckLost(state, "function/f"));
    Path code = Files.createDirectories(dir.resolve("small"));
    Files.writeString(code.resolve("handler.txt"), "not a class, but a file");

    assertThatThrownBy(
            () ->
                service.create(
                    "f", FunctionServiceTest.java17("fixture.Any"), new CodeSource.Local(code)))
        .isInstanceOfSatisfying(
            FunctionException.class,
            e -> assertThat(e.kind()).isEqualTo(FunctionException.Kind.SERVICE))
        .hasMessageContaining("may still take effect")
        .hasCauseInstanceOf(dev.sluice.cluster.StateException.class);
    // the change took effect: its package must stay for the nodes that run it
    assertThat(state.snapshot("code/f/")).hasSize(1);
    FunctionService other = otherNode();
    try {
      assertThat(other.get("f").name()).isEqualTo("f");
    } finally {
      other.close();
    }
  }

  @Test
  void create_onANodeWithAnIsolationThisOneLacks_failedHereYetChangeableAndDeletableHere()
      throws Exception {
    open(); // classloader isolation only
    // a node that also runs process isolation (here by the same factory: only the key matters)
    FunctionService other =
        otherNode(Map.of(Isolation.CLASSLOADER, runners, Isolation.PROCESS, runners));
    try {
      other.create(
          "p",
          FunctionServiceTest.inProcess("dev.sluice.examples.hello.EchoHandler"),
          FunctionServiceTest.HELLO);
      assertThat(result(other.invoke("p", "{}".getBytes(UTF_8), null).join()))
          .contains("handledBy");

      assertThat(service.list()).extracting(FunctionConfig::name).containsExactly("p");
      assertThat(service.unrunnable("p"))
          .hasValueSatisfying(
              u -> {
                assertThat(u.reasonCode()).isEqualTo("InvalidConfiguration");
                assertThat(u.reason()).contains("PROCESS isolation is not available");
              });
      assertThatThrownBy(() -> service.invoke("p", "{}".getBytes(UTF_8), null))
          .isInstanceOf(FunctionException.class)
          .hasMessageContaining("currently in the following state: Failed")
          .satisfies(
              e ->
                  assertThat(((FunctionException) e).kind())
                      .isEqualTo(FunctionException.Kind.CONFLICT));
      assertThatThrownBy(() -> service.invokeAsync("p", "{}".getBytes(UTF_8)))
          .hasMessageContaining("state: Failed");
      assertThatThrownBy(() -> service.checkInvocable("p")) // a DryRun
          .hasMessageContaining("state: Failed");
      other.checkInvocable("p");

      service.updateConfiguration("p", FunctionServiceTest.java17(null));
      assertThat(service.unrunnable("p")).isEmpty();
      assertThat(result(service.invoke("p", "{}".getBytes(UTF_8), null).join()))
          .contains("handledBy");

      other.updateConfiguration("p", FunctionServiceTest.inProcess(null));
      await().atMost(Duration.ofSeconds(10)).until(() -> service.unrunnable("p").isPresent());
      service.delete("p");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> other.list().isEmpty() && service.list().isEmpty());
    } finally {
      other.close();
    }
  }

  @Test
  void start_aFunctionRecordThisVersionCannotRead_skippedAndTheOthersLoad() throws Exception {
    // written by a newer node: an isolation this version does not know
    state.remote(
        "function/g",
        ("{\"config\":{\"name\":\"g\",\"isolation\":\"CONTAINER\"},\"version\":1,"
                + "\"base\":0,\"incarnation\":\"i\",\"creation\":true,\"changeId\":\"c\"}")
            .getBytes(UTF_8));
    open();
    Path code = Files.createDirectories(dir.resolve("small"));
    Files.writeString(code.resolve("handler.txt"), "not a class, but a file");
    service.create("f", FunctionServiceTest.java17("fixture.Any"), new CodeSource.Local(code));

    FunctionService other = otherNode();
    try {
      assertThat(other.list()).extracting(FunctionConfig::name).containsExactly("f");
    } finally {
      other.close();
    }
  }

  @Test
  void start_whileTheCleanerDropsAMiddleRecord_theNewNodeTakesTheLastChangeAndStaysInStep()
      throws Exception {
    open();
    Path code = Files.createDirectories(dir.resolve("small"));
    Files.writeString(code.resolve("handler.txt"), "not a class, but a file");
    service.create("f", FunctionServiceTest.java17("fixture.Any"), new CodeSource.Local(code));
    service.putConcurrency("f", 2);
    service.putConcurrency("f", 3);
    // the starting node read the creation before the cleaner rewrote the segment of the updates
    state.cleanedWhileReading("function/f", 1);

    FunctionService other = otherNode();
    try {
      assertThat(other.get("f").reservedConcurrency()).isEqualTo(3);
      other.putConcurrency("f", 1);
      assertThat(service.get("f").reservedConcurrency())
          .as("a change made there wins here too")
          .isEqualTo(1);
    } finally {
      other.close();
    }
  }

  /** A node's store whose first write of {@code key} lands but reports a failure. */
  private static final class AckLost implements StateStore {
    private final MemoryState state;
    private final String key;
    private volatile boolean armed = true;

    AckLost(MemoryState state, String key) {
      this.state = state;
      this.key = key;
    }

    @Override
    public Map<String, byte[]> snapshot(String prefix) {
      return state.snapshot(prefix);
    }

    @Override
    public List<Map.Entry<String, byte[]>> history(String prefix) {
      return state.history(prefix);
    }

    @Override
    public void listen(String prefix, dev.sluice.cluster.StateListener listener) {
      state.listen(prefix, listener);
    }

    @Override
    public void listenAll(String prefix, dev.sluice.cluster.StateListener listener) {
      state.listenAll(prefix, listener);
    }

    @Override
    public void follow() {}

    @Override
    public void put(String k, byte[] value) {
      state.put(k, value);
      if (armed && k.equals(key)) {
        armed = false;
        throw new dev.sluice.cluster.StateException("timed out writing " + k);
      }
    }

    @Override
    public void remove(String k) {
      state.remove(k);
    }

    @Override
    public void close() {}
  }

  @Test
  void start_packagesAndFunctionsTheStateNoLongerNames_removedFromTheDataDirectory()
      throws Exception {
    open();
    createSmall("a");
    Path functions = dir.resolve("node").resolve("functions");
    Path current;
    try (Stream<Path> packages = Files.list(functions.resolve("a").resolve("code"))) {
      current = packages.findFirst().orElseThrow();
    }
    service.close();
    // a replaced package, a function deleted meanwhile, a package half unpacked by a crash
    Path stale = Files.createDirectories(current.resolveSibling("0123456789abcdef01234567"));
    Files.writeString(stale.resolve("old.txt"), "old");
    Path gone = Files.createDirectories(functions.resolve("gone").resolve("logs"));
    Files.writeString(gone.resolve("function.log"), "old");
    Path half = Files.createDirectories(functions.resolve(".unpack-123"));

    open(state.otherNode()); // the same node starting again

    assertThat(current.resolve("handler.txt")).exists();
    assertThat(stale).doesNotExist();
    assertThat(functions.resolve("gone")).doesNotExist();
    assertThat(half).doesNotExist();
    assertThat(service.get("a").codeSha256()).isNotBlank();
  }

  @Test
  void start_aNewerNodesChangeThisOneCannotRead_keepsThePackageOfTheChangeItRuns()
      throws Exception {
    open();
    createSmall("f");
    String replaced = packagesOf("f").get(0);
    Path functions = dir.resolve("node").resolve("functions");
    Path cached;
    try (Stream<Path> packages = Files.list(functions.resolve("f").resolve("code"))) {
      cached = packages.findFirst().orElseThrow();
    }
    service.close();
    // a newer node's change in a form this one cannot read, which removed the package it replaced
    state.remote("function/f", "{\"version\":2,\"base\":1,\"newerForm\":{}}".getBytes(UTF_8));
    state.remote(replaced, null);

    open(state.otherNode());

    assertThat(cached.resolve("handler.txt")).exists();
    assertThat(service.list()).extracting(FunctionConfig::name).containsExactly("f");
  }

  @Test
  void start_aKeyUnderCodeThatNamesNoPackage_skippedAndTheFunctionsLoad() throws Exception {
    open();
    createSmall("f");
    service.close();
    state.remote("code/x", "no package".getBytes(UTF_8));
    state.remote("code/g/not-hex/1", "no package".getBytes(UTF_8));
    state.remote("code/h/ab/1", "no package".getBytes(UTF_8)); // hex, but no SHA-256

    open(state.otherNode());

    assertThat(service.list()).extracting(FunctionConfig::name).containsExactly("f");
  }

  private FunctionService otherNode() {
    return otherNode(Map.of(Isolation.CLASSLOADER, runners));
  }

  /** Another node on the same state, running functions with {@code factories}. */
  private FunctionService otherNode(Map<Isolation, RunnerFactory> factories) {
    FunctionService other =
        new FunctionService(
            dir.resolve("other"),
            "us-east-1",
            "000000000000",
            factories,
            4,
            List.of(),
            Clock.systemUTC(),
            state.otherNode(),
            null,
            null);
    other.start();
    return other;
  }

  /**
   * A node in {@code subdir} on {@code store} (this test's state or another node's view of it),
   * with its logs in {@code logs} (null: files).
   */
  private FunctionService node(String subdir, StateStore store, FunctionLogStore logs) {
    FunctionService node =
        new FunctionService(
            dir.resolve(subdir),
            "us-east-1",
            "000000000000",
            Map.of(Isolation.CLASSLOADER, runners),
            4,
            List.of(),
            Clock.systemUTC(),
            store,
            null,
            logs);
    node.start();
    return node;
  }

  /** A node whose logs are kept in {@code topic} on the tests' broker. */
  private FunctionService nodeWithLogsIn(String topic, StateStore store, String subdir) {
    KafkaConnection broker = KafkaConnection.of(KafkaBroker.bootstrapServers());
    return node(subdir, store, KafkaFunctionLogs.open(broker, topic, 1));
  }

  @Test
  void logPage_logsInKafka_showsInvocationsOnAnotherNodeAndStartsEmptyForANamesake()
      throws Exception {
    String topic = "__sfl-" + UUID.randomUUID().toString().substring(0, 8) + ".logs";
    service = nodeWithLogsIn(topic, state, "node");
    String printer =
        "package fixture; public class Print {"
            + " public String handle(String in) { System.out.println(\"printed for \" + in);"
            + " return in; } }";
    CodeSource code = new CodeSource.Upload(HandlerJars.jar(Map.of("fixture.Print", printer)));
    service.create("f", FunctionServiceTest.java17("fixture.Print::handle"), code);
    FunctionService other = nodeWithLogsIn(topic, state.otherNode(), "other");
    try {
      String requestId = other.invoke("f", "\"x\"".getBytes(UTF_8), null).join().requestId();

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> service.logPage("f", null, 100).lines().size() >= 4);
      List<String> lines = service.logPage("f", null, 100).lines();
      assertThat(lines.get(0)).isEqualTo("START RequestId: " + requestId + " Version: $LATEST");
      assertThat(lines.get(1)).isEqualTo("printed for x");
      assertThat(lines.get(2)).isEqualTo("END RequestId: " + requestId);
      assertThat(lines.get(3)).startsWith("REPORT RequestId: " + requestId + "\tDuration: ");
      assertThat(dir.resolve("other/functions/f/logs")).doesNotExist();

      service.delete("f");
      service.create("f", FunctionServiceTest.java17("fixture.Print::handle"), code);
      await() // the other node may not know the new function for a moment
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> other.logPage("f", null, 100).lines().isEmpty());
    } finally {
      other.close();
    }
  }

  private static String result(FunctionService.Invoked r) {
    return new String(((InvocationResult.Success) r.report().result()).payload(), UTF_8);
  }

  @Test
  void delete_whenRemovingThePackageFails_functionIsGoneHereAsEverywhere() throws Exception {
    open();
    Path code = Files.createDirectories(dir.resolve("small"));
    Files.writeString(code.resolve("handler.txt"), "not a class, but a file");
    service.create("f", FunctionServiceTest.java17("fixture.Any"), new CodeSource.Local(code));
    state.refusedRemovals = "code/"; // package removals fail

    service.delete("f");

    assertThat(service.list()).isEmpty();
    assertThat(lastRecord().deleted()).as("a deletion marker, judged like any change").isTrue();
  }

  @Test
  void create_packageLargerThanTheSharedStateTakes_refusedAndNothingShared() throws Exception {
    open();
    Path code = Files.createDirectories(dir.resolve("big"));
    byte[] noise = new byte[StateStore.MAX_VALUE_BYTES + (1 << 20)];
    new Random(7).nextBytes(noise); // does not compress
    Files.write(code.resolve("blob.bin"), noise);

    assertThatThrownBy(
            () ->
                service.create(
                    "big", FunctionServiceTest.java17("fixture.Any"), new CodeSource.Local(code)))
        .isInstanceOf(FunctionException.class)
        .hasMessageContaining("bytes zipped")
        .extracting(e -> ((FunctionException) e).kind())
        .isEqualTo(FunctionException.Kind.INVALID_PARAMETER);
    assertThat(state.values).isEmpty();
    assertThat(service.list()).isEmpty();
    assertThat(dir.resolve("node").resolve("functions").resolve("big")).doesNotExist();
  }
}
