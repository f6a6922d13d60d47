package dev.sluice.function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testing.HandlerJars;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deployment packages unpacked on real files. */
class CodeStoreTest {

  @TempDir Path dir;

  Path functions() {
    return dir.resolve("data").resolve("functions"); // not there yet, as on a fresh node
  }

  /** A jar of one class, {@code handler.jar} beside the data directory. */
  Path handlerJar() throws Exception {
    Path jar = dir.resolve("handler.jar");
    return Files.write(
        jar, HandlerJars.jar(Map.of("fixture.A", "package fixture; public class A {}")));
  }

  @Test
  void store_localJarOnAFreshDataDirectory_placedInLib() throws Exception {
    Path jar = handlerJar();
    CodeStore store = new CodeStore(functions());

    CodeStore.Stored stored = store.store("f", new CodeSource.Local(jar));

    assertThat(stored.code().root().resolve("lib").resolve("handler.jar")).exists();
    assertThat(store.existing("f", stored.sha256()).root()).isEqualTo(stored.code().root());
  }

  @Test
  void delete_packageWhoseJarAHandlerReadByUrl_leavesTheJarClosed() throws Exception {
    Path jar = handlerJar();
    CodeStore store = new CodeStore(functions());
    CodeStore.Stored stored = store.store("f", new CodeSource.Local(jar));
    Path placed = stored.code().root().resolve("lib").resolve("handler.jar");
    try (var loader = new java.net.URLClassLoader(new java.net.URL[] {placed.toUri().toURL()})) {
      try (var in = loader.getResource("fixture/A.class").openStream()) {
        assertThat(in.readAllBytes()).startsWith(0xCA, 0xFE, 0xBA, 0xBE);
      }
    }
    String real = placed.toRealPath().toString();
    assertThat(openFiles()).as("the JDK's jar cache holds it").anyMatch(f -> f.startsWith(real));

    store.delete(stored.code());

    assertThat(placed).doesNotExist();
    assertThat(openFiles()).noneMatch(f -> f.startsWith(real));
  }

