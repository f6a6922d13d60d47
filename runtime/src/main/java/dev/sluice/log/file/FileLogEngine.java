package dev.sluice.log.file;

import dev.sluice.files.AtomicFiles;
import dev.sluice.log.AppendResult;
import dev.sluice.log.LogBusyException;
import dev.sluice.log.LogEngine;
import dev.sluice.log.LogException;
import dev.sluice.log.LogListener;
import dev.sluice.log.NewRecord;
import dev.sluice.log.ReadResult;
import dev.sluice.log.ShardNotFoundException;
import dev.sluice.log.ShardOffsets;
import dev.sluice.log.ShardRef;
import dev.sluice.log.ShardSealedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The embedded {@link LogEngine}: each shard is a directory of segment files on local disk (see
 * {@code Segment} for the file format).
 *
 * <p>Threads: appends, seals, trims, creations and deletions of a shard run on one of {@code
 * writerThreads} writer threads, chosen by hashing the shard, which group-commit appends (see
 * {@code LogWriter}). Reads and timestamp lookups run on {@code readerThreads} reader threads named
 * {@code sluice-log-reader-N}. Futures complete on these threads, so callers should not run
 * blocking or lengthy work in non-async stages chained to them.
 */
public final class FileLogEngine implements LogEngine {

  private enum State {
    NEW,
    RUNNING,
    CLOSED
  }

  private static final System.Logger LOG = System.getLogger(FileLogEngine.class.getName());
  private static final String READER_THREAD = "sluice-log-reader-";
  private static final String WRITER_THREAD = "sluice-log-writer-";

  private final Path directory;
  private final EngineContext ctx;
  private final ReadPositions positions = new ReadPositions();
  private final ShardReader reader;
  private final ConcurrentHashMap<ShardRef, ShardLog> logs = new ConcurrentHashMap<>();
  private final LogWriter[] writers;
  private final ExecutorService readers;
  private volatile State state = State.NEW;

  /**
   * An engine keeping its shards below {@code directory}; nothing happens on disk before {@link
   * #start}.
   */
  public FileLogEngine(Path directory, FileLogOptions options, Clock clock, LogListener listener) {
    this(directory, options, clock, listener, ChannelOpener.DEFAULT);
  }

  FileLogEngine(
      Path directory,
      FileLogOptions options,
      Clock clock,
      LogListener listener,
      ChannelOpener opener) {
    this.directory = directory.toAbsolutePath().normalize();
    HotBatches hot = new HotBatches(options.hotCacheBytes());
    this.ctx =
        new EngineContext(this.directory, options, clock, listener, hot, opener, new Object());
    this.reader = new ShardReader(hot, positions);
    this.writers = new LogWriter[options.writerThreads()];
    for (int i = 0; i < writers.length; i++) {
      writers[i] = new LogWriter(WRITER_THREAD + i);
    }
    this.readers = Executors.newFixedThreadPool(options.readerThreads(), readerThreads());
  }

