package dev.sluice.function.classloader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.function.DeployedCode;
import dev.sluice.function.FunctionConfig;
import dev.sluice.function.Invocation;
import dev.sluice.function.InvocationReport;
import dev.sluice.function.InvocationResult;
import dev.sluice.testing.HandlerJars;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Instances of real handler jars: reuse and reclaiming when idle. */
class ClassLoaderRunnerTest {

  @TempDir Path dir;
  private final ClassLoaderRunnerFactory factory = new ClassLoaderRunnerFactory();

  @AfterEach
  void close() {
    factory.close();
  }

  private ClassLoaderRunner runner() throws Exception {
    return runner(
        "fixture.Echo",
        "package fixture; public class Echo { public String go(String in) { return in; } }");
  }

  /** A runner of {@code handler} in the jar at {@link #dir}, on the threads a test gives it. */
  private ClassLoaderRunner runnerOf(
      String handler,
      PlatformLoader platform,
      ScheduledThreadPoolExecutor timers,
      java.util.concurrent.Executor closer) {
    return new ClassLoaderRunner(
        HandlerInstanceTest.config(handler), new DeployedCode(dir), platform, timers, closer);
  }

  /** Compiles {@code sources} (class name to source) into the function's one handler jar. */
  private void handlerJar(Map<String, String> sources) throws Exception {
    Files.createDirectories(dir.resolve("lib"));
    Files.write(dir.resolve("lib/handler.jar"), HandlerJars.jar(sources));
  }

  /** A runner of {@code className}'s {@code String go(String)}, compiled from {@code source}. */
  private ClassLoaderRunner runner(String className, String source) throws Exception {
    handlerJar(Map.of(className, source));
    return (ClassLoaderRunner)
        factory.create(HandlerInstanceTest.config(className + "::go"), new DeployedCode(dir));
  }

  /**
   * A handler counting its invocations in a static field (so a fresh instance says 1), which ends
   * its process as {@code exitCall} does when the input is "exit".
   */
  private ClassLoaderRunner exiting(String exitCall) throws Exception {
    return runner(
        "fixture.Quit",
        "package fixture; public class Quit { static int calls;"
            + " public String go(String in) {"
            + "   calls++;"
            + "   if (in.equals(\"exit\")) { "
            + exitCall
            + " }"
            + "   return \"call \" + calls; } }");
  }

  private static void assertExited(InvocationResult r, int status) {
    assertThat(r).isInstanceOf(InvocationResult.Failure.class);
    InvocationResult.Failure f = (InvocationResult.Failure) r;
    assertThat(f.errorType()).isEqualTo("Runtime.ExitError");
    assertThat(f.errorMessage())
        .endsWith("Error: Runtime exited with error: exit status " + status);
  }

  private static InvocationResult call(ClassLoaderRunner runner) {
    return call(runner, "hi");
  }

  private static InvocationResult call(ClassLoaderRunner runner, String input) {
    return report(runner, input).result();
  }

  private static InvocationReport report(ClassLoaderRunner runner, String input) {
    return runner.invoke(invocation(input)).orTimeout(30, TimeUnit.SECONDS).join();
  }

  /** An invocation with {@code input} as a JSON string and 10 s to run. */
  private static Invocation invocation(String input) {
    return invocation(input, 10_000);
  }

  @Test
  void invoke_factoryClosedWhileTheHandlerRuns_theInvocationStillCompletes() throws Exception {
    ClassLoaderRunner runner =
        runner(
            "fixture.Slow",
            "package fixture; public class Slow { public String go(String in) throws Exception {"
                + " Thread.sleep(500); return in; } }");
    report(runner, "warm"); // a cold start's init could outlast the wait below
    var running = runner.invoke(invocation("late"));
    Thread.sleep(200); // in the handler
    factory.close(); // what a stopping node does

    InvocationResult r = running.orTimeout(10, TimeUnit.SECONDS).join().result();
    assertThat(r).isInstanceOf(InvocationResult.Success.class);
  }

