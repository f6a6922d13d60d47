package dev.sluice.bench.kinesis;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * Reads every shard from TRIM_HORIZON with GetRecords (Limit 10,000), all shards in parallel, until
 * each is caught up (an empty answer 0 ms behind the latest record) or the time bound passes.
 */
final class GetPhase {

  static final int LIMIT = 10_000;

  /**
   * What the read saw.
   *
   * @param records records read
   * @param bytes payload bytes read
   * @param calls GetRecords calls made
   * @param seconds from the first GetShardIterator until the last shard was caught up
   * @param latencies latencies of the GetRecords calls
   * @param caughtUp whether every shard was read to its end within the bound
   */
  record Result(
      long records, long bytes, long calls, double seconds, Latencies latencies, boolean caughtUp) {

    double recordsPerSecond() {
      return records / seconds;
    }
  }

  private final KinesisAsyncClient client;
  private final BenchStream stream;

  GetPhase(KinesisAsyncClient client, BenchStream stream) {
    this.client = client;
    this.stream = stream;
  }

  /**
   * Reads all shards from the start, for at most {@code timeoutSeconds}; {@code cpu} is started and
   * stopped around the read.
   */
  Result run(int timeoutSeconds, CpuWatch cpu) throws InterruptedException {
    List<String> shards = stream.shardIds();
    ExecutorService pool = Executors.newFixedThreadPool(shards.size());
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    cpu.start();
    List<ShardRead> reads = new ArrayList<>();
    List<Future<?>> running = new ArrayList<>();
    for (String shard : shards) {
      ShardRead read = new ShardRead(shard, deadline);
      reads.add(read);
      running.add(pool.submit(read::run));
    }
    try {
      for (Future<?> f : running) {
        long left = deadline - System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        f.get(Math.max(1, left), TimeUnit.NANOSECONDS);
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("reading a shard failed", e);
    } finally {
      pool.shutdownNow();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    cpu.stop();
    long records = reads.stream().mapToLong(r -> r.records).sum();
    long bytes = reads.stream().mapToLong(r -> r.bytes).sum();
    long calls = reads.stream().mapToLong(r -> r.calls).sum();
    boolean caughtUp = reads.stream().allMatch(r -> r.caughtUp);
    Latencies all = Latencies.merge(reads.stream().map(r -> r.latencies).toList());
    return new Result(records, bytes, calls, seconds, all, caughtUp);
  }

  /** Reads one shard to its end. */
  private final class ShardRead {
    final String shard;
    final long deadline;
    final Latencies latencies = new Latencies();
    long records;
    long bytes;
    long calls;
    boolean caughtUp;

    ShardRead(String shard, long deadline) {
      this.shard = shard;
      this.deadline = deadline;
    }

    void run() {
      String iterator =
          BenchStream.await(
                  client.getShardIterator(
                      r ->
                          r.streamName(stream.name())
                              .shardId(shard)
                              .shardIteratorType(ShardIteratorType.TRIM_HORIZON)))
              .shardIterator();
      while (iterator != null && System.nanoTime() < deadline) {
        String it = iterator;
        long t0 = System.nanoTime();
        GetRecordsResponse r =
            BenchStream.await(client.getRecords(b -> b.shardIterator(it).limit(LIMIT)));
        latencies.add(System.nanoTime() - t0);
        calls++;
        records += r.records().size();
        for (Record rec : r.records()) {
          bytes += rec.data().asByteArrayUnsafe().length;
        }
        iterator = r.nextShardIterator();
        boolean atEnd = r.records().isEmpty() && zero(r.millisBehindLatest());
        if (iterator == null || atEnd) {
          caughtUp = true;
          return;
        }
      }
    }

    private static boolean zero(Long millisBehind) {
      return millisBehind == null || millisBehind == 0;
    }
  }
}
