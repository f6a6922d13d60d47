package dev.sluice.function.process;

import static dev.sluice.function.process.Fixtures.invocation;
import static dev.sluice.function.process.Fixtures.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.function.DeployedCode;
import dev.sluice.function.RuntimeUnavailableException;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Handlers that need a newer Java than Sluice's run on an installed newer JDK. */
class NewerJdkTest {

  @TempDir Path work;
  private Vertx vertx;
  private ProcessRunnerFactory factory;

  @BeforeEach
  void factory() {
    vertx = Vertx.vertx();
    factory = new ProcessRunnerFactory(vertx, work, Fixtures.REGION);
  }

  @AfterEach
  void close() {
    factory.close();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  /** The newest installed JDK, if it is newer than the one running the tests. */
  private static Optional<JavaHomes.Jdk> newerJdk() {
    return JavaHomes.installed().jdks().stream()
        .filter(j -> j.feature() > Runtime.version().feature())
        .filter(j -> Files.isExecutable(j.home().resolve("bin/javac")))
        .max((a, b) -> Integer.compare(a.feature(), b.feature()));
  }

  @Test
  void create_java25Runtime_runsOnAJdk25OrNewer() throws Exception {
    assertRunsOnAJdkOfItsVersion("java25", 25);
  }

  @Test
  void create_handlerCompiledForNewerJava_runsOnNewerJdk() throws Exception {
    Optional<JavaHomes.Jdk> newer = newerJdk();
    Assumptions.assumeTrue(newer.isPresent(), "no JDK newer than the current one is installed");
    DeployedCode code = Fixtures.newerHandler(newer.get().home(), newer.get().feature());
    ProcessRunner runner =
        factory.create(
            Fixtures.config("newer", "fixture.Newer::handleRequest", "java17", 10, Map.of()), code);

    Map<String, Object> out =
        payload(runner.invoke(invocation("newer", Map.of(), 10_000)).get(30, TimeUnit.SECONDS));

    assertThat(out.get("java")).isEqualTo(newer.get().feature());
  }

  @Test
  void create_runtimeItCannotRun_refusedWithoutLeavingAScratchDirectory() throws Exception {
    var config =
        Fixtures.config("odd", "fixture.Actions::handleRequest", "nodejs22.x", 10, Map.of());

    assertThatThrownBy(() -> factory.create(config, Fixtures.handlers()))
        .isInstanceOf(RuntimeUnavailableException.class);

    try (var left = Files.list(work)) {
      assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("odd"));
    }
  }

  @Test
  void create_java21Runtime_runsOnJdk21OrNewer() throws Exception {
    assertRunsOnAJdkOfItsVersion("java21", 21);
  }

  /** A function of {@code runtime} runs on a JDK {@code feature} or newer, as that runtime. */
  private void assertRunsOnAJdkOfItsVersion(String runtime, int feature) throws Exception {
    Assumptions.assumeTrue(
        JavaHomes.installed().jdks().stream().anyMatch(j -> j.feature() >= feature),
        "no JDK " + feature + "+ installed");
    ProcessRunner runner =
        factory.create(
            Fixtures.config("j", "fixture.Actions::handleRequest", runtime, 10, Map.of()),
            Fixtures.handlers());

    Map<String, Object> out =
        payload(
            runner
                .invoke(invocation("j", Map.of("action", "env"), 10_000))
                .get(30, TimeUnit.SECONDS));

    assertThat((Integer) out.get("java")).isGreaterThanOrEqualTo(feature);
    assertThat(((Map<?, ?>) out.get("env")).get("AWS_EXECUTION_ENV"))
        .isEqualTo("AWS_Lambda_" + runtime);
  }
}
