package dev.sluice.function;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.sluice.cluster.StateStore;
import dev.sluice.files.AtomicFiles;
import dev.sluice.files.CaseFolding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The functions of a node: their configuration and code (kept in {@code functions/} of the data
 * directory, surviving restarts), a runner per function, Lambda's concurrency limits, logs, and
 * asynchronous invocations with Lambda's two retries.
 *
 * <p>Thread model: changes (deploy, update, delete) do disk I/O and are serialized on the caller's
 * thread, which must not be an event loop. {@link #invoke} never blocks; its future completes on a
 * runner thread. Logs are written on the service's own log thread.
 */
public final class FunctionService implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(FunctionService.class);

  /** Lambda's limit for a synchronous (RequestResponse) invocation's payload. */
  static final int MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

  /** Lambda's limit for an Event (asynchronous) invocation's payload, 1 MB since 2025. */
  static final int MAX_ASYNC_PAYLOAD_BYTES = 1024 * 1024;

  private final Path dir;
  private final String arnPrefix;
  private final Map<Isolation, RunnerFactory> factories;
  private final Clock clock;

  /** The node's concurrency: its reservations and unreserved pool. */
  private final Concurrency concurrency;

  private final CodeStore codes;

  /** The asynchronous invocations: their retries, journal or shared queue, and thread. */
  private final AsyncInvocations async;

  private final FunctionLogStore logs;
  private final SharedFunctions shared;
  private final ObjectMapper mapper =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  private final Map<String, Deployed> functions = new ConcurrentHashMap<>();

  /**
   * Whether the functions' directory tells names apart by case: when not, two functions whose names
   * differ only by case would share their code, logs and queued events.
   */
  private volatile boolean foldsCase;

  /**
   * Packages of replaced runners that have not stopped yet, with how many: their invocations in
   * flight may still load classes from them, so nothing else (a DryRun of the same code) removes
   * them. Guarded by this.
   */
  private final Map<Path, Integer> retiring = new HashMap<>();

  private static final long CLOSE_WAIT_SECONDS = 10;

  private final ExecutorService logThread =
      Executors.newSingleThreadExecutor(r -> daemon(r, "sluice-function-logs"));

  /**
   * With shared state: one change of a function at a time from this node, held until its outcome
   * (held weakly: a name's lock lives while a change holds or waits for it, not for every name ever
   * asked for).
   */
  private final Cache<String, ReentrantLock> changeLocks =
      Caffeine.newBuilder().weakValues().build();

  /** Per function, the change this node shared and awaits; under the service's lock. */
  private final Map<String, Staged> staged = new HashMap<>();

  /**
   * A change shared and not yet judged in the shared order.
   *
   * @param proposal the change
   * @param runner a runner made for it, which the applier installs; null: keep the running one
   * @param code the package it runs; null for a deletion
   * @param stored the package it stored on this node, or null
   * @param conditional whether it named the RevisionId it was made from
   * @param since when it was staged (nanoTime)
   */
  private record Staged(
      SharedFunctions.Proposal proposal,
      Runner runner,
      DeployedCode code,
      CodeStore.Stored stored,
      boolean conditional,
      long since) {

    /** The same change once the applier installed its runner. */
    Staged taken() {
      return new Staged(proposal, null, code, null, conditional, since);
    }
  }

  /** A function as it runs now: configuration, code, runner and concurrency limit. */
  private record Deployed(
      FunctionConfig config, DeployedCode code, Runner runner, ReservedLimit reserved) {

    /** Whether it can run on this node: not in Lambda's Failed state here. */
    boolean runsHere() {
      return !(runner instanceof UnrunnableRunner);
    }

    /**
     * Whether it holds its package at {@code root}: a function Failed here for want of its package
     * names the place without holding it, so a package checked or refused there is not its.
     */
    boolean holds(Path root) {
      return code.root().equals(root)
          && !(runner instanceof UnrunnableRunner u && u.why().reasonCode().equals(LOST_PACKAGE));
    }
  }

  /**
   * The outcome of a synchronous invocation.
   *
   * @param requestId the request id
   * @param report the runner's report
   * @param log the invocation's log lines as Lambda writes them (START … REPORT)
   */
  public record Invoked(String requestId, InvocationReport report, String log) {}

  /**
   * Why a function cannot run on this node, in Lambda's terms for a function in the Failed state.
   *
   * @param reasonCode Lambda's StateReasonCode: InvalidRuntime, InvalidConfiguration, or
   *     InvalidZipFileException (the code package cannot be read here)
   * @param reason what is missing here
   */
  public record Unrunnable(String reasonCode, String reason) {}

  /** The StateReasonCode of a function whose code package this node cannot read. */
  private static final String LOST_PACKAGE = "InvalidZipFileException";

  /**
   * A service keeping its state in {@code dataDir/functions}, or with a {@code state} (null: none)
   * in the node state several nodes share: a function deployed, changed or deleted through any of
   * them changes on every one, and the data directory only caches unpacked packages. With shared
   * state, asynchronous events wait in {@code events} (null: in this node's memory only, lost if it
   * stops before running them). The functions' logs go to {@code logs} (null: files in the data
   * directory), which the service closes.
   */
  public FunctionService(
      Path dataDir,
      String region,
      String accountId,
      Map<Isolation, RunnerFactory> factories,
      int globalConcurrency,
      List<Duration> asyncRetryDelays,
      Clock clock,
      StateStore state,
      EventQueue events,
      FunctionLogStore logs) {
    this(
        dataDir,
        region,
        accountId,
        factories,
        globalConcurrency,
        asyncRetryDelays,
        clock,
        state,
        events,
        logs,
        AsyncInvocations.WAITING_BYTES);
  }

  /** As the public constructor, with another budget for asynchronous events awaiting a retry. */
  FunctionService(
      Path dataDir,
      String region,
      String accountId,
      Map<Isolation, RunnerFactory> factories,
      int globalConcurrency,
      List<Duration> asyncRetryDelays,
      Clock clock,
      StateStore state,
      EventQueue events,
      FunctionLogStore logs,
      long maxWaitingBytes) {
    this.dir = dataDir.resolve("functions");
    this.arnPrefix = "arn:aws:lambda:" + region + ":" + accountId + ":function:";
    this.factories = factories;
    this.clock = clock;
    this.concurrency = new Concurrency(globalConcurrency);
    this.codes = new CodeStore(dir);
    this.logs = logs != null ? logs : new FunctionLogs(dir, 1024 * 1024, 4);
    this.shared = state == null ? null : new SharedFunctions(state, codes, this);
    this.async =
        new AsyncInvocations(
            new AsyncAccess(),
            clock,
            asyncRetryDelays,
            state == null ? new AsyncJournal(dataDir.resolve("async")) : AsyncJournal.NONE,
            state == null ? null : events,
            maxWaitingBytes);
    this.foldsCase = CaseFolding.ignoresCase(dir);
  }

  /**
   * Treats the data directory as one whose file system ignores case, as macOS's usually does; for
   * tests, which run where it does not.
   */
  void assumeCaseFolding() {
    foldsCase = true;
  }

  /**
   * Loads the functions persisted in the data directory (or the shared node state, then follows
   * other nodes' changes to it) and starts their runners.
   */
  public void start() {
    if (shared != null) {
      for (FunctionConfig config : shared.load(foldsCase)) {
        installQuietly(config);
      }
      shared.listen(new SharedChanges());
      return;
    }
    try {
      Files.createDirectories(dir);
      try (Stream<Path> entries = Files.list(dir)) {
        for (Path f : entries.map(p -> p.resolve("function.json")).filter(Files::exists).toList()) {
          installQuietly(mapper.readValue(f.toFile(), FunctionConfig.class));
        }
      }
      removeUnused();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load functions from " + dir, e);
    }
    async.resume();
  }

  /**
   * Removes the packages no function uses and the directories of functions no longer defined: a
   * removal waits for the runner to stop, and a node stopping or crashing first cut it short.
   * Directories starting with a dot are packages being placed, by this start no one; so are the
   * uploads being unpacked ({@code .package-*.zip}, up to 50 MB each), left by a crash.
   */
  private synchronized void removeUnused() throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path upload : entries.filter(ZipPackages::isUpload).toList()) {
        Files.deleteIfExists(upload);
      }
    }
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path fn : entries.filter(Files::isDirectory).toList()) {
        String name = fn.getFileName().toString();
        Deployed d = functions.get(name);
        if (d != null) {
          codes.deleteOtherPackages(name, d.code());
        } else if (!Files.exists(fn.resolve("function.json"))) {
          codes.deleteAll(name); // deleted: its definition went first (one that cannot run stays)
        }
      }
    }
  }

  /** The ARN of function {@code name}. */
  public String arn(String name) {
    return arnPrefix + name;
  }

  /** The function name in a name, a partial ARN or a full ARN; the input when it is none. */
  public String nameOf(String nameOrArn) {
    String rest = afterFunction(nameOrArn);
    int q = rest.indexOf(':');
    return q >= 0 ? rest.substring(0, q) : rest;
  }

  /** The version or alias in a name or ARN ({@code name:qualifier}), or null when it has none. */
  public static String qualifierOf(String nameOrArn) {
    String rest = afterFunction(nameOrArn);
    int q = rest.indexOf(':');
    return q >= 0 ? rest.substring(q + 1) : null;
  }

  private static String afterFunction(String nameOrArn) {
    int i = nameOrArn.lastIndexOf(":function:");
    return i >= 0 ? nameOrArn.substring(i + ":function:".length()) : nameOrArn;
  }

  /** Deploys a new function. */
  public FunctionConfig create(String name, FunctionSpec spec, CodeSource code) {
    return create(name, spec, code, Map.of());
  }

  /** Deploys a new function with {@code tags} (CreateFunction's Tags). */
  public FunctionConfig create(
      String name, FunctionSpec spec, CodeSource code, Map<String, String> tags) {
    return change(name, () -> createNow(name, spec, code, tags));
  }

  private synchronized FunctionConfig createNow(
      String name, FunctionSpec spec, CodeSource code, Map<String, String> tags) {
    FunctionSpecs.checkName(name);
    FunctionSpecs.checkRequest(spec);
    FunctionTags.check(Map.of(), tags, List.of(), null);
    if (functions.containsKey(name)) {
      throw new FunctionException(
          FunctionException.Kind.CONFLICT, "Function already exist: " + name);
    }
    String clash = foldsCase ? CaseFolding.clash(name, namesOnDisk()) : null;
    if (clash != null) {
      throw new FunctionException(
          FunctionException.Kind.CONFLICT,
          "Function "
              + name
              + " differs from function "
              + clash
              + " only by case, and this node's data directory is on a file system that ignores"
              + " case: the two would share their files.");
    }
    FunctionSpec s = FunctionSpecs.withDefaults(spec);
    FunctionSpecs.validate(s);
    CodeStore.Stored stored = codes.store(name, code);
    long storedAt = System.nanoTime();
    FunctionConfig config =
        new FunctionConfig(
            name,
            s.handler(),
            s.runtime(),
            s.memorySize(),
            s.timeoutSeconds(),
            s.environment(),
            null,
            s.description(),
            s.isolation(),
            stored.sha256(),
            stored.size(),
            clock.millis(),
            UUID.randomUUID().toString(),
            s.role(),
            tags);
    Runner runner;
    try {
      runner = runnerFor(config, stored.code()); // first: nothing is kept of one that cannot run
    } catch (RuntimeException e) {
      discard(name, stored, storedAt);
      throw e;
    }
    try {
      if (shared != null) {
        stage(null, config, stored, runner, false);
        return config;
      }
      boolean replaces = Files.exists(definitionOf(name));
      persist(config);
      if (replaces) {
        // kept for the definition that could not run here, not for this one
        async.dropJournaled(name);
      }
    } catch (RuntimeException e) {
      runner.close();
      if (!unknownOutcome(e)) {
        discard(name, stored, storedAt);
      }
      throw e;
    }
    put(config, stored.code(), runner);
    return config;
  }

  /**
   * Removes the package a failed creation stored at {@code storedAt}, and the name's directories if
   * nothing else is left in them. Not the whole directory: with shared state, another node's
   * creation of the name may have just unpacked its package there, and a deleted function's may
   * still serve invocations in flight.
   */
  private void discard(String name, CodeStore.Stored stored, long storedAt) {
    codes.deleteUnlessPlacedSince(stored.code(), storedAt);
    codes.deleteIfEmpty(name);
  }

  /** Replaces a function's code; invocations in flight finish on the old code. */
  public FunctionConfig updateCode(String name, CodeSource code) {
    return updateCode(name, code, null);
  }

  /**
   * Replaces a function's code if its RevisionId is {@code revisionId} (any when null), and fails
   * with PRECONDITION_FAILED otherwise, as Lambda's optimistic locking does.
   */
  public FunctionConfig updateCode(String name, CodeSource code, String revisionId) {
    return change(name, () -> updateCodeNow(name, code, revisionId));
  }

  /**
   * UpdateFunctionCode's DryRun: checks the function, its RevisionId and the package (unpacked,
   * then removed unless the function runs it) as an update would, and returns the configuration as
   * it is: nothing changes.
   */
  public synchronized FunctionConfig checkCode(String name, CodeSource code, String revisionId) {
    Deployed d = require(name);
    requireRevision(d.config(), revisionId);
    discard(codes.check(d.config().name(), code));
    return d.config();
  }

  private synchronized FunctionConfig updateCodeNow(
      String name, CodeSource code, String revisionId) {
    Deployed d = require(name);
    requireRevision(d.config(), revisionId);
    CodeStore.Stored stored = codes.store(d.config().name(), code); // the name, not an ARN
    FunctionConfig next = d.config().withCode(stored.sha256(), stored.size(), clock.millis());
    return replace(d, next, stored, revisionId != null);
  }

  /** Changes a function's configuration; unset members keep their value. */
  public FunctionConfig updateConfiguration(String name, FunctionSpec spec) {
    return updateConfiguration(name, spec, null);
  }

  /**
   * Changes a function's configuration if its RevisionId is {@code revisionId} (any when null), and
   * fails with PRECONDITION_FAILED otherwise.
   */
  public FunctionConfig updateConfiguration(String name, FunctionSpec spec, String revisionId) {
    return change(name, () -> updateConfigurationNow(name, spec, revisionId));
  }

  private synchronized FunctionConfig updateConfigurationNow(
      String name, FunctionSpec spec, String revisionId) {
    FunctionSpecs.checkRequest(spec); // the request's own shape first, as Lambda checks it
    Deployed d = require(name);
    FunctionConfig c = d.config();
    requireRevision(c, revisionId);
    FunctionSpec merged = FunctionSpecs.merged(spec, c);
    FunctionSpecs.validate(merged);
    FunctionConfig next = c.withSettings(merged, clock.millis());
    return replace(d, next, null, revisionId != null);
  }

  private static void requireRevision(FunctionConfig c, String revisionId) {
    if (revisionId != null && !revisionId.equals(c.revisionId())) {
      throw new FunctionException(
          FunctionException.Kind.PRECONDITION_FAILED,
          "The Revision Id provided does not match the latest Revision Id. Call the"
              + " GetFunction/GetAlias API to retrieve the latest Revision Id");
    }
  }

  /** Sets the function's reserved concurrency (0 throttles every invocation). */
  public FunctionConfig putConcurrency(String name, Integer reserved) {
    return change(name, () -> putConcurrencyNow(name, reserved));
  }

  private synchronized FunctionConfig putConcurrencyNow(String nameOrArn, Integer reserved) {
    FunctionSpecs.checkRange("reservedConcurrentExecutions", reserved, 0, Integer.MAX_VALUE);
    Deployed d = require(nameOrArn);
    String name = d.config().name(); // the registry's key, not an ARN
    if (reserved != null && reserved > FunctionConfig.MAX_RESERVED_CONCURRENCY) {
      throw FunctionException.invalid(
          "ReservedConcurrentExecutions must be between 0 and 1000, not " + reserved + ".");
    }
    if (reserved != null) {
      concurrency.requireRoomFor(name, reserved, reservedByOthers(name));
    }
    FunctionConfig next = d.config().withReservedConcurrency(reserved);
    if (shared != null) {
      stage(d, next, null, null, false);
      return next;
    }
    persist(next);
    functions.put(
        name, new Deployed(next, d.code(), d.runner(), concurrency.limiter(name, reserved)));
    resizeUnreserved();
    return next;
  }

  /**
   * Adds or replaces tags (TagResource) and removes those named in {@code remove} (UntagResource);
   * the function's configuration and revision stay as they are.
   */
  public FunctionConfig retag(String nameOrArn, Map<String, String> add, List<String> remove) {
    return change(nameOrArn, () -> retagNow(nameOf(nameOrArn), add, remove));
  }

  private synchronized FunctionConfig retagNow(
      String name, Map<String, String> add, List<String> remove) {
    Deployed d = require(name);
    Map<String, String> next =
        FunctionTags.check(d.config().tags(), add, remove, d.config().isolation());
    FunctionConfig config = d.config().withTags(next);
    if (shared != null) {
      stage(d, config, null, null, false);
      return config;
    }
    persist(config);
    functions.put(name, new Deployed(config, d.code(), d.runner(), d.reserved()));
    return config;
  }

  /** Deletes a function, its code and its logs. */
  public void delete(String name) {
    logs.cleared(change(name, () -> deleteNow(name)).name());
  }

  private synchronized FunctionConfig deleteNow(String name) {
    Deployed d = require(name);
    if (shared != null) {
      String canonical = d.config().name();
      staged.put(
          canonical,
          new Staged(
              shared.proposeDeletion(canonical), null, null, null, false, System.nanoTime()));
      return d.config();
    }
    forget(d);
    return d.config();
  }

  /**
   * Drops a deleted function. Its definition and logs go at once, so that a restart does not bring
   * it back; its package only once the invocations in flight ended, as they may still load classes
   * or run files from it (and not if the function was created again with the same package).
   */
  private void forget(Deployed d) {
    String name = d.config().name();
    long since = System.nanoTime();
    functions.remove(name);
    concurrency.forget(name);
    resizeUnreserved();
    d.runner().close();
    closeLog(name);
    codes.deleteAllButPackages(name);
    removeWhenStopped(d, since);
    async.forgetKept(name);
  }

  /**
   * Closes the function's open log file on the log thread, the only one touching it, and waits;
   * never called on the log thread itself.
   */
  private void closeLog(String name) {
    try {
      CompletableFuture.runAsync(() -> logs.forget(name), logThread).join();
    } catch (RejectedExecutionException e) {
      // the service is closed: nothing writes logs any more
    }
  }

  /** The function's configuration; fails with NOT_FOUND. */
  public FunctionConfig get(String name) {
    return require(name).config();
  }

  /**
   * Why the function cannot run on this node (it is in Lambda's Failed state here), or empty when
   * it can or does not exist.
   */
  public Optional<Unrunnable> unrunnable(String nameOrArn) {
    Deployed d = functions.get(nameOf(nameOrArn));
    return d != null && d.runner() instanceof UnrunnableRunner u
        ? Optional.of(u.why())
        : Optional.empty();
  }

  /** What invoking a function in the Failed state gets, as from Lambda. */
  static FunctionException failedState() {
    return new FunctionException(
        FunctionException.Kind.CONFLICT,
        "The operation cannot be performed at this time. The function is currently in the following"
            + " state: Failed");
  }

  /**
   * Checks what an invocation of the function checks before it runs (Lambda's DryRun): NOT_FOUND
   * when there is no such function, CONFLICT when it is Failed on this node.
   */
  public void checkInvocable(String nameOrArn) {
    requireRunnable(nameOrArn);
  }

  /** Whether {@code name} is deployed and can run on this node. */
  private boolean runsHere(String name) {
    Deployed d = functions.get(name);
    return d != null && d.runsHere();
  }

  /** The function, which must be able to run here: CONFLICT when it is Failed on this node. */
  private Deployed requireRunnable(String nameOrArn) {
    Deployed d = require(nameOrArn);
    if (!d.runsHere()) {
      throw failedState();
    }
    return d;
  }

  /** Every function, sorted by name. */
  /**
   * What GetAccountSettings reports of this node.
   *
   * @param concurrentExecutions the node's concurrency
   * @param unreservedConcurrentExecutions what the functions' reservations leave of it
   * @param totalCodeSize bytes of every function's package
   * @param functionCount the functions
   */
  public record AccountUsage(
      int concurrentExecutions,
      int unreservedConcurrentExecutions,
      long totalCodeSize,
      int functionCount) {}

  /** The node's concurrency and what its functions use, as GetAccountSettings reports them. */
  public synchronized AccountUsage accountUsage() {
    List<FunctionConfig> all = list();
    int reserved =
        all.stream().mapToInt(c -> Objects.requireNonNullElse(c.reservedConcurrency(), 0)).sum();
    long code = all.stream().mapToLong(FunctionConfig::codeSize).sum();
    return new AccountUsage(
        concurrency.global(), concurrency.global() - reserved, code, all.size());
  }

  /** The functions, by name. */
  public List<FunctionConfig> list() {
    List<FunctionConfig> all = new ArrayList<>();
    functions.values().forEach(d -> all.add(d.config()));
    all.sort(Comparator.comparing(FunctionConfig::name));
    return all;
  }

  /**
   * Lines of a function's log from a position on (see {@link LogPage}); {@code after} null means
   * the last {@code max} lines. Follow a log by passing each page's {@code next} back.
   */
  public LogPage logPage(String nameOrArn, Long after, int max) {
    String name = require(nameOrArn).config().name();
    return readLogs(() -> after == null ? logs.last(name, max) : logs.page(name, after, max));
  }

  /** Reads the logs on the log thread if the store's files belong to it, else on this thread. */
  private <T> T readLogs(Supplier<T> read) {
    if (!logs.readsOnLogThread()) {
      return read.get();
    }
    return CompletableFuture.supplyAsync(read, logThread).join();
  }

  /** The last {@code max} lines of the function's log. Blocking. */
  public List<String> logLines(String nameOrArn, int max) {
    String name = require(nameOrArn).config().name();
    return readLogs(() -> logs.last(name, max).lines());
  }

  /** The largest payload of a synchronous or an asynchronous (Event) invocation, as in Lambda. */
  public static int maxPayloadBytes(boolean async) {
    return async ? MAX_ASYNC_PAYLOAD_BYTES : MAX_PAYLOAD_BYTES;
  }

  /**
   * Invokes the function and waits for its answer (RequestResponse). Fails with TOO_MANY_REQUESTS
   * when a concurrency limit is reached and TOO_LARGE for a payload over 6 MB.
   */
  public CompletableFuture<Invoked> invoke(String nameOrArn, byte[] payload, String clientContext) {
    payload = eventOf(payload);
    checkPayload(payload); // Lambda's front end refuses the size before it looks up the function
    Deployed d = requireRunnable(nameOrArn);
    // invoked as name:$LATEST, the handler's Context.getInvokedFunctionArn() ends in it, as in
    // Lambda
    String q = qualifierOf(nameOrArn);
    String invoked = q == null ? d.config().name() : d.config().name() + ":" + q;
    return start(d, invoked, payload, null, clientContext);
  }

  /**
   * Invokes the function with a Kinesis or Kafka event (RequestResponse), exactly as {@link
   * #invoke(String, byte[], String)} with its JSON; the JSON is only built when the function needs
   * it or when the batch might exceed the 6 MB limit.
   */
  public CompletableFuture<Invoked> invoke(String nameOrArn, KinesisBatch batch) {
    Deployed d = requireRunnable(nameOrArn);
    if (batch.maxJsonBytes() > MAX_PAYLOAD_BYTES) {
      checkPayload(batch.json());
    }
    return start(d, d.config().name(), null, batch, null);
  }

  private CompletableFuture<Invoked> start(
      Deployed d, String name, byte[] payload, KinesisBatch batch, String clientContext) {
    return start(d, name, payload, batch, clientContext, UUID.randomUUID().toString());
  }

  private CompletableFuture<Invoked> start(
      Deployed d,
      String name,
      byte[] payload,
      KinesisBatch batch,
      String clientContext,
      String requestId) {
    concurrency.acquire(d.reserved(), d.config());
    long deadline = clock.millis() + d.config().timeoutSeconds() * 1000L;
    Invocation inv = new Invocation(requestId, payload, deadline, arn(name), clientContext, batch);
    CompletableFuture<InvocationReport> report;
    try {
      report = run(d, inv);
    } catch (RuntimeException | Error e) { // an Error too: no thread left for an instance, say
      concurrency.release(d.reserved());
      throw e;
    }
    return report
        .whenComplete((r, e) -> concurrency.release(d.reserved()))
        .thenApplyAsync(r -> logged(d.config(), requestId, r), logThread);
  }

  /**
   * Queues an asynchronous invocation (Event), of at most 1 MB as in Lambda (TOO_LARGE otherwise):
   * retried twice after failures, with Lambda's delays, then dropped with a log line. Returns its
   * request id, which every attempt runs under, as in Lambda: the id the caller got with the 202 is
   * the one in the function's log.
   */
  public String invokeAsync(String nameOrArn, byte[] payload) {
    byte[] event = eventOf(payload);
    checkPayload(event, MAX_ASYNC_PAYLOAD_BYTES, "Event"); // before the lookup, as in Lambda
    String name = requireRunnable(nameOrArn).config().name(); // retries look it up by this name
    return async.accept(name, event);
  }

  /**
   * Starts running the events the shared queue hands this node; call once the shared state is
   * followed, so that a function deployed through another node a moment ago is found.
   */
  public void startEvents() {
    async.startEvents();
  }

  /** An invocation without a payload gets the empty JSON object as its event, as in Lambda. */
  private static byte[] eventOf(byte[] payload) {
    return payload == null || payload.length == 0
        ? "{}".getBytes(StandardCharsets.US_ASCII)
        : payload;
  }

  private CompletableFuture<InvocationReport> run(Deployed d, Invocation inv) {
    return d.runner()
        .invoke(inv)
        .exceptionallyCompose(
            e -> {
              // the code was swapped between lookup and call: the new runner takes it
              Deployed now = functions.get(d.config().name());
              if (now != null && now.runner() != d.runner()) {
                return now.runner().invoke(inv);
              }
              if (now == null) { // deleted between lookup and call
                return CompletableFuture.failedFuture(
                    new FunctionException(
                        FunctionException.Kind.NOT_FOUND,
                        "Function not found: " + arn(d.config().name())));
              }
              return CompletableFuture.failedFuture(
                  e instanceof CompletionException ? e.getCause() : e);
            });
  }

  private Invoked logged(FunctionConfig config, String requestId, InvocationReport report) {
    String text = FunctionLogs.format(requestId, config, report);
    try {
      // an invocation that ends after its function was deleted must not open the function's log
      // again: its files are about to go, and the file would stay open for a later namesake
      if (functions.containsKey(config.name())) {
        logs.append(config.name(), text);
      }
    } catch (RuntimeException e) {
      LOG.warnf(e, "Cannot write the log of %s", config.name());
    }
    return new Invoked(requestId, report, text);
  }

  /** Sizes the unreserved pool to what the functions' reservations leave. */
  private void resizeUnreserved() {
    concurrency.resizeUnreserved(
        () ->
            functions.values().stream()
                .filter(f -> f.reserved() != null)
                .mapToInt(f -> Objects.requireNonNullElse(f.config().reservedConcurrency(), 0))
                .sum());
  }

  /** The concurrency the functions other than {@code name} reserve. */
  private int reservedByOthers(String name) {
    return functions.values().stream()
        .filter(f -> !f.config().name().equals(name))
        .mapToInt(f -> Objects.requireNonNullElse(f.config().reservedConcurrency(), 0))
        .sum();
  }

  /** Fails as TOO_LARGE when {@code payload} is over the limit of a synchronous invocation. */
  public static void checkPayload(byte[] payload) {
    checkPayload(payload, MAX_PAYLOAD_BYTES, "RequestResponse");
  }

  private static void checkPayload(byte[] payload, int max, String invocationType) {
    if (payload.length > max) {
      throw new FunctionException(
          FunctionException.Kind.TOO_LARGE,
          payload.length
              + " byte payload is too large for the "
              + invocationType
              + " invocation type (limit "
              + max
              + " bytes)");
    }
  }

  /**
   * Moves a function to {@code next}, with the new package {@code stored} or (null) its code as it
   * is. The new runner is made before anything is stored, so a change that cannot run here (a
   * runtime or isolation this node lacks) is refused and leaves the function as it was.
   */
  private FunctionConfig replace(
      Deployed old, FunctionConfig next, CodeStore.Stored stored, boolean conditional) {
    DeployedCode code = stored == null ? old.code() : stored.code();
    Runner runner;
    try {
      runner = runnerFor(next, code);
    } catch (RuntimeException e) {
      discard(stored);
      throw e;
    }
    try {
      if (shared != null) {
        stage(old, next, stored, runner, conditional);
        return next;
      }
      persist(next);
    } catch (RuntimeException e) {
      runner.close();
      if (!unknownOutcome(e)) {
        discard(stored);
      }
      throw e;
    }
    put(next, code, runner);
    retire(old);
    return next;
  }

  /**
   * Closes a replaced version's runner and, once it has stopped, removes its code package unless
   * the function runs that package again by then: an update loop kept every package on disk.
   */
  private void retire(Deployed old) {
    long since = System.nanoTime();
    old.runner().close();
    Path root = old.code().root();
    if (root.equals(functions.get(old.config().name()).code().root())) {
      return; // the same package
    }
    removeWhenStopped(old, since);
  }

  /**
   * Removes {@code old}'s package once its runner stopped (invocations in flight may still read
   * it), unless a function uses it by then or it was stored again since {@code since}; and the
   * function's directory when nothing of it is left. What a stop or crash cuts short is removed at
   * the next start ({@link #removeUnused}).
   */
  private void removeWhenStopped(Deployed old, long since) {
    Path root = old.code().root();
    String name = old.config().name();
    synchronized (this) {
      retiring.merge(root, 1, Integer::sum);
    }
    old.runner()
        .stopped()
        .thenRunAsync(
            () -> {
              synchronized (this) {
                retiring.computeIfPresent(root, (r, n) -> n == 1 ? null : n - 1);
                if (!inUse(root)) {
                  codes.deleteUnlessPlacedSince(old.code(), since);
                }
                if (!functions.containsKey(name)) {
                  codes.deleteIfEmpty(name);
                }
              }
            },
            async.executor());
  }

  /**
   * The functions with files in the functions directory: those deployed, and those deleted whose
   * package waits for invocations in flight before it is removed. A name differing from one of them
   * only by case would get its files, and lose them when they are removed.
   */
  private Set<String> namesOnDisk() {
    Set<String> names = new HashSet<>(functions.keySet());
    for (Path root : retiring.keySet()) {
      names.add(root.getParent().getParent().getFileName().toString()); // NAME/code/DIGEST
    }
    return names;
  }

  /** Removes the package of a refused update, unless the function runs it already. */
  private void discard(CodeStore.Stored stored) {
    if (stored != null && !inUse(stored.code().root())) {
      codes.delete(stored.code());
    }
  }

  /**
   * Whether a function runs the package at {@code root}, a replaced runner still may, or a change
   * under way (staged, its package or record still being shared) is to run it.
   */
  private boolean inUse(Path root) {
    return retiring.containsKey(root)
        || functions.values().stream().anyMatch(d -> d.holds(root))
        || staged.values().stream()
            .anyMatch(s -> s.code() != null && s.code().root().equals(root)); // null: a deletion
  }

  /** A runner of {@code config}; fails as an invalid parameter when it cannot run on this node. */
  private Runner runnerFor(FunctionConfig config, DeployedCode code) {
    if (!Files.isDirectory(code.root())) { // a Failed function's package, never read here
      throw FunctionException.invalid(
          "The function's code package is not on this node; update the function's code.");
    }
    RunnerFactory factory = factories.get(config.isolation());
    if (factory == null) {
      throw FunctionException.invalid(
          config.isolation() + " isolation is not available on this node.");
    }
    try {
      return factory.create(config, code);
    } catch (RuntimeUnavailableException e) {
      throw FunctionException.invalid(e.getMessage());
    }
  }

  private void put(FunctionConfig config, DeployedCode code, Runner runner) {
    functions.put(
        config.name(),
        new Deployed(
            config,
            code,
            runner,
            concurrency.limiter(config.name(), config.reservedConcurrency())));
    resizeUnreserved();
    if (!(runner instanceof UnrunnableRunner)) {
      async.runKept(config.name());
    }
  }

  /**
   * Runs a change. With shared state, first applies what other nodes changed up to now (a change
   * computed from a stale view loses in the shared order anyway), and returns only once the change
   * took effect there, one change of a function at a time on this node: the shared state's applier
   * takes the service's lock, so the wait is outside it.
   */
  private FunctionConfig change(String nameOrArn, Supplier<FunctionConfig> now) {
    if (shared == null) {
      return now.get();
    }
    String name = nameOf(Objects.requireNonNullElse(nameOrArn, ""));
    ReentrantLock lock = changeLocks.get(name, n -> new ReentrantLock());
    lock.lock();
    try {
      shared.awaitCurrent();
      FunctionConfig next = now.get();
      send(name);
      settle(name);
      return next;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Shares a change ({@code stored}: a new package; {@code runner}: one made for it, or null to
   * keep the running one); the shared state's applier installs it when the shared order accepts it.
   */
  private void stage(
      Deployed old,
      FunctionConfig next,
      CodeStore.Stored stored,
      Runner runner,
      boolean conditional) {
    String key = stored == null ? null : shared.packageKey(next.name(), stored.sha256());
    SharedFunctions.Proposal p = shared.propose(next, old == null, key);
    DeployedCode code = stored != null ? stored.code() : old.code();
    staged.put(next.name(), new Staged(p, runner, code, stored, conditional, System.nanoTime()));
  }

  /**
   * Shares the staged change: its package first, then its record. Not under the service's lock: a
   * package of up to 64 MB takes seconds to zip and write, and the shared state's applier, which
   * takes the lock, would stall meanwhile.
   */
  private void send(String name) {
    Staged s;
    synchronized (this) {
      s = staged.get(name);
    }
    if (s == null) {
      return;
    }
    SharedFunctions.Proposal p = s.proposal();
    boolean uploading = false;
    try {
      if (p.uploaded() != null) {
        byte[] zip = shared.pack(name, s.code());
        uploading = true;
        shared.upload(p.uploaded(), zip);
      }
      shared.write(p);
    } catch (RuntimeException e) {
      boolean unknown = unknownOutcome(e);
      shared.abandon(p);
      dropStaged(s, unknown);
      if (uploading && !unknown) {
        shared.removePackage(p.uploaded()); // it may have landed
      }
      if (!unknown && p.record().creation()) {
        forgetRefused(name);
      }
      throw e;
    }
  }

  /**
   * Removes the directories a refused creation left, unless the name exists here or another node's
   * creation of it placed a package there meanwhile (its own package went with {@link
   * #dropStaged}).
   */
  private synchronized void forgetRefused(String name) {
    if (!functions.containsKey(name)) {
      codes.deleteIfEmpty(name);
    }
  }

  /** Whether {@code e} leaves a shared change's outcome open: its packages must stay. */
  private static boolean unknownOutcome(RuntimeException e) {
    return e instanceof FunctionException f && f.kind() == FunctionException.Kind.SERVICE;
  }

  /**
   * Waits for the staged change's outcome: a loser's package goes and the caller learns why, as
   * from Lambda; a winner's replaced package goes. When the outcome stays unknown, the packages
   * stay, for the change may still take effect.
   */
  private void settle(String name) {
    Staged s;
    synchronized (this) {
      s = staged.get(name);
    }
    if (s == null) {
      return;
    }
    SharedFunctions.Outcome outcome;
    try {
      outcome = shared.await(s.proposal());
    } catch (RuntimeException e) {
      dropStaged(s, true);
      throw e;
    }
    dropStaged(s, outcome.accepted());
    if (!outcome.accepted()) {
      throw lost(s, outcome); // its shared package goes once the winner is last again
    }
    SharedFunctions.Versioned record = s.proposal().record();
    String replaced = outcome.replacedPackage();
    if (replaced != null && !replaced.equals(record.packageKey())) {
      shared.removePackage(replaced);
    }
  }

  /**
   * Closes the staged runner if the applier did not take it, and removes the package this change
   * stored unless {@code keepPackage} or a function runs it.
   */
  private synchronized void dropStaged(Staged s, boolean keepPackage) {
    String name = s.proposal().name();
    Staged current = staged.get(name);
    if (current == null || current.proposal() != s.proposal()) {
      return;
    }
    staged.remove(name);
    if (current.runner() != null) {
      current.runner().close();
    }
    CodeStore.Stored stored = current.stored();
    // another node's change may have placed the same package since: it may be about to run it
    if (!keepPackage && stored != null && !inUse(stored.code().root())) {
      codes.deleteUnlessPlacedSince(stored.code(), current.since());
    }
  }

  private FunctionException lost(Staged s, SharedFunctions.Outcome outcome) {
    SharedFunctions.Proposal p = s.proposal();
    if (p.record().creation()) {
      return new FunctionException(
          FunctionException.Kind.CONFLICT, "Function already exist: " + p.name());
    }
    if (outcome.gone()) {
      return new FunctionException(
          FunctionException.Kind.NOT_FOUND, "Function not found: " + arn(p.name()));
    }
    if (s.conditional()) {
      return new FunctionException(
          FunctionException.Kind.PRECONDITION_FAILED,
          "The Revision Id provided does not match the latest Revision Id. Call the"
              + " GetFunction/GetAlias API to retrieve the latest Revision Id");
    }
    return new FunctionException(
        FunctionException.Kind.CONFLICT,
        "The operation cannot be performed at this time. An update is in progress for resource: "
            + arn(p.name()));
  }

  /** Stores a configuration in the data directory. */
  private void persist(FunctionConfig config) {
    try {
      AtomicFiles.write(definitionOf(config.name()), mapper.writeValueAsBytes(config));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Where function {@code name}'s definition is kept with file storage. */
  private Path definitionOf(String name) {
    return dir.resolve(name).resolve("function.json");
  }

  private Deployed require(String nameOrArn) {
    Deployed d = functions.get(nameOf(nameOrArn));
    if (d == null) {
      throw new FunctionException(
          FunctionException.Kind.NOT_FOUND, "Function not found: " + arn(nameOf(nameOrArn)));
    }
    return d;
  }

  /** A daemon thread named {@code name}: none of the service's threads holds the JVM up. */
  static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /**
   * Installs a function read from the shared state or the data directory. One that cannot run here
   * (a runtime or isolation this node lacks, or a package this node does not hold) is logged and
   * kept in Lambda's Failed state, so that it can still be changed or deleted through this node:
   * left out, it vanished from this node's lists while its name stayed taken.
   */
  private void installQuietly(FunctionConfig config) {
    DeployedCode code;
    Runner runner;
    try {
      code = codes.existing(config.name(), config.codeSha256());
    } catch (FunctionException e) {
      LOG.errorf("Function %s cannot run on this node: %s", config.name(), e.getMessage());
      code = codes.placeOf(config.name(), config.codeSha256());
      put(config, code, new UnrunnableRunner(new Unrunnable(LOST_PACKAGE, missing(config))));
      return;
    }
    try {
      runner = runnerFor(config, code);
    } catch (FunctionException e) {
      LOG.errorf("Function %s cannot run on this node: %s", config.name(), e.getMessage());
      String reasonCode =
          factories.containsKey(config.isolation()) ? "InvalidRuntime" : "InvalidConfiguration";
      runner = new UnrunnableRunner(new Unrunnable(reasonCode, e.getMessage()));
    }
    put(config, code, runner);
  }

  private static String missing(FunctionConfig config) {
    return "The function's code package (CodeSha256 "
        + config.codeSha256()
        + ") cannot be read on this node. Update the function's code to deploy it again.";
  }

  /** What the asynchronous invocations see of the functions. */
  private final class AsyncAccess implements AsyncInvocations.Functions {

    @Override
    public CompletableFuture<Invoked> start(String name, byte[] payload, String requestId) {
      return FunctionService.this.start(require(name), name, payload, null, null, requestId);
    }

    @Override
    public boolean deployed(String name) {
      return functions.containsKey(name);
    }

    @Override
    public boolean runsHere(String name) {
      return FunctionService.this.runsHere(name);
    }

    @Override
    public boolean shared(String name) {
      return shared.has(name);
    }

    @Override
    public boolean viewCurrent() {
      return shared.awaitCurrent();
    }

    @Override
    public boolean definedOnDisk(String name) {
      return Files.exists(definitionOf(name));
    }
  }

  /** Applies what takes effect in the shared order, this node's own changes included. */
  private final class SharedChanges implements SharedFunctions.Applier {

    @Override
    public void show(FunctionConfig config, boolean own, long version) {
      Deployed old = functions.get(config.name());
      Staged s = staged.get(config.name());
      if (own && s != null && s.runner() != null && s.proposal().version() == version) {
        // taken: the writer's settle finds no runner to drop
        staged.put(config.name(), s.taken());
        put(config, s.code(), s.runner());
        if (old != null) {
          retire(old);
        }
        return;
      }
      if (old != null && old.config().equals(config)) {
        return;
      }
      if (old != null && old.config().runsAs(config)) {
        // tags or reserved concurrency only: the instances stay warm
        ReservedLimit reserved =
            Objects.equals(old.config().reservedConcurrency(), config.reservedConcurrency())
                ? old.reserved()
                : concurrency.limiter(config.name(), config.reservedConcurrency());
        functions.put(config.name(), new Deployed(config, old.code(), old.runner(), reserved));
        resizeUnreserved();
        return;
      }
      installQuietly(config);
      if (old != null) {
        retire(old);
      }
    }

    @Override
    public void drop(String name) {
      Deployed d = functions.get(name);
      if (d != null) {
        forget(d);
      }
    }
  }

  /**
   * With shared state, fails the changes still awaiting their outcome and stops writing winners
   * again: call before closing the shared state, whose applier would no longer settle them.
   */
  public void closeShared() {
    if (shared != null) {
      shared.close();
    }
  }

  /** Stops every runner and the service's threads. */
  @Override
  public void close() {
    closeShared();
    functions.values().forEach(d -> d.runner().close());
    async.close();
    try {
      logThread.execute(logs::close);
    } catch (RejectedExecutionException e) {
      // closed before
    }
    logThread.shutdown();
    // the log files are closed when this returns: the log thread may still be writing results of
    // invocations that ended just before, and whoever deletes the data directory next would race it
    awaitTermination(logThread, "function log");
  }

  /** Waits for a stopped thread of the service ({@code what} names it) to finish, 10 s at most. */
  static void awaitTermination(ExecutorService thread, String what) {
    try {
      if (!thread.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
        LOG.warnf("The %s thread did not finish within %d s", what, CLOSE_WAIT_SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
