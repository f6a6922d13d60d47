package dev.sluice.function;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.cluster.StateStore;
import dev.sluice.function.classloader.ClassLoaderRunnerFactory;
import dev.sluice.testing.HandlerJars;
import dev.sluice.testing.MemoryNode;
import dev.sluice.testing.MemoryState;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Event invocations of a node on shared state, through a queue kept in memory that plays the shared
 * one: what the node offers, and what it does with the events the queue hands it.
 */
class SharedEventsTest {

  static final String ECHO =
      "package fixture; public class Echo { public String handle(String in) { return in; } }";

  @TempDir Path dir;
  final MemoryState state = new MemoryState();
  final ClassLoaderRunnerFactory runners = new ClassLoaderRunnerFactory();
  final ListQueue queue = new ListQueue();
  final List<FunctionService> open = new ArrayList<>();

  @AfterEach
  void close() {
    open.forEach(FunctionService::close);
    runners.close();
  }

  FunctionService node(String name, Map<Isolation, RunnerFactory> factories) {
    return node(name, factories, name.equals("node") ? state : state.otherNode());
  }

  FunctionService node(String name, Map<Isolation, RunnerFactory> factories, StateStore view) {
    FunctionService f =
        new FunctionService(
            dir.resolve(name),
            "us-east-1",
            "000000000000",
            factories,
            4,
            List.of(Duration.ofMillis(50), Duration.ofMillis(50)),
            Clock.systemUTC(),
            view,
            queue,
            null);
    f.start();
    f.startEvents();
    open.add(f);
    return f;
  }

  FunctionService deployed() {
    FunctionService node = node("node", Map.of(Isolation.CLASSLOADER, runners));
    node.create(
        "f",
        FunctionServiceTest.java17("fixture.Echo::handle"),
        new CodeSource.Upload(HandlerJars.jar(Map.of("fixture.Echo", ECHO))));
    return node;
  }

  @Test
  void invokeAsync_sharedQueue_offeredThereForAnyNodeThenRunAndDoneWhenHandedOver() {
    FunctionService node = deployed();

    String id = node.invokeAsync("f", "\"x\"".getBytes(UTF_8));

    assertThat(queue.offered)
        .singleElement()
        .satisfies(e -> assertThat(e.requestId()).isEqualTo(id));
    ListQueue.Handed d = queue.hand(queue.offered.get(0));
    await().atMost(Duration.ofSeconds(10)).untilTrue(d.done);
    assertThat(queue.offered).as("succeeded: not queued again").hasSize(1);
  }

  @Test
  void handedEvent_throttled_queuedAgainWithTheThrottleCountedAndLetGo() {
    FunctionService node = deployed();
    node.putConcurrency("f", 0); // every call is throttled

    ListQueue.Handed d =
        queue.hand(
            new QueuedEvent("r-1", "f", "\"x\"".getBytes(UTF_8), System.currentTimeMillis()));

    // after the first throttle's second of backoff, not after 6 hours of retries
    await().atMost(Duration.ofSeconds(10)).untilTrue(d.done);
    assertThat(queue.offered)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.requestId()).isEqualTo("r-1");
              assertThat(e.throttles()).isEqualTo(1);
              assertThat(e.attempt()).isZero();
            });
  }

  @Test
  void handedEvent_functionDeployedButNotRunnableOnThisNode_queuedAgainNotDropped()
      throws Exception {
    deployed();
    FunctionService without = node("other", Map.of()); // no isolation to run it with
    assertThat(without.unrunnable("f")).isPresent();

    assertHandedEventQueuedAgain("r-2");
  }

  @Test
  void handedEvent_functionNotInAViewThatIsBehind_queuedAgainNotDropped() throws Exception {
    MemoryNode behind = state.otherNode();
    behind.behind = true; // the deploy on the node that accepted the event has not reached it
    node("other", Map.of(Isolation.CLASSLOADER, runners), behind);

    assertHandedEventQueuedAgain("r-4");
  }

  @Test
  void handedEvent_functionDeletedEverywhere_doneWithoutARun() {
    FunctionService node = deployed();
    node.delete("f");

    ListQueue.Handed d =
        queue.hand(
            new QueuedEvent("r-3", "f", "\"x\"".getBytes(UTF_8), System.currentTimeMillis()));

    await().atMost(Duration.ofSeconds(10)).untilTrue(d.done);
    assertThat(queue.offered).isEmpty();
  }

  @Test
  void handedEvent_acceptedMoreThanSixHoursAgo_doneWithoutARun() throws Exception {
    FunctionService node = node("node", Map.of(Isolation.CLASSLOADER, runners));
    String marks =
        "package fixture; public class Mark { public String handle(String path) throws Exception {"
            + " java.nio.file.Files.writeString(java.nio.file.Path.of(path), \"ran\");"
            + " return path; } }";
    node.create(
        "f",
        FunctionServiceTest.java17("fixture.Mark::handle"),
        new CodeSource.Upload(HandlerJars.jar(Map.of("fixture.Mark", marks))));
    Path ran = dir.resolve("ran");
    long sevenHoursAgo = System.currentTimeMillis() - Duration.ofHours(7).toMillis();

    // read again days later (the queue's group lost its offsets), or left waiting that long
    ListQueue.Handed d =
        queue.hand(
            new QueuedEvent("r-old", "f", ("\"" + ran + "\"").getBytes(UTF_8), sevenHoursAgo));

    await().atMost(Duration.ofSeconds(10)).untilTrue(d.done);
    assertThat(ran).as("the function did not run").doesNotExist();
    assertThat(queue.offered).isEmpty();
  }

  /** Hands the node an event for f, which it must neither run nor drop, but offer again. */
  private void assertHandedEventQueuedAgain(String requestId) throws InterruptedException {
    ListQueue.Handed d =
        queue.hand(
            new QueuedEvent(requestId, "f", "\"x\"".getBytes(UTF_8), System.currentTimeMillis()));

    Thread.sleep(1_000);
    assertThat(d.done).as("not dropped as if the function were gone").isFalse();
    await().atMost(Duration.ofSeconds(20)).untilTrue(d.done);
    assertThat(queue.offered).extracting(QueuedEvent::requestId).containsExactly(requestId);
  }

  /** A queue in memory: what was offered, and deliveries handed to the node by the test. */
  static final class ListQueue implements EventQueue {
    final List<QueuedEvent> offered = new CopyOnWriteArrayList<>();
    final List<Consumer<Delivery>> sinks = new CopyOnWriteArrayList<>();

    @Override
    public void offer(QueuedEvent event) {
      offered.add(event);
    }

    @Override
    public void start(Consumer<Delivery> sink) {
      sinks.add(sink);
    }

    @Override
    public void close() {}

    /** Hands {@code event} to the node started last. */
    Handed hand(QueuedEvent event) {
      Handed h = new Handed(event);
      sinks.get(sinks.size() - 1).accept(h);
      return h;
    }

    static final class Handed implements Delivery {
      final QueuedEvent event;
      final AtomicBoolean done = new AtomicBoolean();

      Handed(QueuedEvent event) {
        this.event = event;
      }

      @Override
      public QueuedEvent event() {
        return event;
      }

      @Override
      public boolean current() {
        return true;
      }

      @Override
      public void done() {
        done.set(true);
      }
    }
  }
}
