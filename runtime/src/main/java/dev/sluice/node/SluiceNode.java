package dev.sluice.node;

import dev.sluice.cluster.StateStore;
import dev.sluice.config.SluiceConfig;
import dev.sluice.function.FunctionService;
import dev.sluice.function.Isolation;
import dev.sluice.function.RunnerFactory;
import dev.sluice.function.classloader.ClassLoaderRunnerFactory;
import dev.sluice.function.process.ProcessRunnerFactory;
import dev.sluice.kinesis.TokenKey;
import dev.sluice.log.LogEngine;
import dev.sluice.mapper.MappingService;
import dev.sluice.stream.Arns;
import dev.sluice.stream.StreamAppender;
import dev.sluice.stream.StreamCatalog;
import dev.sluice.stream.StreamLimits;
import dev.sluice.stream.StreamMeta;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.vertx.core.Vertx;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * One Sluice node: its data directory, log engine, stream catalog and appender, started when the
 * application starts and closed, pending appends drained, when it stops.
 */
@Startup
@Singleton
public class SluiceNode {

  private static final Logger LOG = Logger.getLogger(SluiceNode.class);

  private final SluiceConfig config;
  private final Clock clock;
  private final NodeMetrics metrics;
  private final MeterRegistry registry;
  private final Path dataDir;
  private final Arns arns;
  private LogEngine engine;
  private StreamCatalog catalog;
  private StreamAppender appender;
  private final Vertx vertx;
  private ClassLoaderRunnerFactory classLoaderRunners;
  private ProcessRunnerFactory processRunners;
  private FunctionService functions;
  private MappingService mappings;
  private ExecutorService mapperIo;
  private StateStore state;
  private TokenKey tokenKey;
  private DataDirLock dataDirLock;

  SluiceNode(SluiceConfig config, Clock clock, MeterRegistry registry, Vertx vertx) {
    this.config = config;
    this.vertx = vertx;
    this.clock = clock;
    this.registry = registry;
    this.metrics = new NodeMetrics(registry);
    this.dataDir = Path.of(config.dataDir()).toAbsolutePath();
    this.arns = new Arns(config.region(), config.accountId());
  }

  @PostConstruct
  void start() {
    dataDirLock = DataDirLock.acquire(dataDir);
    SluiceConfig.Log log = config.log();
    EngineEvents events = new EngineEvents(metrics);
    engine = StorageEngines.create(config, dataDir, clock, events);
    engine.start();
    state = StorageEngines.sharedState(config);
    if (state != null) {
      engine.fenceWrites(state::viewAgeNanos); // other nodes may reshard the streams it writes
    }
    StreamLimits limits =
        new StreamLimits(config.kinesis().shardLimit(), config.kinesis().onDemandStreamLimit());
    catalog =
        state == null
            ? new StreamCatalog(dataDir, engine, clock, limits)
            : StreamCatalog.shared(state, engine, clock, limits);
    catalog.start();
    events.wake(catalog.watch());
    catalog.scheduleRetention(log.retentionCheckInterval().toMillis());
    metricsSweep = vertx.setPeriodic(METRICS_SWEEP_MILLIS, id -> retainMetrics());
    appender = new StreamAppender(catalog, engine);
    startFunctions();
    startMappings();
    tokenKey =
        state == null ? TokenKey.fromFile(dataDir.resolve("token.key")) : TokenKey.shared(state);
    if (state != null) {
      state.follow(); // every part has read its state: now changes from other nodes may come
      functions.startEvents(); // events for functions deployed through other nodes are found now
    }
    LOG.infof(
        "Sluice node started on data directory %s, %s storage", dataDir, config.storage().type());
  }

  private void startFunctions() {
    classLoaderRunners = new ClassLoaderRunnerFactory();
    Map<Isolation, RunnerFactory> factories = new EnumMap<>(Isolation.class);
    factories.put(Isolation.CLASSLOADER, classLoaderRunners);
    processRunners =
        new ProcessRunnerFactory(
            vertx, dataDir.resolve("process"), config.region(), NodeEndpoint::url);
    factories.put(Isolation.PROCESS, processRunners);
    functions =
        new FunctionService(
            dataDir,
            config.region(),
            config.accountId(),
            factories,
            config.function().maxConcurrency(),
            config.function().asyncRetryDelays(),
            clock,
            state,
            StorageEngines.events(config),
            StorageEngines.functionLogs(config));
    functions.start();
  }

  private void startMappings() {
    mapperIo =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "sluice-mapper-io");
              t.setDaemon(true);
              return t;
            });
    mappings =
        MappingService.create(
            dataDir,
            vertx,
            engine,
            catalog,
            appender,
            functions,
            mapperIo,
            clock,
            config.mapper(),
            registry,
            arns,
            StorageEngines.leases(config, dataDir, state),
            state);
    mappings.start();
  }

  /** How often deleted or re-created streams' meters are removed. */
  private static final long METRICS_SWEEP_MILLIS = 60_000;

  private long metricsSweep = -1;

  private void retainMetrics() {
    Map<String, Long> created = new HashMap<>();
    List<StreamMeta> streams = catalog.list();
    streams.forEach(m -> created.put(m.name(), m.createdMillis()));
    metrics.retain(created);
    metrics.forgetExpired(streams);
  }

  @PreDestroy
  void stop() {
    vertx.cancelTimer(metricsSweep);
    if (state != null) {
      functions.closeShared(); // its changes in flight end now, not after a 30 s wait
      state.stopFollowing(); // first: no change from another node may start a runner now
    }
    mappings.close(); // writes the final checkpoints' copies to the state
    if (state != null) {
      state.close();
    }
    mapperIo.shutdown();
    functions.close();
    classLoaderRunners.close();
    processRunners.close();
    catalog.close();
    engine.close();
    dataDirLock.close();
    LOG.info("Sluice node stopped; every acknowledged record is stored");
  }

  /** The node's data directory (absolute). */
  public Path dataDir() {
    return dataDir;
  }

  /** The clock every component reads. */
  public Clock clock() {
    return clock;
  }

  /** ARNs of this node's region and account. */
  public Arns arns() {
    return arns;
  }

  /** The key that signs the Kinesis API's shard iterators and pagination tokens. */
  public TokenKey tokenKey() {
    return tokenKey;
  }

  /** The storage engine. */
  public LogEngine engine() {
    return engine;
  }

  /** The stream catalog. */
  public StreamCatalog catalog() {
    return catalog;
  }

  /** Writes records to streams. */
  public StreamAppender appender() {
    return appender;
  }

  /** The functions deployed on this node. */
  public FunctionService functions() {
    return functions;
  }

  /** The event-source mappings of this node. */
  public MappingService mappings() {
    return mappings;
  }

  /** The node's Micrometer meters. */
  public NodeMetrics metrics() {
    return metrics;
  }
}
