package dev.sluice.mapper;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.checkpoint.Checkpoint;
import dev.sluice.cluster.SharedRecords;
import dev.sluice.cluster.StateStore;
import dev.sluice.files.AtomicFiles;
import dev.sluice.function.FunctionException;
import dev.sluice.function.FunctionService;
import dev.sluice.log.ShardOffsets;
import dev.sluice.log.ShardRef;
import dev.sluice.mapper.filter.FilterCriteria;
import dev.sluice.mapper.filter.InvalidFilterException;
import dev.sluice.mapper.kafka.KafkaDeps;
import dev.sluice.mapper.kafka.KafkaRunner;
import dev.sluice.stream.Arns;
import dev.sluice.stream.SequenceNumbers;
import dev.sluice.stream.Shard;
import dev.sluice.stream.StreamMeta;
import dev.sluice.stream.StreamStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The event-source mappings of a node: their configuration (in {@code mappings/UUID/} of the data
 * directory, or in the node state several nodes share), validated with Lambda's ranges, and a
 * runner per enabled mapping, whose checkpoints and shards {@link ShardLeases} keep. Updates take
 * effect live: the runner restarts from the stored checkpoints; with shared state, changes made
 * through other nodes apply here too. Changes block on I/O; call them from worker threads, never
 * from an event loop. While a change starts or stops a runner, readers see it in Lambda's
 * transitional states ({@link MappingStates}).
 *
 * <p>Threads: changes take the service's lock to change its maps, but wait for a stopping runner's
 * batches in flight without it, so that a slow drain holds up neither the other mappings' changes
 * nor the node's applier of shared state. A mapping's next runner starts only once every stop of
 * its runners before has ended (they save the checkpoints it starts from); a change of a mapping
 * while another change of it still waits is refused as Lambda's ResourceInUseException.
 */
