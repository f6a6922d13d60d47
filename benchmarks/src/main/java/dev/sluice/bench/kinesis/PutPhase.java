package dev.sluice.bench.kinesis;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;

/**
 * Keeps {@code concurrency} PutRecords calls in flight for a warm-up and then a measured interval.
 * A call counts towards throughput and latency when it completes inside the measured interval.
 */
final class PutPhase {

  static final long CALL_TIMEOUT_SECONDS = 60;

  /**
   * What the measured interval saw.
   *
   * @param records records written by calls completed in the interval
   * @param calls calls completed in the interval
   * @param failedRecords records the server refused in those calls
   * @param failedCalls calls that failed as a whole, over the whole phase
   * @param seconds length of the interval
   * @param latencies latencies of successful calls in the interval
   * @param written records written over the whole phase, warm-up included
   * @param firstError the first call failure, or null
   */
  record Result(
      long records,
      long calls,
      long failedRecords,
      long failedCalls,
      double seconds,
      Latencies latencies,
      long written,
      String firstError) {

    double recordsPerSecond() {
      return records / seconds;
    }
  }

  private final KinesisAsyncClient client;
  private final LoadOptions options;
  private final String stream;

  PutPhase(KinesisAsyncClient client, LoadOptions options, String stream) {
    this.client = client;
    this.options = options;
    this.stream = stream;
  }

  /** Runs the phase; {@code cpu} is started and stopped around the measured interval. */
  Result run(CpuWatch cpu) throws InterruptedException {
    long from = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.warmupSeconds());
    long to = from + TimeUnit.SECONDS.toNanos(options.durationSeconds());
    ExecutorService pool =
        Executors.newFixedThreadPool(
            options.concurrency(),
            r -> {
              Thread t = new Thread(r, "put-lane");
              t.setDaemon(true);
              return t;
            });
    List<Lane> lanes = new ArrayList<>();
    List<Future<?>> running = new ArrayList<>();
    for (int i = 0; i < options.concurrency(); i++) {
      Lane lane = new Lane(request(i), from, to);
      lanes.add(lane);
      running.add(pool.submit(lane::run));
    }
    try {
      sleepUntil(from);
      cpu.start();
      sleepUntil(to);
      cpu.stop();
      long waitUntil = to + TimeUnit.SECONDS.toNanos(CALL_TIMEOUT_SECONDS + 30);
      for (Future<?> f : running) {
        f.get(Math.max(1, waitUntil - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("a PutRecords lane did not finish", e);
    } finally {
      pool.shutdownNow();
    }
    return result(lanes, (to - from) / 1e9);
  }

  private Result result(List<Lane> lanes, double seconds) {
    long records = 0;
    long calls = 0;
    long failedRecords = 0;
    long failedCalls = 0;
    long written = 0;
    String firstError = null;
    for (Lane l : lanes) {
      records += l.records;
      calls += l.calls;
      failedRecords += l.failedRecords;
      failedCalls += l.failedCalls;
      written += l.written;
      firstError = firstError != null ? firstError : l.firstError;
    }
    Latencies all = Latencies.merge(lanes.stream().map(l -> l.latencies).toList());
    return new Result(
        records, calls, failedRecords, failedCalls, seconds, all, written, firstError);
  }

  private PutRecordsRequest request(int lane) {
    SplittableRandom random = new SplittableRandom(lane);
    List<PutRecordsRequestEntry> entries = new ArrayList<>(options.batchRecords());
    for (int i = 0; i < options.batchRecords(); i++) {
      byte[] data = new byte[options.recordBytes()];
      random.nextBytes(data);
      entries.add(
          PutRecordsRequestEntry.builder()
              .partitionKey(Long.toHexString(random.nextLong()))
              .data(SdkBytes.fromByteArrayUnsafe(data))
              .build());
    }
    return PutRecordsRequest.builder().streamName(stream).records(entries).build();
  }

  /** One in-flight slot: sends its request again as soon as the previous call completed. */
  private final class Lane {
    final PutRecordsRequest request;
    final long from;
    final long to;
    final Latencies latencies = new Latencies();
    long records;
    long calls;
    long failedRecords;
    long failedCalls;
    long written;
    String firstError;

    Lane(PutRecordsRequest request, long from, long to) {
      this.request = request;
      this.from = from;
      this.to = to;
    }

    void run() {
      long start;
      while ((start = System.nanoTime()) < to && !Thread.currentThread().isInterrupted()) {
        try {
          PutRecordsResponse r =
              client.putRecords(request).get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
          long end = System.nanoTime();
          int failed = r.failedRecordCount() == null ? 0 : r.failedRecordCount();
          written += r.records().size() - failed;
          if (end >= from && end <= to) {
            calls++;
            records += r.records().size() - failed;
            failedRecords += failed;
            latencies.add(end - start);
          }
        } catch (ExecutionException | TimeoutException e) {
          failedCalls++;
          if (firstError == null) {
            firstError = String.valueOf(e instanceof ExecutionException ? e.getCause() : e);
          }
          pause();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    private void pause() {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }
}
