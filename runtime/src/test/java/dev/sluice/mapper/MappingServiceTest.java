package dev.sluice.mapper;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.function.CodeSource;
import dev.sluice.function.FunctionService;
import dev.sluice.function.FunctionSpec;
import dev.sluice.function.Isolation;
import dev.sluice.function.classloader.ClassLoaderRunnerFactory;
import dev.sluice.log.LogListener;
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
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mapping service over real parts (file log, catalog, classloader runner, Vert.x) with an
 * injected clock, for behaviour that depends on time and on restarts.
 */
class MappingServiceTest {

  static final Path OUT = Path.of(System.getProperty("java.io.tmpdir"), "sluice-mapper-test");

  @TempDir Path dir;
  final TestClock clock = new TestClock(1_700_000_000_000L);
  final Arns arns = new Arns("us-east-1", "000000000000");
  Vertx vertx;
  ExecutorService io;
  FileLogEngine engine;
  StreamCatalog catalog;
  StreamAppender appender;
  ClassLoaderRunnerFactory runners;
  FunctionService functions;
  MappingService mappings;

  @BeforeEach
  void open() {
    vertx = Vertx.vertx();
    io = Executors.newFixedThreadPool(2);
    engine =
        new FileLogEngine(dir.resolve("log"), FileLogOptions.defaults(), clock, LogListener.NONE);
    engine.start();
    catalog = new StreamCatalog(dir, engine, clock, new StreamLimits(100, 10));
    catalog.start();
    appender = new StreamAppender(catalog, engine);
    runners = new ClassLoaderRunnerFactory();
    functions =
        new FunctionService(
            dir,
            "us-east-1",
            "000000000000",
            Map.of(Isolation.CLASSLOADER, runners),
            16,
            List.of(),
            Clock.systemUTC());
    functions.start();
    startMappings();
  }

  void startMappings() {
    mappings =
        MappingService.create(
            dir,
            vertx,
            engine,
            catalog,
            appender,
            functions,
            io,
            clock,
            Duration.ofMillis(10),
            Duration.ofMillis(50),
            arns);
    mappings.start();
  }

  @AfterEach
  void close() {
    mappings.close();
    functions.close();
    runners.close();
    catalog.close();
    engine.close();
    io.shutdown();
    vertx.close();
  }

  String stream() throws InterruptedException {
    String name = "s-" + UUID.randomUUID().toString().substring(0, 8);
    catalog.create(name, 1, StreamMode.PROVISIONED, Map.of()).join();
    for (int i = 0; i < 500 && catalog.require(name).status() != StreamStatus.ACTIVE; i++) {
      Thread.sleep(5);
    }
    return name;
  }

  String function() {
    String name = "svc-" + UUID.randomUUID().toString().substring(0, 8);
    functions.create(
        name,
        new FunctionSpec(
            "fixture.Recorder", "java17", 256, 10, Map.of(), "", Isolation.CLASSLOADER),
        new CodeSource.Upload(HandlerJars.lambdaZip(RecordingHandler.SOURCES)));
    return name;
  }

  void put(String stream, String data) {
    appender
        .append(
            stream,
            List.of(
                new dev.sluice.stream.StreamAppender.Entry(
                    "k", HashKeys.ofPartitionKey("k"), data.getBytes(StandardCharsets.UTF_8))))
        .join();
  }

  static MappingRequest request(String function, String stream, Integer maxAge, String onFailure) {
    return new MappingRequest(
        function,
        "arn:aws:kinesis:us-east-1:000000000000:stream/" + stream,
        true,
        10,
        0,
        "TRIM_HORIZON",
        null,
        1,
        false,
        -1,
        maxAge,
        onFailure,
        null,
        null,
        0,
        null);
  }

  static List<String> delivered(String function) throws Exception {
    Path log = OUT.resolve(function + ".log");
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }

  static List<String> await(String function, int n) throws Exception {
    List<String> lines = List.of();
    for (int i = 0; i < 1000 && lines.size() < n; i++) {
      Thread.sleep(10);
      lines = delivered(function);
    }
    return lines;
  }

  @Test
  void recordsOlderThanMaximumRecordAge_skippedToOnFailureWithoutInvoking() throws Exception {
    String stream = stream();
    String fn = function();
    put(stream, "stale-1");
    put(stream, "stale-2");
    clock.advance(120_000);
    Path failures = Files.createTempDirectory("sluice-age");
    mappings.create(request(fn, stream, 60, failures.toUri().toString()));
    Path record = null;
    for (int i = 0; i < 1000 && record == null; i++) {
      Thread.sleep(10);
      try (Stream<Path> files = Files.list(failures)) {
        record = files.findFirst().orElse(null);
      }
    }
    assertThat(record).as("failure record").isNotNull();
    JsonNode failure = new ObjectMapper().readTree(record.toFile());
    assertThat(failure.at("/requestContext/condition").asText()).isEqualTo("RecordAgeExceeded");
    assertThat(failure.at("/KinesisBatchInfo/batchSize").asInt()).isEqualTo(2);
    assertThat(delivered(fn)).as("the handler never saw the stale records").isEmpty();
    clock.advance(1000);
    put(stream, "fresh");
    assertThat(await(fn, 1)).extracting(l -> l.split("\\|")[1]).containsExactly("fresh");
  }

  @Test
  void restart_resumesFromTheStoredCheckpointWithoutRedelivering() throws Exception {
    String stream = stream();
    String fn = function();
    mappings.create(request(fn, stream, null, null));
    for (int i = 0; i < 5; i++) {
      put(stream, "before-" + i);
    }
    assertThat(await(fn, 5)).hasSize(5);
    Thread.sleep(100); // let the last checkpoint save finish before the "restart"
    mappings.close();
    startMappings();
    put(stream, "after");
    List<String> lines = await(fn, 6);
    Thread.sleep(200);
    assertThat(delivered(fn))
        .extracting(l -> l.split("\\|")[1])
        .containsExactly("before-0", "before-1", "before-2", "before-3", "before-4", "after");
  }
}
