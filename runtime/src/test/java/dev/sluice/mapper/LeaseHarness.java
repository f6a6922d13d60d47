package dev.sluice.mapper;

import dev.sluice.function.CodeSource;
import dev.sluice.function.FunctionService;
import dev.sluice.function.FunctionSpec;
import dev.sluice.function.Isolation;
import dev.sluice.function.classloader.ClassLoaderRunnerFactory;
import dev.sluice.log.LogListener;
import dev.sluice.log.kafka.KafkaLogEngine;
import dev.sluice.log.kafka.KafkaLogOptions;
import dev.sluice.stream.Arns;
import dev.sluice.stream.Shard;
import dev.sluice.stream.StreamAppender;
import dev.sluice.stream.StreamCatalog;
import dev.sluice.stream.StreamLimits;
import dev.sluice.stream.StreamMode;
import dev.sluice.stream.StreamStatus;
import dev.sluice.testing.HandlerJars;
import dev.sluice.testing.KafkaBroker;
import dev.sluice.testing.MemoryState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Several mapping "nodes" on one Kafka broker: one Kafka log engine, stream catalog and function
 * service shared by all (the lead's replicated catalog stands in for this), and per node a mapping
 * service with its own mapper I/O pool and its own membership in each mapping's consumer group. A
 * mapping created on one node reaches another by copying its definition before that node starts.
 */
final class LeaseHarness implements AutoCloseable {

  static final Arns ARNS = new Arns("us-east-1", "000000000000");

  /** A node's mapping service and the latch that can hold its mapper I/O (checkpoint saves). */
  static final class Node {
    final Path dir;
    final MappingService mappings;
    final ExecutorService io;
    volatile CountDownLatch hold;

    Node(Path dir, MappingService mappings, ExecutorService io) {
      this.dir = dir;
      this.mappings = mappings;
      this.io = io;
    }

    /** From now on this node's checkpoint saves wait until the returned latch opens. */
    CountDownLatch holdIo() {
      hold = new CountDownLatch(1);
      return hold;
    }

    void close() {
      CountDownLatch h = hold;
      if (h != null) {
        h.countDown();
      }
      mappings.close();
      io.shutdown();
    }
  }

  final Path root;
  final String prefix = "lease-" + UUID.randomUUID().toString().substring(0, 8) + ".";
  final Vertx vertx = Vertx.vertx();
  final KafkaLogEngine engine;
  final StreamCatalog catalog;
  final StreamAppender appender;
  final ClassLoaderRunnerFactory runners = new ClassLoaderRunnerFactory();
  final FunctionService functions;
  final ShardLeases leases;
  private final List<Node> nodes = new ArrayList<>();

  LeaseHarness(Path root) {
    this.root = root;
    String bootstrap = KafkaBroker.bootstrapServers();
    engine =
        new KafkaLogEngine(
            KafkaLogOptions.defaults(bootstrap).withTopicPrefix(prefix),
            Clock.systemUTC(),
            LogListener.NONE);
    engine.start();
    catalog = new StreamCatalog(root.resolve("catalog"), engine, Clock.systemUTC(), limits());
    catalog.start();
    appender = new StreamAppender(catalog, engine);
    functions =
        new FunctionService(
            root.resolve("functions"),
            ARNS.region(),
            ARNS.accountId(),
            Map.of(Isolation.CLASSLOADER, runners),
            16,
            List.of(),
            Clock.systemUTC(),
            null,
            null,
            null);
    functions.start();
    // the broker's smallest session timeout, so that a lost member's shards move soon
    leases =
        ShardLeases.kafkaGroups(
            new GroupLeaseOptions(bootstrap, prefix, Duration.ofSeconds(6)), new MemoryState());
  }

  private static StreamLimits limits() {
    return new StreamLimits(100, 10);
  }

  /** A node with no mappings yet. */
  Node node() {
    return node(List.of());
  }

  /** A node that knows (and runs, when enabled) these mappings of another node. */
  Node node(List<String> mappingsOf, Node other) {
    Path dir = newDir();
    for (String uuid : mappingsOf) {
      copy(other.dir.resolve("mappings").resolve(uuid).resolve("mapping.json"), dir, uuid);
    }
    return node(dir);
  }

  private Node node(List<String> none) {
    return node(newDir());
  }

  private Path newDir() {
    return root.resolve("node-" + nodes.size());
  }

  private Node node(Path dir) {
    ExecutorService io = Executors.newFixedThreadPool(2);
    Node[] self = new Node[1];
    java.util.concurrent.Executor blocking =
        task ->
            io.execute(
                () -> {
                  await(self[0].hold);
                  task.run();
                });
    MapperDeps deps =
        new MapperDeps(
            vertx,
            engine,
            catalog,
            appender,
            functions,
            blocking,
            Clock.systemUTC(),
            new VertxTimers(vertx),
            Duration.ofMillis(50),
            Duration.ofMillis(200),
            Duration.ofMinutes(5),
            Duration.ofSeconds(30),
            new SimpleMeterRegistry(),
            ARNS.region(),
            ARNS.accountId());
    self[0] = new Node(dir, new MappingService(dir, deps, ARNS, leases, null), io);
    self[0].mappings.start();
    nodes.add(self[0]);
    return self[0];
  }

  private static void await(CountDownLatch hold) {
    try {
      if (hold != null) {
        hold.await();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void copy(Path mappingJson, Path dir, String uuid) {
    try {
      Path to = dir.resolve("mappings").resolve(uuid);
      Files.createDirectories(to);
      Files.copy(mappingJson, to.resolve("mapping.json"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String stream(int shards) throws InterruptedException {
    String name = "s-" + UUID.randomUUID().toString().substring(0, 8);
    catalog.create(name, shards, StreamMode.PROVISIONED, Map.of()).join();
    awaitActive(name);
    return name;
  }

  void awaitActive(String name) throws InterruptedException {
    for (int i = 0; i < 6000 && catalog.require(name).status() != StreamStatus.ACTIVE; i++) {
      Thread.sleep(5);
    }
  }

  String function() {
    String name = "lease-" + UUID.randomUUID().toString().substring(0, 8);
    functions.create(
        name,
        new FunctionSpec(
            "fixture.Recorder", "java17", 256, 10, Map.of(), "", Isolation.CLASSLOADER),
        new CodeSource.Upload(HandlerJars.lambdaZip(RecordingHandler.SOURCES)));
    return name;
  }

  /** Appends one record to the shard with this id (by a hash key of its range). */
  void put(String stream, String shardId, String data) {
    Shard shard = catalog.require(stream).shard(shardId).orElseThrow();
    appender
        .append(
            stream,
            List.of(
                new StreamAppender.Entry(
                    "k", shard.range().start(), data.getBytes(StandardCharsets.UTF_8))))
        .join();
  }

  static MappingRequest request(String function, String stream, boolean enabled) {
    return new MappingRequest(
        function,
        ARNS.stream(stream),
        enabled,
        10,
        0,
        "TRIM_HORIZON",
        null,
        1,
        false,
        -1,
        -1,
        null,
        null,
        null,
        0,
        null,
        null);
  }

  @Override
  public void close() {
    nodes.forEach(Node::close);
    functions.close();
    runners.close();
    catalog.close();
    engine.close();
    vertx.close();
  }
}