  @Test
  void invoke_returnsPastItsDeadlineWhileTheTimerThreadIsLate_timedOutAndTheInstanceDropped()
      throws Exception {
    handlerJar(
        Map.of(
            "fixture.Count",
            "package fixture; public class Count { static int calls;"
                + " public String go(String in) throws Exception {"
                + "   calls++; if (in.equals(\"slow\")) Thread.sleep(300);"
                + "   return \"\" + calls; } }"));
    // the timer thread every function shares, busy when this invocation's timeout falls due
    ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1);
    PlatformLoader platform = new PlatformLoader();
    ClassLoaderRunner runner = runnerOf("fixture.Count::go", platform, timers, Runnable::run);
    try {
      assertThat(text(report(runner, "warm").result())).isEqualTo("\"1\"");
      var slow = runner.invoke(invocation("slow", 200));
      timers.execute(() -> sleepQuietly(600)); // the timeout runs after the handler returned

      InvocationResult r = slow.orTimeout(10, TimeUnit.SECONDS).join().result();

      assertThat(r).isInstanceOf(InvocationResult.Failure.class);
      assertThat(((InvocationResult.Failure) r).errorMessage()).contains("Task timed out");
      assertThat(runner.idleInstances()).as("the timed-out instance is not kept").isZero();
      assertThat(text(report(runner, "next").result())).as("a fresh instance").isEqualTo("\"1\"");
    } finally {
      runner.close();
      timers.shutdownNow();
      platform.close();
    }
  }

  @Test
  void invoke_coldStartThenTimeout_reportsTheInitAndTheHandlersTimeApart() throws Exception {
    handlerJar(
        Map.of(
            "fixture.SlowInit",
            "package fixture; public class SlowInit {"
                + " static { try { Thread.sleep(1_500); } catch (InterruptedException e) {} }"
                + " public String go(String in) throws Exception {"
                + "   Thread.sleep(5_000); return in; } }"));
    ClassLoaderRunner runner =
        (ClassLoaderRunner)
            factory.create(
                HandlerInstanceTest.config("f", "fixture.SlowInit::go", 1), new DeployedCode(dir));

    InvocationReport r = report(runner, "x");

    assertThat(((InvocationResult.Failure) r.result()).errorMessage()).contains("Task timed out");
    assertThat(r.initDurationNanos()).as("Init Duration").isGreaterThan(1_400_000_000L);
    assertThat(r.durationNanos())
        .as("the handler's second, not the init's")
        .isGreaterThanOrEqualTo(900_000_000L)
        .isLessThan(r.initDurationNanos() + 900_000_000L); // the old report added the init
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** An invocation with {@code input} as a JSON string and {@code millis} to run. */
  private static Invocation invocation(String input, long millis) {
    return new Invocation(
        UUID.randomUUID().toString(),
        ("\"" + input + "\"").getBytes(StandardCharsets.UTF_8),
        System.currentTimeMillis() + millis,
        "arn:aws:lambda:us-east-1:000000000000:function:f",
        null);
  }

  @Test
  void logStreamName_lambdasFormatAndOnePerInstance() throws Exception {
    ClassLoaderRunner runner =
        runner(
            "fixture.Stream",
            "package fixture; public class Stream { public String go(String in,"
                + " com.amazonaws.services.lambda.runtime.Context c) throws Exception {"
                + " Thread.sleep(300); return c.getLogStreamName(); } }");
    var first = runner.invoke(invocation("a"));
    var second = runner.invoke(invocation("b")); // overlaps the first: a second instance

    String a = text(first.get(30, TimeUnit.SECONDS).result());
    String b = text(second.get(30, TimeUnit.SECONDS).result());
    assertThat(List.of(a, b))
        .allMatch(
            n -> n.matches("\"\\d{4}/\\d{2}/\\d{2}/\\[\\$LATEST]\\p{XDigit}{32}\""),
            "like Lambda's");
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void close_idleInstance_closedOnTheCloserNotOnTheCallersThread() throws Exception {
    handlerJar(
        Map.of(
            "fixture.Echo",
            "package fixture; public class Echo { public String go(String in) { return in; } }"));
    List<Runnable> closes = new CopyOnWriteArrayList<>();
    ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1);
    PlatformLoader platform = new PlatformLoader();
    ClassLoaderRunner runner = runnerOf("fixture.Echo::go", platform, timers, closes::add);
    try {
      assertThat(text(report(runner, "warm").result())).isEqualTo("\"warm\"");

      runner.close();
      assertThat(runner.stopped()).as("nothing closed on this thread").isNotDone();
      assertThat(runner.idleInstances()).isEqualTo(1);
      closes.forEach(Runnable::run);

      assertThat(runner.stopped()).isDone();
      assertThat(runner.idleInstances()).isZero();
    } finally {
      timers.shutdownNow();
      platform.close();
    }
  }

  @Test
  void reapIdle_instanceIdleForLongerThanTheLimit_closedAndTheNextCallStartsCold()
      throws Exception {
    ClassLoaderRunner runner = runner();
    assertThat(call(runner)).isInstanceOf(InvocationResult.Success.class);
    assertThat(runner.idleInstances()).isEqualTo(1);

    runner.reapIdle(System.nanoTime() + ClassLoaderRunner.IDLE_NANOS - 1_000_000_000L);
    assertThat(runner.idleInstances()).as("idle for less than the limit").isEqualTo(1);

    runner.reapIdle(System.nanoTime() + ClassLoaderRunner.IDLE_NANOS + 1_000_000_000L);
    assertThat(runner.idleInstances()).isZero();
    assertThat(call(runner)).isInstanceOf(InvocationResult.Success.class);
    assertThat(runner.idleInstances()).isEqualTo(1);
  }

  @Test
  void invoke_handlerCallsSystemExit_exitErrorTheNodeLivesAndTheNextCallGetsAFreshInstance()
      throws Exception {
    ClassLoaderRunner runner = exiting("System.exit(3);");
    assertThat(text(call(runner))).isEqualTo("\"call 1\"");

    assertExited(call(runner, "exit"), 3);

    assertThat(text(call(runner))).as("a fresh instance").isEqualTo("\"call 1\"");
  }

  @Test
  void invoke_handlerExitsWithStatusZero_lambdasNoReasonMessage() throws Exception {
    InvocationResult r = call(exiting("System.exit(0);"), "exit");

    assertThat(r).isInstanceOf(InvocationResult.Failure.class);
    InvocationResult.Failure f = (InvocationResult.Failure) r;
    assertThat(f.errorType()).isEqualTo("Runtime.ExitError");
    assertThat(f.errorMessage()).endsWith("Error: Runtime exited without providing a reason");
  }

  @Test
  void invoke_handlerCatchesTheExit_stillAnExitErrorAndTheInstanceIsDropped() throws Exception {
    ClassLoaderRunner runner =
        exiting(
            "try { Runtime.getRuntime().exit(260); } catch (Throwable t) { return \"caught\"; }");

    assertExited(call(runner, "exit"), 4); // 260 & 0xff, as a process's parent sees it

    assertThat(text(call(runner))).isEqualTo("\"call 1\"");
  }

  @Test
  void invoke_handlerHalts_exitError() throws Exception {
    assertExited(call(exiting("Runtime.getRuntime().halt(5);"), "exit"), 5);
  }

  @Test
  void invoke_handlerExitsThroughMethodReferences_exitError() throws Exception {
    assertExited(
        call(exiting("java.util.function.IntConsumer c = System::exit; c.accept(8);"), "exit"), 8);
    assertExited(
        call(
            exiting("java.util.function.IntConsumer c = Runtime.getRuntime()::halt; c.accept(9);"),
            "exit"),
        9);
  }

  @Test
  void invoke_exitDuringInit_exitError() throws Exception {
    ClassLoaderRunner runner =
        runner(
            "fixture.Init",
            "package fixture; public class Init { static { if (true) System.exit(7); }"
                + " public String go(String in) { return in; } }");

    assertExited(call(runner), 7);
  }

  @Test
  void invoke_aThreadOfTheHandlerExitsDuringTheCall_exitError() throws Exception {
    ClassLoaderRunner runner =
        exiting(
            "Thread t = new Thread(() -> System.exit(6)); t.start();"
                + " try { t.join(); } catch (InterruptedException e) { }");

    assertExited(call(runner, "exit"), 6);
    assertThat(text(call(runner))).isEqualTo("\"call 1\"");
  }

  @Test
  void invoke_aThreadOfTheHandlerExitedWhileIdle_theNextCallGetsAFreshInstance() throws Exception {
    ClassLoaderRunner runner =
        exiting(
            "new Thread(() -> { try { Thread.sleep(50); } catch (InterruptedException e) { }"
                + " System.exit(6); }).start(); return \"armed\";");
    assertThat(text(call(runner, "exit"))).isEqualTo("\"armed\"");
    Thread.sleep(500); // the thread exits while the instance is idle

    assertThat(text(call(runner))).as("a fresh instance").isEqualTo("\"call 1\"");
  }

  @Test
  void invoke_threadTheHandlerStarts_itsOutputIsInTheInvocationsLog() throws Exception {
    ClassLoaderRunner runner =
        runner(
            "fixture.Spawn",
            "package fixture; public class Spawn { public String go(String in) throws Exception {"
                + " Thread t = new Thread(() -> System.out.println(\"from-thread\"));"
                + " t.start(); t.join(); return in; } }");

    assertThat(report(runner, "x").log()).contains("from-thread");
  }

  @Test
  void invoke_runtimeLoggerCalledTwice_twoLinesInTheInvocationsLog() throws Exception {
    ClassLoaderRunner runner =
        runner(
            "fixture.Logs",
            "package fixture; import com.amazonaws.services.lambda.runtime.LambdaRuntime;"
                + " public class Logs { public String go(String in) {"
                + " LambdaRuntime.getLogger().log(\"one\");"
                + " LambdaRuntime.getLogger().log(\"two\".getBytes()); return in; } }");

    // Lambda's Java runtime makes each call a log event of its own: never "onetwo"
    assertThat(report(runner, "x").log()).contains("one\ntwo\n");
  }

  @Test
  void reapIdle_threadTheHandlerStarted_isInterruptedWithItsInstance() throws Exception {
    ClassLoaderRunner runner =
        runner(
            "fixture.Sleeper",
            "package fixture; public class Sleeper { public String go(String in) {"
                + " Thread t = new Thread(() -> { try { Thread.sleep(Long.MAX_VALUE); }"
                + " catch (InterruptedException e) { } }, \"fixture-sleeper\");"
                + " t.setDaemon(true); t.start(); return in; } }");
    call(runner);
    Thread sleeper = thread("fixture-sleeper");
    assertThat(sleeper.isAlive()).isTrue();

    runner.reapIdle(System.nanoTime() + ClassLoaderRunner.IDLE_NANOS + 1_000_000_000L);

    sleeper.join(10_000);
    assertThat(sleeper.isAlive()).as("interrupted when its instance closed").isFalse();
  }

  @Test
  void invoke_whatTheInitLeavesInAThreadLocal_isThereForLaterInvocations() throws Exception {
    ClassLoaderRunner runner =
        runner(
            "fixture.Local",
            "package fixture; public class Local {"
                + " static final ThreadLocal<String> SET = new ThreadLocal<>();"
                + " public Local() { SET.set(\"from-init\"); }"
                + " public String go(String in) { return String.valueOf(SET.get()); } }");

    assertThat(text(call(runner))).isEqualTo("\"from-init\"");
    assertThat(text(call(runner))).as("a warm invocation").isEqualTo("\"from-init\"");
  }

  @Test
  void invoke_timedOutHandlerIgnoringInterruption_itsThreadIsStopped() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Runtime.version().feature() < 20, "Thread.stop works on Java 17 to 19 only");
    handlerJar(
        Map.of(
            "fixture.Spin",
            "package fixture; public class Spin { static volatile long n;"
                + " public String go(String in) { while (true) { n++; } } }"));
    FunctionConfig spin = HandlerInstanceTest.config("spinner", "fixture.Spin::go", 1);
    ClassLoaderRunner runner = (ClassLoaderRunner) factory.create(spin, new DeployedCode(dir));

    InvocationResult r = call(runner);
    assertThat(((InvocationResult.Failure) r).errorType()).isEqualTo("Sandbox.Timedout");
    Thread worker = thread("sluice-fn-spinner");

    worker.join(ClassLoaderRunner.STOP_GRACE_MILLIS + 10_000);
    assertThat(worker.isAlive()).as("stopped after the grace period").isFalse();
  }

  @Test
  void invoke_requestHandlerTypeBoundThroughAGenericBaseClass_getsTheLambdaEvent()
      throws Exception {
    handlerJar(
        Map.of(
            "fixture.Base",
            "package fixture; import com.amazonaws.services.lambda.runtime.*;"
                + " public abstract class Base<I> implements RequestHandler<I, String> {"
                + "   public String handleRequest(I in, Context c) { return describe(in); }"
                + "   protected abstract String describe(I in); }",
            "fixture.Keys",
            "package fixture;"
                + " import com.amazonaws.services.lambda.runtime.events.KinesisEvent;"
                + " public class Keys extends Base<KinesisEvent> {"
                + "   protected String describe(KinesisEvent e) {"
                + "     return e.getRecords().get(0).getKinesis().getPartitionKey(); } }"));
    // the events library in lib/, as a Lambda package carries it
    Files.copy(
        HandlerJars.jarOf(com.amazonaws.services.lambda.runtime.events.KinesisEvent.class),
        dir.resolve("lib/events.jar"));
    Files.copy(HandlerJars.jarOf(org.joda.time.DateTime.class), dir.resolve("lib/joda.jar"));
    ClassLoaderRunner runner =
        (ClassLoaderRunner)
            factory.create(HandlerInstanceTest.config("fixture.Keys"), new DeployedCode(dir));
    String event =
        "{\"Records\":[{\"kinesis\":{\"partitionKey\":\"order-7\",\"data\":\"aGk=\","
            + "\"sequenceNumber\":\"1\",\"approximateArrivalTimestamp\":1545084650.987},"
            + "\"eventSource\":\"aws:kinesis\"}]}";
    Invocation inv =
        new Invocation(
            UUID.randomUUID().toString(),
            event.getBytes(StandardCharsets.UTF_8),
            System.currentTimeMillis() + 10_000,
            "arn:aws:lambda:us-east-1:000000000000:function:f",
            null);

    InvocationResult r = runner.invoke(inv).orTimeout(30, TimeUnit.SECONDS).join().result();

    assertThat(text(r))
        .as("I resolved to KinesisEvent, read with Lambda's mixins")
        .isEqualTo("\"order-7\"");
  }

  @Test
  void invoke_methodOverloadedByAHelperWithMoreParameters_theHandlerShapedOneRuns()
      throws Exception {
    ClassLoaderRunner runner =
        runner(
            "fixture.Over",
            "package fixture; import com.amazonaws.services.lambda.runtime.Context;"
                + " public class Over {"
                + "   public String go(String in, Context c) { return in + \"!\"; }"
                + "   public String go(String a, String b, String c) { return a + b + c; } }");

    assertThat(text(call(runner, "hi"))).isEqualTo("\"hi!\"");
  }

  private static Thread thread(String name) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no thread " + name));
  }

  private static String text(InvocationResult r) {
    assertThat(r).isInstanceOf(InvocationResult.Success.class);
    return new String(((InvocationResult.Success) r).payload(), StandardCharsets.UTF_8);
  }
}
