package dev.sluice.bench.kinesis;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * Load generator for the Kinesis API through the AWS SDK v2: spawns a server (or targets {@code
 * --endpoint}), creates a fresh stream, measures PutRecords throughput and latency with a fixed
 * number of calls in flight, then reads everything back with GetRecords and measures that.
 */
public final class KinesisLoad {

  private static final long PUT_TARGET = 300_000;
  private static final long GET_TARGET = 500_000;

  private KinesisLoad() {}

  /** Runs the load; see {@link LoadOptions#USAGE} for the arguments. */
  public static void main(String[] args) {
    LoadOptions options;
    try {
      options = LoadOptions.parse(args);
    } catch (LoadOptions.HelpRequested e) {
      System.out.print(LoadOptions.USAGE);
      return;
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.print(LoadOptions.USAGE);
      System.exit(2);
      return;
    }
    int status = 0;
    try {
      run(options);
    } catch (Exception e) {
      e.printStackTrace();
      status = 1;
    }
    // The SDK's Netty threads may linger for a moment; nothing is left to wait for.
    System.exit(status);
  }

  private static void run(LoadOptions o) throws InterruptedException {
    ServerProcess server = null;
    try {
      URI endpoint = o.endpoint();
      Supplier<Optional<Duration>> serverCpu = Optional::empty;
      if (endpoint == null) {
        System.out.println("starting server from " + o.jar());
        server = ServerProcess.start(o.jar(), o.serverOpts(), o.keepData());
        endpoint = server.endpoint();
        serverCpu = server::cpuTime;
      }
      System.out.printf(
          "endpoint %s, %s over %s, %d shards, %d calls in flight, %d x %d-byte records per"
              + " call, %d s warm-up + %d s measured%n",
          endpoint,
          o.json() ? "JSON" : "CBOR",
          o.http2() ? "HTTP/2" : "HTTP/1.1",
          o.shards(),
          o.concurrency(),
          o.batchRecords(),
          o.recordBytes(),
          o.warmupSeconds(),
          o.durationSeconds());
      try (KinesisAsyncClient client =
          Clients.kinesis(endpoint, o.concurrency(), o.json(), o.http2())) {
        measure(client, o, new CpuWatch(serverCpu));
      }
    } catch (RuntimeException e) {
      System.err.println("load run failed: " + e);
      if (server != null) {
        System.err.println("server log tail:\n" + server.logTail());
      }
      throw e;
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  private static void measure(KinesisAsyncClient client, LoadOptions o, CpuWatch cpu)
      throws InterruptedException {
    String name = "sluice-bench-" + System.currentTimeMillis();
    BenchStream stream = BenchStream.create(client, name, o.shards());
    try {
      PutPhase.Result put = new PutPhase(client, o, name).run(cpu);
      printPut(o, put, cpu.report());
      GetPhase reads = new GetPhase(client, stream);
      if (o.readWarmupSeconds() > 0) {
        GetPhase.Result warm = reads.run(o.readWarmupSeconds(), new CpuWatch(Optional::empty));
        System.out.printf(
            "GetRecords warm-up: %,d records in %.1f s (not counted)%n",
            warm.records(), warm.seconds());
      }
      GetPhase.Result get = reads.run(o.readTimeoutSeconds(), cpu);
      printGet(get, put.written(), cpu.report());
    } finally {
      stream.delete();
    }
  }

  private static void printPut(LoadOptions o, PutPhase.Result r, String cpu) {
    System.out.printf(
        "PutRecords: %,.0f records/s (target >= %,d), %,.0f calls/s, %.1f MB/s of payload%n",
        r.recordsPerSecond(),
        PUT_TARGET,
        r.calls() / r.seconds(),
        r.recordsPerSecond() * o.recordBytes() / 1e6);
    System.out.printf(
        "  latency per call: %s (%,d calls in %.1f s)%n",
        r.latencies().summary(), r.calls(), r.seconds());
    System.out.printf(
        "  failed records %,d, failed calls %,d; CPU %s%n",
        r.failedRecords(), r.failedCalls(), cpu);
    if (r.firstError() != null) {
      System.out.println("  first failure: " + r.firstError());
    }
  }

  private static void printGet(GetPhase.Result r, long written, String cpu) {
    System.out.printf(
        "GetRecords: %,.0f records/s (target >= %,d), %.1f MB/s of payload%n",
        r.recordsPerSecond(), GET_TARGET, r.bytes() / r.seconds() / 1e6);
    System.out.printf(
        "  %,d of %,d written records in %.1f s, %,d calls, latency per call: %s%n",
        r.records(), written, r.seconds(), r.calls(), r.latencies().summary());
    System.out.printf("  CPU %s%n", cpu);
    if (!r.caughtUp() || r.records() != written) {
      System.out.println("  WARNING: did not read back exactly what was written");
    }
  }
}