  /** What this process holds open, as /proc shows it ("PATH (deleted)" once unlinked). */
  private static java.util.List<String> openFiles() throws Exception {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.map(
              fd -> {
                try {
                  return Files.readSymbolicLink(fd).toString();
                } catch (Exception closedMeanwhile) {
                  return "";
                }
              })
          .toList();
    }
  }

  @Test
  void store_emptyDirectory_refusedLeavingNothingBehind() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("empty").resolve("only-a-folder"));
    CodeStore store = new CodeStore(functions());

    assertThatThrownBy(() -> store.store("f", new CodeSource.Local(empty.getParent())))
        .isInstanceOf(FunctionException.class)
        .hasMessageContaining("holds no files");
    try (Stream<Path> left = Files.list(functions())) {
      assertThat(left).as("no temporary directory left").isEmpty();
    }
  }

  @Test
  void store_zipOfDirectoriesOnly_refused() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.putNextEntry(new ZipEntry("lib/"));
      zip.closeEntry();
    }
    CodeStore store = new CodeStore(functions());

    assertThatThrownBy(() -> store.store("f", new CodeSource.Upload(bytes.toByteArray())))
        .isInstanceOf(FunctionException.class)
        .hasMessageContaining("holds no files");
  }

  @Test
  void existing_packageNotOnThisNode_failsAsInvalid() {
    CodeStore store = new CodeStore(functions());
    assertThatThrownBy(() -> store.existing("f", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="))
        .isInstanceOf(FunctionException.class)
        .hasMessageContaining("not on this node");
  }

  @Test
  void unpackIfMissing_packageCachedAlready_neverAsksForItsBytes() throws Exception {
    byte[] zip = HandlerJars.jar(Map.of("fixture.A", "package fixture; public class A {}"));
    CodeStore store = new CodeStore(functions());
    String sha = store.store("f", new CodeSource.Upload(zip)).sha256();
    AtomicInteger asked = new AtomicInteger();

    store.unpackIfMissing(
        "f",
        sha,
        () -> {
          asked.incrementAndGet();
          return zip;
        });

    assertThat(asked).hasValue(0);
  }

  @Test
  void unpackIfMissing_whileADeletionThatCheckedEarlierRuns_packageStaysThere() throws Exception {
    // a package another node sends again while this node removes it as retired: found there by the
    // unpack, it must not be deleted after all, or the function it is sent for cannot run here
    byte[] zip = HandlerJars.jar(Map.of("fixture.A", "package fixture; public class A {}"));
    CodeStore store = new CodeStore(functions());
    String sha = store.store("f", new CodeSource.Upload(zip)).sha256();
    ExecutorService deleter = Executors.newSingleThreadExecutor();
    try {
      for (int round = 0; round < 300; round++) {
        store.unpackIfMissing("f", sha, () -> zip);
        DeployedCode code = store.existing("f", sha);
        long since = System.nanoTime();
        CountDownLatch go = new CountDownLatch(1);
        Future<?> deletion =
            deleter.submit(
                () -> {
                  go.await();
                  store.deleteUnlessPlacedSince(code, since);
                  return null;
                });
        go.countDown();
        store.unpackIfMissing("f", sha, () -> zip);
        deletion.get(30, TimeUnit.SECONDS);

        assertThat(code.root()).as("round %d", round).isDirectory();
      }
    } finally {
      deleter.shutdownNow();
    }
  }

  @Test
  void unpackIfMissing_functionsEmptyDirectoriesRemovedMeanwhile_packageStillPlaced()
      throws Exception {
    // a deleted function's directories go once its last package did; the same name created again
    // on another node meanwhile must still get its package here
    byte[] a = HandlerJars.jar(Map.of("fixture.A", "package fixture; public class A {}"));
    byte[] b = HandlerJars.jar(Map.of("fixture.B", "package fixture; public class B {}"));
    CodeStore store = new CodeStore(functions());
    String shaA = store.store("f", new CodeSource.Upload(a)).sha256();
    store.deleteUnlessPlacedSince(store.existing("f", shaA), System.nanoTime());
    Thread removal = new Thread(() -> store.deleteIfEmpty("f"));
    store.beforeMove =
        () -> {
          removal.start();
          // until it removed the directories, or waits for the move
          while (removal.isAlive() && removal.getState() != Thread.State.BLOCKED) {
            Thread.onSpinWait();
          }
        };
    String shaB = CodeDigest.bytes(b);

    store.unpackIfMissing("f", shaB, () -> b);
    removal.join(30_000);

    assertThat(store.existing("f", shaB).root()).isDirectory();
  }

  @Test
  void unpackIfMissing_packageGoneFromTheSharedState_unpacksNothing() throws Exception {
    CodeStore store = new CodeStore(functions());
    String sha = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

    store.unpackIfMissing("f", sha, () -> null);

    assertThatThrownBy(() -> store.existing("f", sha)).isInstanceOf(FunctionException.class);
  }

  @Test
  void unpackIfMissing_packageNotCached_unpacksIt() throws Exception {
    byte[] zip = HandlerJars.jar(Map.of("fixture.A", "package fixture; public class A {}"));
    CodeStore store = new CodeStore(functions());
    String sha = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

    store.unpackIfMissing("f", sha, () -> zip);

    assertThat(store.existing("f", sha).root().resolve("fixture/A.class")).exists();
  }

  @Test
  void keepOnly_fileSystemIgnoringCase_keepsTheDirectoryANameDifferingInCaseResolvesTo()
      throws Exception {
    byte[] zip = HandlerJars.jar(Map.of("fixture.A", "package fixture; public class A {}"));
    CodeStore store = new CodeStore(functions());
    // made as Foo; foo (deleted and made again while the node was down) resolves to it
    String sha = store.store("Foo", new CodeSource.Upload(zip)).sha256();
    Path code = store.existing("Foo", sha).root();
    Path stale = Files.createDirectories(code.resolveSibling("0123456789abcdef01234567"));

    store.keepOnly(Map.of("foo", Set.of(sha)), true);

    assertThat(code).exists();
    assertThat(stale).doesNotExist();
  }
}
