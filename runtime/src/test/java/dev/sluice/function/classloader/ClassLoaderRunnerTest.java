package dev.sluice.function.classloader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.function.DeployedCode;
import dev.sluice.function.Invocation;
import dev.sluice.function.InvocationResult;
import dev.sluice.testing.HandlerJars;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
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
    Files.createDirectories(dir.resolve("lib"));
    Files.write(
        dir.resolve("lib/handler.jar"),
        HandlerJars.jar(
            Map.of(
                "fixture.Echo",
                "package fixture; public class Echo {"
                    + " public String go(String in) { return in; } }")));
    return (ClassLoaderRunner)
        factory.create(HandlerInstanceTest.config("fixture.Echo::go"), new DeployedCode(dir));
  }

  private static InvocationResult call(ClassLoaderRunner runner) {
    Invocation inv =
        new Invocation(
            UUID.randomUUID().toString(),
            "\"hi\"".getBytes(StandardCharsets.UTF_8),
            System.currentTimeMillis() + 10_000,
            "arn:aws:lambda:us-east-1:000000000000:function:f",
            null);
    return runner.invoke(inv).orTimeout(30, TimeUnit.SECONDS).join().result();
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
}
