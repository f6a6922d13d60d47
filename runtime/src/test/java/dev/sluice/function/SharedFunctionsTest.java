package dev.sluice.function;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.cluster.StateStore;
import dev.sluice.function.classloader.ClassLoaderRunnerFactory;
import dev.sluice.testing.HandlerJars;
import dev.sluice.testing.MemoryState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Functions in the node state several nodes share, over a state kept in memory. */
class SharedFunctionsTest {

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
    service =
        new FunctionService(
            dir.resolve("node"),
            "us-east-1",
            "000000000000",
            Map.of(Isolation.CLASSLOADER, runners),
            4,
            List.of(),
            Clock.systemUTC(),
            state);
    service.start();
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
      deliver("function/f");
      service.putConcurrency("f", 3);
      deliver("function/f");

      assertThat(other.get("f").tags()).containsEntry("team", "orders");
      assertThat(other.get("f").reservedConcurrency()).isEqualTo(3);
      assertThat(result(other.invoke("f", "\"x\"".getBytes(UTF_8), null).join()))
          .as("the same instance, not a cold start")
          .isEqualTo("\"call 2\"");
    } finally {
      other.close();
    }
  }

  /** Delivers this node's write of {@code key} to every listener, as the store does to others. */
  private void deliver(String key) {
    state.remote(key, state.values.get(key));
  }

  private FunctionService otherNode() {
    FunctionService other =
        new FunctionService(
            dir.resolve("other"),
            "us-east-1",
            "000000000000",
            Map.of(Isolation.CLASSLOADER, runners),
            4,
            List.of(),
            Clock.systemUTC(),
            state);
    other.start();
    return other;
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
    assertThat(state.values.keySet()).noneMatch(k -> k.startsWith("function/"));
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
