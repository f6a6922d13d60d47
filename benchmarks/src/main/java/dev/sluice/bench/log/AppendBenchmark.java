package dev.sluice.bench.log;

import dev.sluice.bench.TempDirs;
import dev.sluice.log.AppendResult;
import dev.sluice.log.LogListener;
import dev.sluice.log.NewRecord;
import dev.sluice.log.ShardRef;
import dev.sluice.log.file.FileLogEngine;
import dev.sluice.log.file.FileLogOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Durable appends to the embedded {@link FileLogEngine}: several JMH threads each append to their
 * own shard and wait for the future, i.e. until the append is fsynced. Concurrent appends share the
 * writer's group-committed syncs, which is what this measures.
 *
 * <p>Scores are records per second: {@link #appendBatch} counts {@value #BATCH_RECORDS} operations
 * per call, {@link #appendSingle} one. Each iteration gets a fresh engine in a fresh directory
 * (deleted afterwards), so a long run does not fill the disk; see {@link TempDirs} for where.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(4)
public class AppendBenchmark {

  /** Records per append in {@link #appendBatch}. */
  public static final int BATCH_RECORDS = 500;

  private static final String STREAM = "bench";

  /** Payload bytes per record. */
  @Param("100")
  public int recordBytes;

  /** Shards appended to; thread {@code i} appends to shard {@code i % shards}. */
  @Param("4")
  public int shards;

  /** Writer threads of the engine (its default is 1: one group commit for all shards). */
  @Param("1")
  public int writerThreads;

  private final AtomicInteger nextProducer = new AtomicInteger();
  private Path dir;
  private FileLogEngine engine;

  /** Starts a fresh engine with {@link #shards} empty shards. */
  @Setup(Level.Iteration)
  public void openEngine() {
    dir = TempDirs.create("sluice-append-");
    FileLogOptions options = FileLogOptions.defaults().withThreads(writerThreads, 1);
    engine = new FileLogEngine(dir, options, Clock.systemUTC(), LogListener.NONE);
    engine.start();
    List<CompletableFuture<Void>> created = new ArrayList<>();
    for (int i = 0; i < shards; i++) {
      created.add(engine.createShard(shard(i)));
    }
    created.forEach(CompletableFuture::join);
  }

  /** Closes the engine and deletes its files. */
  @TearDown(Level.Iteration)
  public void closeEngine() {
    engine.close();
    TempDirs.delete(dir);
  }

  static ShardRef shard(int i) {
    return new ShardRef(STREAM, String.format("shardId-%012d", i));
  }

  /** One producing thread: its shard and the records it appends again and again. */
  @State(Scope.Thread)
  public static class Producer {
    ShardRef shard;
    List<NewRecord> batch;
    List<NewRecord> single;

    /** Picks the thread's shard and builds random records. */
    @Setup(Level.Trial)
    public void prepare(AppendBenchmark bench) {
      int n = bench.nextProducer.getAndIncrement();
      shard = shard(n % bench.shards);
      SplittableRandom random = new SplittableRandom(n);
      batch = records(random, BATCH_RECORDS, bench.recordBytes);
      single = records(random, 1, bench.recordBytes);
    }

    private static List<NewRecord> records(SplittableRandom random, int count, int bytes) {
      List<NewRecord> records = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        byte[] data = new byte[bytes];
        random.nextBytes(data);
        records.add(new NewRecord("pk-" + i, data));
      }
      return List.copyOf(records);
    }
  }

  /** Appends {@value #BATCH_RECORDS} records and waits until they are durable. */
  @Benchmark
  @OperationsPerInvocation(BATCH_RECORDS)
  public AppendResult appendBatch(Producer p) {
    return engine.append(p.shard, p.batch).join();
  }

  /** Appends one record and waits until it is durable (for reference: sync-bound). */
  @Benchmark
  public AppendResult appendSingle(Producer p) {
    return engine.append(p.shard, p.single).join();
  }
}
