package dev.sluice.function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.cluster.StateListener;
import dev.sluice.cluster.StateStore;
import dev.sluice.function.classloader.ClassLoaderRunnerFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Functions in the node state several nodes share, over a state kept in memory. */
class SharedFunctionsTest {

  /** The shared state of a single node: what it writes is the whole state. */
  static final class MemoryState implements StateStore {
    final Map<String, byte[]> values = new LinkedHashMap<>();

    @Override
    public synchronized Map<String, byte[]> snapshot(String prefix) {
      Map<String, byte[]> out = new LinkedHashMap<>();
      values.forEach(
          (k, v) -> {
            if (k.startsWith(prefix)) {
              out.put(k, v);
            }
          });
      return out;
    }

    @Override
    public void listen(String prefix, StateListener listener) {}

    @Override
    public void listenAll(String prefix, StateListener listener) {}

    @Override
    public void follow() {}

    @Override
    public synchronized void put(String key, byte[] value) {
      values.put(key, value);
    }

    /** Removals of packages fail, as with the broker going away between two writes. */
    volatile boolean refuseCodeRemoval;

    @Override
    public synchronized void remove(String key) {
      if (refuseCodeRemoval && key.startsWith("code/")) {
        throw new dev.sluice.cluster.StateException("broker unreachable");
      }
      values.remove(key);
    }

    @Override
    public void close() {}
  }

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
  void delete_whenRemovingThePackageFails_functionIsGoneHereAsEverywhere() throws Exception {
    open();
    Path code = Files.createDirectories(dir.resolve("small"));
    Files.writeString(code.resolve("handler.txt"), "not a class, but a file");
    service.create("f", FunctionServiceTest.java17("fixture.Any"), new CodeSource.Local(code));
    state.refuseCodeRemoval = true;

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