public final class MappingService implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(MappingService.class);

  /** How long a mapping whose checkpoints could not be read waits before it tries again. */
  static final long RETRY_START_MILLIS = 30_000;

  private final Path dir;
  private final ShardLeases leases;
  private final MapperDeps deps;
  private final Arns arns;
  private final FailureSink failures;
  private final ObjectMapper mapper =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private final Map<String, MappingConfig> mappings = new ConcurrentHashMap<>();
  private final Map<String, SourceRunner> runners = new ConcurrentHashMap<>();
  private final Map<String, MappingStats> stats = new ConcurrentHashMap<>();

  /** Records processed and the last result per mapping, across its runners since the start. */
  private final Map<String, RunTotals> totals = new ConcurrentHashMap<>();

  private final KafkaDeps kafkaDeps;
  private final MappingStates states = new MappingStates();
  private final SharedMappings shared;

  /** Per mapping, the stops of its runners not yet known to have ended. Guarded by this. */
  private final Map<String, CompletableFuture<Void>> stopping = new HashMap<>();

  /**
   * Mappings an API change is carrying out; it starts their runner when it ends. Guarded by this.
   */
  private final Set<String> held = new HashSet<>();

  /**
   * Mappings another node deleted whose runner here still drains: shown as Deleting, but no change
   * may find them (an update would write a deleted mapping back). Guarded by this.
   */
  private final Set<String> removing = new HashSet<>();

  /** Starts runners once the stops before them have ended (remote changes wait for no one). */
  private final ExecutorService afterStops =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "sluice-mapping-changes");
            t.setDaemon(true);
            return t;
          });

  private boolean closed;

  /**
   * A mapping as the API shows it. The totals are over every shard that ran since the node started,
   * finished ones included.
   *
   * @param config its configuration
   * @param state Lambda's state name
   * @param lastProcessingResult "No records processed", "OK" or "PROBLEM: ..."
   * @param checkpoints shard id → checkpoint, while the mapping runs
   * @param shards shard id (a Kafka mapping's {@code topic-N}) → what it did since the node started
   * @param runnerRecords a Kafka mapping's count of records processed, -1 for a stream's
   */
  public record View(
      MappingConfig config,
      String state,
      String lastProcessingResult,
      Map<String, Checkpoint> checkpoints,
      Map<String, ShardStatus> shards,
      long runnerRecords) {

    /**
     * Records delivered successfully since the node started: the shards' sum for a stream, the
     * runner's count for a Kafka topic.
     */
    public long recordsProcessed() {
      return runnerRecords >= 0 ? runnerRecords : sum(ShardStatus::records);
    }

    /** The largest iterator age of a shard not finished, in milliseconds. */
    public long iteratorAgeMillis() {
      return shards.values().stream()
          .filter(s -> !s.finished())
          .mapToLong(ShardStatus::iteratorAgeMillis)
          .max()
          .orElse(0);
    }

    /** Whether any shard is stuck. */
    public boolean stuck() {
      return shards.values().stream().anyMatch(ShardStatus::stuck);
    }

    /** The sum of a value over the shards, e.g. {@code sum(ShardStatus::retries)}. */
    public long sum(java.util.function.ToLongFunction<ShardStatus> value) {
      return shards.values().stream().mapToLong(value).sum();
    }
  }

  MappingService(Path dataDir, MapperDeps deps, Arns arns) {
    this(dataDir, deps, arns, ShardLeases.files(dataDir), null);
  }

  MappingService(Path dataDir, MapperDeps deps, Arns arns, ShardLeases leases, StateStore state) {
    this.leases = leases;
    this.dir = dataDir.resolve("mappings");
    this.shared = state == null ? null : new SharedMappings(state, deps.clock());
    this.deps = deps;
    this.arns = arns;
    this.failures = new FailureSink(deps.appender(), arns, deps.blocking(), deps.clock());
    this.kafkaDeps =
        new KafkaDeps(
            deps.functions(),
            deps.appender(),
            arns,
            deps.blocking(),
            deps.clock(),
            deps.retryBase(),
            deps.retryMax(),
            deps.kafkaJoinTimeout());
  }

  /**
   * Builds the service; see {@link MapperDeps} for what each part is for. {@code leases} keep the
   * Kinesis mappings' checkpoints and say which of their shards run here. With a {@code state}
   * (null: none) the mappings live in the node state several nodes share, and run on each of them.
   */
  public static MappingService create(
      Path dataDir,
      io.vertx.core.Vertx vertx,
      dev.sluice.log.LogEngine engine,
      dev.sluice.stream.StreamCatalog catalog,
      dev.sluice.stream.StreamAppender appender,
      dev.sluice.function.FunctionService functions,
      java.util.concurrent.Executor blocking,
      java.time.Clock clock,
      dev.sluice.config.SluiceConfig.Mapper settings,
      io.micrometer.core.instrument.MeterRegistry meters,
      Arns arns,
      ShardLeases leases,
      StateStore state) {
    MapperDeps deps =
        new MapperDeps(
            vertx,
            engine,
            catalog,
            appender,
            functions,
            blocking,
            clock,
            new VertxTimers(vertx),
            settings.retryBase(),
            settings.retryMax(),
            settings.stuckRetryAfter(),
            settings.kafkaJoinTimeout(),
            meters,
            arns.region(),
            arns.accountId());
    return new MappingService(dataDir, deps, arns, leases, state);
  }

  /** Loads the stored mappings and starts the enabled ones. */
  public void start() {
    if (shared != null) {
      shared.load().forEach(this::load);
      shared.listen(new RemoteChanges());
      return;
    }
    try {
      Files.createDirectories(dir);
      try (Stream<Path> entries = Files.list(dir)) {
        for (Path d : entries.filter(Files::isDirectory).toList()) {
          Path f = d.resolve("mapping.json");
          if (Files.exists(f)) {
            loadFile(f);
          } else {
            deleteTree(d); // what a crash left of a mapping being created or deleted
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load mappings from " + dir, e);
    }
  }

  /** Loads one mapping's file; one that cannot be read is left alone and logged, not fatal. */
  private void loadFile(Path f) {
    MappingConfig c;
    try {
      c = mapper.readValue(f.toFile(), MappingConfig.class);
    } catch (IOException e) {
      LOG.errorf(e, "Mapping file %s cannot be read: the mapping is left out until it can", f);
      return;
    }
    load(c);
  }

  private void load(MappingConfig c) {
    mappings.put(c.uuid(), c);
    if (c.enabled()) {
      startRunner(c);
    }
  }

  /** Creates a mapping, positions it at its starting position, and starts it when enabled. */
  public View create(MappingRequest r) {
    awaitShared();
    return createNow(r);
  }

  /**
   * With shared state, first applies what other nodes changed up to now: a change computed from a
   * stale view would undo theirs. Not under the service's lock, which the state's applier takes.
   */
  private void awaitShared() {
    if (shared != null) {
      shared.awaitCurrent();
    }
  }

  private synchronized View createNow(MappingRequest r) {
    String function = functionNameOf(Objects.requireNonNullElse(r.functionName(), ""));
    requireFunction(function);
    if (r.kafka() != null) {
      return createKafka(function, r);
    }
    String stream = streamOf(r.eventSourceArn());
    requireNoTwin(function, stream, r.eventSourceArn());
    StartingPosition position = MappingValidation.position(r.startingPosition());
    Long at = r.startingTimestampMillis();
    if (position == StartingPosition.AT_TIMESTAMP && at == null) {
      throw MappingException.invalid(
          "StartingPositionTimestamp is required with StartingPosition AT_TIMESTAMP.");
    }
    if (at != null && (at < 0 || position != StartingPosition.AT_TIMESTAMP)) {
      // it was stored and echoed back, though nothing read it
      throw MappingException.invalid(
          "StartingPositionTimestamp is only allowed with StartingPosition AT_TIMESTAMP, and not"
              + " before 1970.");
    }
    MappingConfig c =
        settle(
            UUID.randomUUID().toString(),
            function,
            stream,
            position,
            r.startingTimestampMillis(),
            r,
            null,
            null);
    leases.initialize(c.uuid(), c.stream(), initialCheckpoints(c));
    return started(c);
  }

  /**
   * A Kafka mapping keeps its position in its consumer group: there are no checkpoints to store.
   */
  private View createKafka(String function, MappingRequest r) {
    if (r.eventSourceArn() != null) {
      throw MappingException.invalid(
          "A SelfManagedKafka mapping takes SelfManagedEventSource and Topics, not EventSourceArn.");
    }
    String uuid = UUID.randomUUID().toString();
    KafkaSource source = KafkaValidation.source(r.kafka(), uuid);
    requireUnusedGroup(source.consumerGroupId());
    StartingPosition position =
        KafkaValidation.position(r.startingPosition(), r.startingTimestampMillis());
    return started(
        settle(uuid, function, null, position, r.startingTimestampMillis(), r, null, source));
  }

  /**
   * As in Lambda: a second mapping of one stream to one function would deliver every record to it
   * twice (a retried create script, say); Lambda refuses it and names the existing one.
   */
  private void requireNoTwin(String function, String stream, String arn) {
    for (MappingConfig other : mappings.values()) {
      if (stream.equals(other.stream()) && function.equals(other.functionName())) {
        throw new MappingException(
            MappingException.Kind.CONFLICT,
            "The event source arn ("
                + arn
                + ") and function ("
                + function
                + ") provided mapping already exists. Please update or delete the existing"
                + " mapping with UUID "
                + other.uuid());
      }
    }
  }

  /** As in Lambda: two mappings in one group would each get only some of the partitions. */
  private void requireUnusedGroup(String group) {
    for (MappingConfig other : mappings.values()) {
      if (other.kafka() != null && other.kafka().consumerGroupId().equals(group)) {
        throw new MappingException(
            MappingException.Kind.CONFLICT,
            "The ConsumerGroupId "
                + group
                + " is already used by event source mapping "
                + other.uuid()
                + ". Please update or delete the existing mapping, or choose another"
                + " ConsumerGroupId.");
      }
    }
  }

  private View started(MappingConfig c) {
    persist(c);
    states.during(
        c.uuid(),
        MappingStates.CREATING,
        () -> {
          mappings.put(c.uuid(), c);
          if (c.enabled()) {
            startRunner(c);
          }
        });
    return view(c, MappingStates.CREATING);
  }

  /** Changes a mapping; the runner restarts with the new settings from its checkpoints. */
  public View update(String uuid, MappingRequest r) {
    awaitShared();
    MappingConfig c;
    String state;
    CompletableFuture<Void> stopped;
    synchronized (this) {
      MappingConfig old = requireChangeable(uuid);
      String function =
          r.functionName() == null ? old.functionName() : functionNameOf(r.functionName());
      if (r.functionName() != null) {
        // only a function named now: a mapping whose function was deleted can still be disabled
        requireFunction(function);
      }
      if (old.kafka() == null && !function.equals(old.functionName())) {
        // moved onto a function the stream already feeds: it would get every record twice
        requireNoTwin(function, old.stream(), arns.stream(old.stream()));
      }
      c =
          settle(
              uuid,
              function,
              old.stream(),
              old.startingPosition(),
              old.startingTimestampMillis(),
              r,
              old,
              kafkaOf(old, r));
      state = MappingStates.ofUpdate(old, c);
      hold(uuid, state);
      try {
        persist(c);
        mappings.put(uuid, c);
        stopped = stopRunner(uuid);
      } catch (RuntimeException e) {
        release(uuid);
        throw e;
      }
    }
    finish(uuid, stopped, () -> {});
    return view(c, state);
  }

  private static KafkaSource kafkaOf(MappingConfig old, MappingRequest r) {
    if (old.kafka() == null) {
      if (r.kafka() != null) {
        throw MappingException.invalid(
            "SelfManagedEventSource, Topics, SelfManagedKafkaEventSourceConfig and"
                + " SourceAccessConfigurations apply to Kafka event sources only.");
      }
      return null;
    }
    if (r.kafka() == null) {
      return old.kafka();
    }
    KafkaValidation.unchanged(old.kafka(), r.kafka());
    if (r.kafka().sourceAccess() == null) {
      return old.kafka();
    }
    return old.kafka().withAccess(KafkaValidation.access(r.kafka().sourceAccess()));
  }

  /** Deletes a mapping and its checkpoints. */
  public View delete(String uuid) {
    awaitShared();
    View last;
    CompletableFuture<Void> stopped;
    synchronized (this) {
      MappingConfig c = requireChangeable(uuid);
      hold(uuid, MappingStates.DELETING);
      last = view(c, MappingStates.DELETING);
      stopped = stopRunner(uuid);
    }
    // forgotten only once the runner has drained and saved its checkpoints
    finish(
        uuid,
        stopped,
        () -> {
          if (shared != null) {
            shared.delete(uuid);
          }
          forget(uuid);
        });
    return last;
  }

  /**
   * Marks the start of an API change of a mapping, shown in {@code state} until {@link #release}.
   * Caller holds the lock.
   */
  private void hold(String uuid, String state) {
    if (!held.add(uuid)) {
      throw new MappingException(
          MappingException.Kind.IN_USE,
          "The operation cannot be performed at this time. The event source mapping "
              + uuid
              + " is currently in "
              + states.of(mappings.get(uuid))
              + " state.");
    }
    states.begin(uuid, state);
  }

  /**
   * Ends an API change: the mapping is at rest again, and runs if it should. Caller holds the lock.
   */
  private void release(String uuid) {
    held.remove(uuid);
    states.end(uuid);
    startIfDue(uuid);
  }

  /**
   * Waits, without the lock, for the stops of the mapping's runners; then, with it, runs {@code
   * then} and ends the change, starting the mapping's runner if it is enabled.
   */
  private void finish(String uuid, CompletableFuture<Void> stopped, Runnable then) {
    try {
      stopped.join(); // never fails: see stopRunner
    } finally {
      synchronized (this) {
        try {
          then.run();
        } finally {
          release(uuid);
        }
      }
    }
  }

  private void forget(String uuid) {
    stopping.remove(uuid); // its runners have stopped: the caller waited for them
    MappingConfig c = mappings.remove(uuid);
    // the definition first: a crash in between leaves checkpoints that no mapping reads (start()
    // removes them), not a mapping without checkpoints, which would deliver the stream again
    unpersist(uuid);
    if (c != null && c.kafka() == null) {
      leases.delete(uuid); // a Kafka source's consumer group is the user's, as in Lambda
    }
    closeStats(uuid);
    deleteTree(dir.resolve(uuid));
  }

  /** Applies, in the shared order, what other nodes changed. */
  private final class RemoteChanges implements SharedRecords.Remote<MappingConfig> {

    @Override
    public void changed(String uuid, MappingConfig c) {
      synchronized (MappingService.this) {
        if (closed || c.equals(mappings.get(c.uuid()))) {
          return; // closing: no runner may start behind close()
        }
        mappings.put(c.uuid(), c);
        if (removing.remove(c.uuid())) {
          // removed without a marker (by hand), then written again: the later write stands
          states.end(c.uuid());
        }
        afterStop(c.uuid(), stopRunner(c.uuid()), () -> startIfDue(c.uuid()));
      }
    }

    @Override
    public void removed(String uuid) {
      synchronized (MappingService.this) {
        if (closed || !mappings.containsKey(uuid) || removing.contains(uuid)) {
          return; // its marker came first: the removal of its configuration changes nothing
        }
        states.begin(uuid, MappingStates.DELETING);
        removing.add(uuid);
        afterStop(uuid, stopRunner(uuid), () -> forgetRemoved(uuid));
      }
    }
  }

  /**
   * Runs {@code then} with the lock once {@code stopped} has ended: at once if it has, else on the
   * service's own thread (the mapper's I/O threads finish the stops, so they must not wait for the
   * lock). Caller holds the lock.
   */
  private void afterStop(String uuid, CompletableFuture<Void> stopped, Runnable then) {
    if (stopped.isDone()) {
      then.run();
      return;
    }
    stopped.thenRunAsync(() -> locked(uuid, then), afterStops);
  }

  private synchronized void locked(String uuid, Runnable then) {
    if (closed) {
      return; // close() waited for the stops; nothing starts behind it
    }
    try {
      then.run();
    } catch (RuntimeException e) {
      LOG.errorf(e, "Mapping %s: a change from another node could not be applied here", uuid);
    }
  }

  /** Forgets a mapping another node deleted, once no runner of it runs here any more. */
  private void forgetRemoved(String uuid) {
    if (!removing.contains(uuid) || !mappings.containsKey(uuid)) {
      removing.remove(uuid);
      return; // gone already, or written again since
    }
    // an API change of the mapping here may have started a runner since the removal came
    CompletableFuture<Void> stopped = stopRunner(uuid);
    if (!stopped.isDone()) {
      afterStop(uuid, stopped, () -> forgetRemoved(uuid));
      return;
    }
    states.end(uuid);
    removing.remove(uuid);
    forget(uuid);
  }

  /**
   * Moves every checkpoint of a mapping (Sluice's extension): to TRIM_HORIZON, LATEST, a timestamp,
   * or a sequence number (which names its shard). The mapping restarts from there.
   */
  public View rewind(String uuid, String to, Long timestampMillis, String sequenceNumber) {
    MappingConfig c;
    CompletableFuture<Void> stopped;
    synchronized (this) {
      c = requireChangeable(uuid);
      if (c.kafka() != null) {
        throw MappingException.invalid(
            "A Kafka mapping keeps its position in its consumer group; move the group's offsets"
                + " with Kafka's tools while the mapping is disabled.");
      }
      hold(uuid, MappingStates.UPDATING);
      stopped =
          stopRunner(uuid); // first: its final save must not overwrite the rewound checkpoints
    }
    // a refused rewind leaves the mapping running where it stood
    finish(
        uuid,
        stopped,
        () -> leases.rewind(c.uuid(), c.stream(), rewound(c, to, timestampMillis, sequenceNumber)));
    return view(c, states.of(c));
  }

  private Map<String, Checkpoint> rewound(
      MappingConfig c, String to, Long timestampMillis, String sequenceNumber) {
    if (sequenceNumber != null) {
      return atSequence(c, sequenceNumber);
    }
    StartingPosition p;
    try {
      p = StartingPosition.valueOf(Objects.requireNonNullElse(to, ""));
    } catch (IllegalArgumentException e) {
      throw MappingException.invalid(
          "To must be TRIM_HORIZON, LATEST or AT_TIMESTAMP (or give a SequenceNumber), not "
              + to
              + ".");
    }
    if (p == StartingPosition.AT_TIMESTAMP && timestampMillis == null) {
      throw MappingException.invalid("Rewinding to AT_TIMESTAMP needs a Timestamp.");
    }
    return initialCheckpoints(c.withStartingPosition(p, timestampMillis));
  }

  /** A mapping; fails with NOT_FOUND. */
  public View get(String uuid) {
    MappingConfig c = require(uuid);
    return view(c, states.of(c));
  }

  /** Mappings, optionally only those of a function and/or a stream ARN, sorted by UUID. */
  public List<View> list(String functionName, String eventSourceArn) {
    String qualifier = functionName == null ? null : FunctionService.qualifierOf(functionName);
    if (qualifier != null && !qualifier.equals("$LATEST")) {
      return List.of(); // a filter, not a lookup: no mapping is on a version or alias here
    }
    String function = functionName == null ? null : deps.functions().nameOf(functionName);
    String stream = eventSourceArn == null ? null : arns.streamName(eventSourceArn);
    if (eventSourceArn != null && stream == null && !eventSourceArn.startsWith("arn:")) {
      // no ARN at all is a mistake to point out, not a filter that quietly matches nothing
      throw MappingException.invalid("EventSourceArn " + eventSourceArn + " is not an ARN.");
    }
    List<View> out = new ArrayList<>();
    mappings.values().stream()
        .filter(c -> function == null || c.functionName().equals(function))
        .filter(c -> eventSourceArn == null || (stream != null && stream.equals(c.stream())))
        .sorted(Comparator.comparing(MappingConfig::uuid))
        .forEach(c -> out.add(view(c, states.of(c))));
    return out;
  }

  /**
   * Where the mapping's consumer group stands in each partition or shard, on every node (see {@link
   * SourceRunner#groupPositions}); empty for a stream's mapping with file storage, or a mapping not
   * running here. Blocking.
   */
  public Map<String, GroupPosition> groupPositions(String uuid) {
    SourceRunner r = runners.get(uuid);
    return r == null ? Map.of() : r.groupPositions();
  }

  /** The shards of every mapping that are stuck now, for the health check. */
  public List<StuckShard> stuck() {
    List<StuckShard> out = new ArrayList<>();
    for (MappingConfig c : mappings.values()) {
      MappingStats s = stats.get(c.uuid());
      if (s != null) {
        out.addAll(s.stuck(c.functionName()));
      }
    }
    return out;
  }

  /** The stream ARN of a mapping's stream, or null for a Kafka mapping. */
  public String streamArn(MappingConfig c) {
    return c.stream() == null ? null : arns.stream(c.stream());
  }

  /** The function ARN of a mapping's function. */
  public String functionArn(MappingConfig c) {
    return deps.functions().arn(c.functionName());
  }

  /** The mapping's own ARN. */
  public String mappingArn(MappingConfig c) {
    return "arn:aws:lambda:"
        + arns.region()
        + ":"
        + arns.accountId()
        + ":event-source-mapping:"
        + c.uuid();
  }

  private View view(MappingConfig c, String state) {
    SourceRunner r = runners.get(c.uuid());
    Map<String, Checkpoint> cps = r != null ? r.checkpoints() : Map.of();
    MappingStats s = stats.get(c.uuid());
    RunTotals t = totals.get(c.uuid());
    return new View(
        c,
        state,
        t == null ? "No records processed" : t.lastResult().get(),
        cps,
        s == null ? Map.of() : s.statuses(cps),
        // A stream's count is the shards' sum; a Kafka mapping's runner counts its own, which
        // survives the node's restarts of it (its partitions' counters start when they run)
        c.kafka() == null ? -1 : t == null ? 0 : t.processed());
  }

  private MappingConfig settle(
      String uuid,
      String function,
      String stream,
      StartingPosition position,
      Long timestamp,
      MappingRequest r,
      MappingConfig old,
      KafkaSource kafka) {
    if (kafka != null) {
      kafka = kafka.withWindowGiven(r.maxBatchingWindowSeconds() != null);
    }
    String onFailure = r.onFailure() != null ? r.onFailure() : old == null ? null : old.onFailure();
    if (onFailure != null && onFailure.isEmpty()) {
      onFailure = null;
    }
    if (onFailure != null && kafka == null && !failures.accepts(onFailure)) {
      throw MappingException.invalid(
          "DestinationConfig.OnFailure.Destination must be a Sluice stream ARN or a file:// directory, not "
              + onFailure
              + ".");
    }
    if (onFailure != null && kafka != null && !KafkaRunner.acceptsOnFailure(onFailure, arns)) {
      throw MappingException.invalid(
          "DestinationConfig.OnFailure.Destination must be a Sluice stream ARN, a file:// directory"
              + " or kafka://topic, not "
              + onFailure
              + ".");
    }
    if (onFailure != null && stream != null && onFailure.equals(arns.stream(stream))) {
      // each skipped batch's record would be read back, fail, and be sent again, for ever
      throw MappingException.invalid(
          "DestinationConfig.OnFailure.Destination must not be the source stream " + stream + ".");
    }
    if (onFailure != null && kafka != null && onFailure.equals("kafka://" + kafka.topic())) {
      // as in Lambda: the mapping would read its own failure records back, forever
      throw MappingException.invalid(
          "DestinationConfig.OnFailure.Destination must not be the source topic "
              + kafka.topic()
              + ".");
    }
    List<String> patterns =
        r.filterPatterns() != null
            ? r.filterPatterns()
            : old == null ? List.of() : old.filterPatterns();
    compileFilter(patterns);
    Integer tumblingGiven =
        or(r.tumblingWindowSeconds(), old == null ? null : old.tumblingWindowSeconds());
    if (kafka != null && tumblingGiven != null && tumblingGiven != 0) {
      throw MappingException.invalid(
          "TumblingWindowInSeconds is not supported for a self-managed Apache Kafka event source.");
    }
    int tumbling = MappingValidation.range("TumblingWindowInSeconds", tumblingGiven, 0, 0, 900);
    return new MappingConfig(
        uuid,
        function,
        stream,
        bool(r.enabled(), old == null ? true : old.enabled()),
        MappingValidation.range(
            "BatchSize", or(r.batchSize(), old == null ? null : old.batchSize()), 100, 1, 10_000),
        MappingValidation.range(
            "MaximumBatchingWindowInSeconds",
            or(r.maxBatchingWindowSeconds(), old == null ? null : old.maxBatchingWindowSeconds()),
            0,
            0,
            300),
        position,
        timestamp,
        MappingValidation.range(
            "ParallelizationFactor",
            or(r.parallelizationFactor(), old == null ? null : old.parallelizationFactor()),
            1,
            1,
            10),
        bool(r.bisectOnError(), old != null && old.bisectOnError()),
        MappingValidation.unlimitedOrRange(
            "MaximumRetryAttempts",
            or(r.maxRetryAttempts(), old == null ? null : old.maxRetryAttempts()),
            0,
            10_000),
        MappingValidation.unlimitedOrRange(
            "MaximumRecordAgeInSeconds",
            or(r.maxRecordAgeSeconds(), old == null ? null : old.maxRecordAgeSeconds()),
            60,
            604_800),
        onFailure,
        r.functionResponseTypes() != null
            ? MappingValidation.reportBatchItemFailures(r.functionResponseTypes())
            : old != null && old.reportBatchItemFailures(),
        patterns,
        tumbling,
        bool(r.metadataOnlyFailures(), old != null && old.metadataOnlyFailures()),
        deps.clock().millis(),
        kafka);
  }

  private static FilterCriteria compileFilter(List<String> patterns) {
    try {
      return FilterCriteria.parse(patterns);
    } catch (InvalidFilterException e) {
      throw MappingException.invalid("FilterCriteria." + e.getMessage());
    }
  }

  /**
   * The checkpoints of the mapping's starting position in the stream as it is now, naming its
   * incarnation: should it be deleted and created again before the runner starts, they are not
   * taken for the new stream's.
   */
  private Map<String, Checkpoint> initialCheckpoints(MappingConfig c) {
    StreamMeta meta = existing(c.stream());
    Map<String, Checkpoint> out = new TreeMap<>();
    for (Shard s : meta.shards()) {
      if (meta.status() == StreamStatus.CREATING) {
        // its shard logs hold nothing, so every position is the start, where a shard with no
        // checkpoint starts anyway; and they may not be there yet: Kafka refuses a group offset
        // for a partition its topic does not have yet
        continue;
      }
      ShardRef ref = new ShardRef(c.stream(), s.id());
      ShardOffsets o = deps.engine().offsets(ref);
      switch (c.startingPosition()) {
        case TRIM_HORIZON -> out.put(s.id(), new Checkpoint(o.startOffset(), false));
        // a closed shard whose end is still provisional may yet take late records: not finished
        case LATEST -> out.put(s.id(), new Checkpoint(o.endOffset(), s.isClosedForGood()));
        case AT_TIMESTAMP -> {
          boolean over = s.isClosedForGood() && s.closedMillis() < c.startingTimestampMillis();
          long at =
              over
                  ? o.endOffset()
                  : deps.engine().offsetForTimestamp(ref, c.startingTimestampMillis()).join();
          out.put(s.id(), new Checkpoint(at, over));
        }
      }
    }
    out.replaceAll((id, cp) -> cp.in(meta.createdMillis()));
    return out;
  }

  /** The stream, which must exist: a mapping of a deleted one cannot be positioned in it. */
  private StreamMeta existing(String stream) {
    StreamMeta meta =
        deps.catalog()
            .find(stream)
            .orElseThrow(
                () ->
                    MappingException.invalid(
                        "Stream " + stream + " does not exist; create it again first."));
    if (meta.status() == StreamStatus.DELETING) {
      throw MappingException.invalid("Stream " + stream + " is being deleted.");
    }
    return meta;
  }

  private Map<String, Checkpoint> atSequence(MappingConfig c, String sequenceNumber) {
    SequenceNumbers.Decoded d = SequenceNumbers.decode(sequenceNumber);
    StreamMeta meta = existing(c.stream());
    Shard shard =
        d == null
            ? null
            : meta.shards().stream()
                .filter(s -> s.ordinal() == d.ordinal())
                .findFirst()
                .orElse(null);
    if (shard == null || !d.isOf(meta.createdMillis(), shard.ordinal())) {
      throw MappingException.invalid(
          "Sequence number " + sequenceNumber + " is not one of stream " + c.stream() + ".");
    }
    Map<String, Checkpoint> cps = new TreeMap<>(leases.load(c.uuid(), c.stream()));
    // -1: the shard's start
    cps.put(shard.id(), new Checkpoint(Math.max(0, d.offset()), false).in(meta.createdMillis()));
    return cps;
  }

  private void startRunner(MappingConfig c) {
    FilterCriteria filter = compileFilter(c.filterPatterns());
    if (c.kafka() != null) {
      MappingStats kafkaStats =
          stats.computeIfAbsent(c.uuid(), u -> MappingStats.kafka(u, c.kafka().topic(), deps));
      SourceRunner kafka =
          new KafkaRunner(
              c,
              kafkaDeps,
              filter.isEmpty() ? null : filter::matches,
              totalsOf(c.uuid()),
              new SourceStats(kafkaStats, c.functionName()));
      runners.put(c.uuid(), kafka);
      kafka.start();
      return;
    }
    EventBuilder events =
        new EventBuilder(arns.region(), arns.accountId(), arns.stream(c.stream()));
    MappingRunner runner =
        new MappingRunner(
            c,
            deps,
            // the lease waits a little longer than the runner drains, so the hand-over comes
            // first; both ask the function's timeout when a shard leaves
            leases.open(
                c.uuid(),
                c.stream(),
                () -> Drain.of(deps.functions(), c.functionName()).plusSeconds(5)),
            events,
            filter.isEmpty() ? null : filter::matches,
            failures,
            stats.computeIfAbsent(c.uuid(), u -> new MappingStats(u, c.stream(), deps)),
            totalsOf(c.uuid()));
    try {
      runner.start();
    } catch (RuntimeException e) {
      notStarted(c.uuid(), e);
      return; // not registered: nothing may stop it, which would save no checkpoints over them
    }
    totalsOf(c.uuid()).connected(); // a problem of an earlier start is over
    runners.put(c.uuid(), runner);
  }

  /**
   * A runner whose checkpoints could not be read (an unreadable file, a format from a newer
   * Sluice): the mapping stays listed with the problem as its last result, the node's other
   * mappings go on, and the start is tried again after {@link #RETRY_START_MILLIS} (as after any
   * change to the mapping). Caller holds the lock.
   */
  private void notStarted(String uuid, RuntimeException e) {
    LOG.errorf(e, "Mapping %s not started: its checkpoints cannot be read", uuid);
    totalsOf(uuid).connectionProblem("PROBLEM: Checkpoints cannot be read: " + e.getMessage());
    deps.vertx().setTimer(RETRY_START_MILLIS, id -> retryStart(uuid));
  }

  private void retryStart(String uuid) {
    try {
      deps.blocking() // the start reads files
          .execute(
              () -> {
                synchronized (this) {
                  startIfDue(uuid);
                }
              });
    } catch (RejectedExecutionException e) {
      // the node is stopping: nothing is to start
    }
  }

  /**
   * Stops the mapping's runner here, if it has one; the future ends once every stop of its runners
   * so far has ended, and never fails. A final checkpoint save that fails (the group rebalancing,
   * the broker away) only means the next runner repeats the records since the last save, so the
   * change that stops the runner goes on: failing it left the mapping half changed on this node.
   * Caller holds the lock.
   */
  private CompletableFuture<Void> stopRunner(String uuid) {
    CompletableFuture<Void> before = stopping.get(uuid);
    SourceRunner r = runners.remove(uuid);
    if (r == null) {
      return before != null ? before : CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> stop = r.stop().exceptionally(e -> savedNot(uuid, e));
    CompletableFuture<Void> all = before == null ? stop : CompletableFuture.allOf(before, stop);
    stopping.put(uuid, all);
    return all;
  }

  private static Void savedNot(String uuid, Throwable e) {
    LOG.warnf(
        e instanceof CompletionException && e.getCause() != null ? e.getCause() : e,
        "Mapping %s: the last checkpoints were not saved; records since the last save run again",
        uuid);
    return null;
  }

  /**
   * Starts the mapping's runner if it should run and may: enabled, no API change holding it, and no
   * stop of an earlier runner still going. Caller holds the lock.
   */
  private void startIfDue(String uuid) {
    CompletableFuture<Void> stop = stopping.get(uuid);
    if (stop != null && stop.isDone()) {
      stopping.remove(uuid);
      stop = null;
    }
    MappingConfig c = mappings.get(uuid);
    if (closed || stop != null || c == null || !c.enabled() || held.contains(uuid)) {
      return;
    }
    if (!runners.containsKey(uuid)) {
      startRunner(c);
    }
  }

  private RunTotals totalsOf(String uuid) {
    return totals.computeIfAbsent(uuid, u -> new RunTotals());
  }

  private void closeStats(String uuid) {
    totals.remove(uuid);
    MappingStats s = stats.remove(uuid);
    if (s != null) {
      s.close(); // a deleted mapping leaves no meters behind
    }
  }

  private void persist(MappingConfig c) {
    if (shared != null) {
      shared.put(c);
      return;
    }
    try {
      AtomicFiles.write(dir.resolve(c.uuid()).resolve("mapping.json"), mapper.writeValueAsBytes(c));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void unpersist(String uuid) {
    if (shared != null) {
      return; // the shared record is removed before: see delete
    }
    Path file = dir.resolve(uuid).resolve("mapping.json");
    try {
      if (Files.deleteIfExists(file)) {
        AtomicFiles.syncDirectory(file.getParent());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + file, e);
    }
  }

  /**
   * A mapping a change may apply to: not one another node deleted, whose runner here still drains
   * (readers see it as Deleting; a change would write it back).
   */
  private MappingConfig requireChangeable(String uuid) {
    MappingConfig c = require(uuid);
    if (removingNow(uuid)) {
      throw notFound(uuid);
    }
    return c;
  }

  private MappingConfig require(String uuid) {
    MappingConfig c = uuid == null ? null : mappings.get(uuid);
    if (c == null) {
      throw notFound(uuid);
    }
    return c;
  }

  private static MappingException notFound(String uuid) {
    return new MappingException(
        MappingException.Kind.NOT_FOUND,
        "The resource you requested does not exist. (Event source mapping " + uuid + ")");
  }

  private synchronized boolean removingNow(String uuid) {
    return removing.contains(uuid);
  }

  /**
   * The function a request names. Sluice has only $LATEST: another version or alias ({@code
   * orders:live}) names a function that does not exist, as Lambda answers; mapping $LATEST instead
   * silently left the caller's alias out.
   */
  private String functionNameOf(String nameOrArn) {
    String name = deps.functions().nameOf(nameOrArn);
    String qualifier = FunctionService.qualifierOf(nameOrArn);
    if (qualifier != null && !qualifier.equals("$LATEST")) {
      throw new MappingException(
          MappingException.Kind.NOT_FOUND,
          "Function not found: " + deps.functions().arn(name) + ":" + qualifier);
    }
    return name;
  }

  /** Lambda's answer to a mapping onto a function that does not exist: a bad parameter, not 404. */
  private void requireFunction(String name) {
    try {
      deps.functions().get(name);
    } catch (FunctionException e) {
      throw MappingException.invalid("Function does not exist");
    }
  }

  private String streamOf(String arn) {
    String stream = arn == null ? null : arns.streamName(arn);
    if (stream == null || deps.catalog().find(stream).isEmpty()) {
      throw MappingException.invalid(
          "EventSourceArn " + arn + " is not an existing stream of this node.");
    }
    return stream;
  }

  private static void deleteTree(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Integer or(Integer value, Integer fallback) {
    return value != null ? value : fallback;
  }

  private static boolean bool(Boolean value, boolean fallback) {
    return value != null ? value : fallback;
  }

  /**
   * Stops every runner, waiting for them and for the stops of earlier changes, and removes the
   * mappings' meters.
   */
  @Override
  public void close() {
    List<CompletableFuture<Void>> stops = new ArrayList<>();
    synchronized (this) {
      closed = true;
      // all at once: each waits for its batches in flight
      for (String uuid : List.copyOf(runners.keySet())) {
        stopRunner(uuid);
      }
      stops.addAll(stopping.values());
    }
    CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).join();
    synchronized (this) {
      stats.keySet().forEach(this::closeStats);
    }
    afterStops.shutdown();
    if (shared != null) {
      shared.close();
    }
  }
}