  private static ThreadFactory readerThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, READER_THREAD + n.getAndIncrement());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Opens every shard found below the directory, recovering torn writes, then starts threads. A
   * shard that cannot be opened (a corrupt segment, say) is logged and kept as unusable: its
   * operations fail with the cause, while the other shards work.
   */
  @Override
  public synchronized void start() {
    if (state != State.NEW) {
      throw new LogException("engine was started already");
    }
    try {
      // its entry in the data directory is synced too: a crash must not take the whole log away
      AtomicFiles.createDirectories(directory);
      openShards();
    } catch (IOException e) {
      logs.values().forEach(ShardLog::close);
      throw new LogException("cannot open log directory " + directory, e);
    } catch (RuntimeException e) {
      logs.values().forEach(ShardLog::close);
      throw e;
    }
    for (LogWriter w : writers) {
      w.start();
    }
    state = State.RUNNING;
  }

  private void openShards() throws IOException {
    try (Stream<Path> streams = Files.list(directory)) {
      for (Path streamDir : streams.filter(Files::isDirectory).toList()) {
        openStream(streamDir);
      }
    }
  }

  private void openStream(Path streamDir) throws IOException {
    try (Stream<Path> shards = Files.list(streamDir)) {
      for (Path shardDir : shards.toList()) {
        ShardRef ref = LogLayout.shardOf(streamDir, shardDir);
        if (ref != null) {
          logs.put(ref, openShard(ref, shardDir));
        }
      }
    }
  }

  /**
   * Opens one shard; one that fails is kept as unusable, so that a damaged shard neither keeps the
   * node from starting nor takes the other shards down with it.
   */
  private ShardLog openShard(ShardRef ref, Path shardDir) {
    ShardLog log = new ShardLog(ref, shardDir, ctx);
    try {
      log.open();
    } catch (IOException | RuntimeException e) {
      // the exception, printed with the message, names the file and the position
      LOG.log(
          System.Logger.Level.ERROR,
          "shard " + ref + " cannot be opened; its appends and reads fail until it is deleted",
          e);
      log.markUnusable(e);
    }
    return log;
  }

  @Override
  public Set<ShardRef> shards() {
    checkRunning();
    return Set.copyOf(logs.keySet());
  }

  @Override
  public CompletableFuture<Void> createShard(ShardRef shard) {
    try {
      checkRunning();
      Path dir = LogLayout.shardDir(directory, shard);
      ShardLog fresh = new ShardLog(shard, dir, ctx);
      ShardLog existing = logs.putIfAbsent(shard, fresh);
      if (existing != null) {
        return existing.ready().copy();
      }
      onWriter(
              shard,
              () -> {
                fresh.create();
                return null;
              })
          .whenComplete(
              (v, e) -> {
                if (e != null) {
                  logs.remove(shard, fresh);
                  fresh.ready().completeExceptionally(e);
                }
              });
      return fresh.ready().copy();
    } catch (LogException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<AppendResult> append(ShardRef shard, List<NewRecord> records) {
    try {
      ShardLog log = log(shard);
      ShardOffsets o = log.offsets();
      if (o.sealed()) {
        throw new ShardSealedException(shard);
      }
      if (records.isEmpty()) {
        long arrival = Math.max(ctx.clock().millis(), o.lastArrivalMillis());
        return CompletableFuture.completedFuture(new AppendResult(o.endOffset(), 0, arrival));
      }
      List<NewRecord> copy = List.copyOf(records);
      AppendTask task = new AppendTask(log, BatchFormat.encode(copy), copy);
      LogWriter writer = writerFor(shard);
      if (!writer.admit(task.bytes())) {
        throw new LogBusyException(shard, writer.queuedBytes());
      }
      if (!writer.submit(task)) {
        writer.release(task.bytes());
        throw closed();
      }
      return task.future;
    } catch (LogException e) {
      return CompletableFuture.failedFuture(e);
    } catch (NullPointerException e) {
      return CompletableFuture.failedFuture(new LogException("null record in append", e));
    }
  }

  @Override
  public CompletableFuture<ReadResult> read(
      ShardRef shard, long fromOffset, int maxRecords, long maxBytes) {
    return onReader(shard, log -> reader.read(log, fromOffset, maxRecords, maxBytes));
  }

  @Override
  public CompletableFuture<Long> offsetForTimestamp(ShardRef shard, long timestampMillis) {
    return onReader(shard, log -> reader.offsetForTimestamp(log, timestampMillis));
  }

  @Override
  public ShardOffsets offsets(ShardRef shard) {
    return log(shard).offsets();
  }

  @Override
  public CompletableFuture<Long> seal(ShardRef shard) {
    return onShardWriter(shard, ShardLog::seal);
  }

  @Override
  public CompletableFuture<Long> trim(ShardRef shard, long cutoffMillis) {
    return onShardWriter(shard, log -> log.trim(cutoffMillis));
  }

  @Override
  public CompletableFuture<Void> deleteShard(ShardRef shard) {
    try {
      checkRunning();
      ShardLog log = logs.remove(shard);
      if (log == null) {
        throw new ShardNotFoundException(shard);
      }
      return onWriter(
          shard,
          () -> {
            log.delete();
            return null;
          });
    } catch (LogException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Finishes queued appends durably, syncs and closes every file and stops the threads. */
  @Override
  public synchronized void close() {
    if (state == State.CLOSED) {
      return;
    }
    boolean wasRunning = state == State.RUNNING;
    state = State.CLOSED;
    if (wasRunning) {
      for (LogWriter w : writers) {
        w.stop();
      }
    }
    readers.shutdown();
    try {
      if (!readers.awaitTermination(30, TimeUnit.SECONDS)) {
        throw new LogException("reads did not finish within 30 seconds");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      logs.values().forEach(ShardLog::close);
      logs.clear();
      ctx.hot().clear();
      positions.clear();
    }
  }

  // ---- plumbing ----

  @FunctionalInterface
  private interface ShardAction<T> {
    T run(ShardLog log) throws IOException;
  }

  private <T> CompletableFuture<T> onShardWriter(ShardRef shard, ShardAction<T> action) {
    try {
      ShardLog log = log(shard);
      return onWriter(shard, () -> action.run(log));
    } catch (LogException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private <T> CompletableFuture<T> onWriter(ShardRef shard, ControlTask.Action<T> action) {
    ControlTask<T> task = new ControlTask<>(action);
    if (!writerFor(shard).submit(task)) {
      task.fail(closed());
    }
    return task.future;
  }

  private <T> CompletableFuture<T> onReader(ShardRef shard, ShardAction<T> action) {
    try {
      ShardLog log = log(shard);
      ControlTask<T> task = new ControlTask<>(() -> action.run(log));
      readers.execute(task);
      return task.future;
    } catch (LogException e) {
      return CompletableFuture.failedFuture(e);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(closed());
    }
  }

  private ShardLog log(ShardRef shard) {
    checkRunning();
    ShardLog log = logs.get(shard);
    if (log == null) {
      throw new ShardNotFoundException(shard);
    }
    return log;
  }

  private LogWriter writerFor(ShardRef shard) {
    int h = shard.hashCode();
    return writers[Math.floorMod(h ^ (h >>> 16), writers.length)];
  }

  private void checkRunning() {
    if (state != State.RUNNING) {
      throw state == State.NEW ? new LogException("engine not started") : closed();
    }
  }

  private static LogException closed() {
    return new LogException("engine is closed");
  }

  /** The reader pool, for tests that need to hold it up. */
  ExecutorService readerPool() {
    return readers;
  }
}
