package dev.sluice.mapper;

import dev.sluice.function.CodeSource;
import dev.sluice.function.FunctionService;
import dev.sluice.function.FunctionSpec;
import dev.sluice.function.Invocation;
import dev.sluice.function.InvocationReport;
import dev.sluice.function.Isolation;
import dev.sluice.function.Runner;
import dev.sluice.function.RunnerFactory;
import dev.sluice.function.classloader.ClassLoaderRunnerFactory;
import dev.sluice.log.LogEngine;
import dev.sluice.log.LogListener;
import dev.sluice.log.ShardNotFoundException;
import dev.sluice.log.ShardRef;
import dev.sluice.log.file.FileLogEngine;
import dev.sluice.log.file.FileLogOptions;
import dev.sluice.stream.Arns;
import dev.sluice.stream.HashKeys;
import dev.sluice.stream.StreamAppender;
import dev.sluice.stream.StreamCatalog;
import dev.sluice.stream.StreamLimits;
import dev.sluice.stream.StreamMode;
import dev.sluice.stream.StreamStatus;
import dev.sluice.testing.HandlerJars;
import dev.sluice.testing.TestClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A mapping service over real parts (file log, catalog, classloader runner, Vert.x) with a {@link
 * TestClock} that drives both the record timestamps and the mapper's timers, and a mapper I/O pool
 * that a test can hold (to watch a change while the runner's final save waits).
 */
final class MapperHarness implements AutoCloseable {

  static final Path OUT = Path.of(System.getProperty("java.io.tmpdir"), "sluice-mapper-test");
  static final Arns ARNS = new Arns("us-east-1", "000000000000");

  final Path dir;
  final TestClock clock = new TestClock(1_700_000_000_000L);
  final ClockTimers timers = new ClockTimers(clock);
  final Vertx vertx = Vertx.vertx();
  final ExecutorService io = Executors.newFixedThreadPool(2);
  final FileLogEngine engine;
  final StreamCatalog catalog;
  final StreamAppender appender;
  final ClassLoaderRunnerFactory runners = new ClassLoaderRunnerFactory();

  /** Set: the next invocation's start throws an OutOfMemoryError, as with no thread left. */
  final AtomicBoolean failNextStart = new AtomicBoolean();

  final FunctionService functions;
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  MapperDeps deps;
  MappingService mappings;
  private volatile CountDownLatch hold;

  /** Shards {@link #storage} answers as not held (its offsets throw) while they are here. */
  final Set<ShardRef> unheld = ConcurrentHashMap.newKeySet();

  /** What the catalog, appender and mapper use: {@link #engine} behind a gate. */
  final LogEngine storage;

  MapperHarness(Path dir) {
    this(dir, null);
  }

  /**
   * A harness whose shard creations wait until {@code createGate} opens (when not null), so that a
   * new stream stays CREATING meanwhile.
   */
  MapperHarness(Path dir, CountDownLatch createGate) {
    this.dir = dir;
    engine =
        new FileLogEngine(dir.resolve("log"), FileLogOptions.defaults(), clock, LogListener.NONE);
    engine.start();
    storage = gated(engine, createGate, unheld);
    catalog = new StreamCatalog(dir, storage, clock, new StreamLimits(100, 10));
    catalog.start();
    appender = new StreamAppender(catalog, storage);
    functions =
        new FunctionService(
            dir,
            "us-east-1",
            "000000000000",
            Map.of(Isolation.CLASSLOADER, failingOnce()),
            16,
            List.of(),
            Clock.systemUTC(),
            null,
            null,
            null);
    functions.start();
  }

  /** {@link #runners}, but a start throws when {@link #failNextStart} is set. */
  private RunnerFactory failingOnce() {
    return (config, code) -> {
      Runner real = runners.create(config, code);
      return new Runner() {
        @Override
        public CompletableFuture<InvocationReport> invoke(Invocation invocation) {
          if (failNextStart.getAndSet(false)) {
            throw new OutOfMemoryError("unable to create native thread");
          }
          return real.invoke(invocation);
        }

        @Override
        public void close() {
          real.close();
        }

        @Override
        public CompletableFuture<Void> stopped() {
          return real.stopped();
        }
      };
    };
  }

  /**
   * {@code engine}, whose shard creations wait for {@code gate} (when not null) and which answers
   * the shards in {@code unheld} as not held, as a node whose attaching of them failed.
   */
  private static LogEngine gated(LogEngine engine, CountDownLatch gate, Set<ShardRef> unheld) {
    InvocationHandler h =
        (proxy, method, args) -> {
          if (method.getName().equals("createShard") && gate != null) {
            gate.await();
          }
          if (method.getName().equals("offsets") && unheld.contains(args[0])) {
            throw new ShardNotFoundException((ShardRef) args[0], "not attached");
          }
          try {
            return method.invoke(engine, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        };
    return (LogEngine)
        Proxy.newProxyInstance(
            LogEngine.class.getClassLoader(), new Class<?>[] {LogEngine.class}, h);
  }

  /** Starts a mapping service on the data directory, with this retry backoff. */
  MapperHarness startMappings(Duration retryBase, Duration retryMax) {
    return startMappings(retryBase, retryMax, Duration.ofMinutes(5));
  }

  /** Starts a mapping service; a shard retrying one batch longer than {@code stuck} is stuck. */
  MapperHarness startMappings(Duration retryBase, Duration retryMax, Duration stuck) {
    Executor blocking = task -> io.execute(() -> held(task));
    deps =
        new MapperDeps(
            vertx,
            storage,
            catalog,
            appender,
            functions,
            blocking,
            clock,
            timers,
            retryBase,
            retryMax,
            stuck,
            Duration.ofSeconds(30),
            meters,
            ARNS.region(),
            ARNS.accountId());
    mappings = new MappingService(dir, deps, ARNS);
    mappings.start();
    return this;
  }

  /** From now on the mapper's I/O (checkpoint saves) waits until the returned latch opens. */
  CountDownLatch holdIo() {
    hold = new CountDownLatch(1);
    return hold;
  }

  private void held(Runnable task) {
    CountDownLatch h = hold;
    try {
      if (h != null) {
        h.await();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    task.run();
  }

  String stream() throws InterruptedException {
    String name = "s-" + UUID.randomUUID().toString().substring(0, 8);
    catalog.create(name, 1, StreamMode.PROVISIONED, Map.of()).join();
    for (int i = 0; i < 6000 && catalog.require(name).status() != StreamStatus.ACTIVE; i++) {
      Thread.sleep(5);
    }
    return name;
  }

  String function(String handler, Map<String, String> sources) {
    String name = "svc-" + UUID.randomUUID().toString().substring(0, 8);
    functions.create(
        name,
        new FunctionSpec(handler, "java17", 256, 10, Map.of(), "", Isolation.CLASSLOADER),
        new CodeSource.Upload(HandlerJars.lambdaZip(sources)));
    return name;
  }

  /** Appends records with one partition key, in one request (so they are read together). */
  void put(String stream, String... data) {
    List<StreamAppender.Entry> entries =
        java.util.Arrays.stream(data)
            .map(
                d ->
                    new StreamAppender.Entry(
                        "k", HashKeys.ofPartitionKey("k"), d.getBytes(StandardCharsets.UTF_8)))
            .toList();
    appender.append(stream, entries).join();
  }

  static List<String> delivered(String function) throws Exception {
    Path log = OUT.resolve(function + ".log");
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }

  /** The lines the function wrote, once there are at least {@code n} (or after about 10 s). */
  static List<String> await(String function, int n) throws Exception {
    List<String> lines = delivered(function);
    for (int i = 0; i < 1000 && lines.size() < n; i++) {
      Thread.sleep(10);
      lines = delivered(function);
    }
    return lines;
  }

  @Override
  public void close() {
    CountDownLatch h = hold;
    if (h != null) {
      h.countDown();
    }
    if (mappings != null) {
      mappings.close();
    }
    functions.close();
    runners.close();
    catalog.close();
    engine.close();
    io.shutdown();
    vertx.close();
  }
}
