package dev.sluice.bench.mapper;

import dev.sluice.bench.kinesis.BenchStream;
import dev.sluice.bench.kinesis.Clients;
import dev.sluice.bench.kinesis.ServerProcess;
import dev.sluice.bench.mapper.handlers.LatencyHandler;
import dev.sluice.bench.mapper.handlers.NoopHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/**
 * Event-source mapping benchmarks against a real server (spawned, or {@code --endpoint}), with
 * handlers deployed from this jar through the local-path extension:
 *
 * <ul>
 *   <li>{@code latency}: a paced producer (single-record PutRecord), 4 shards, BatchSize 100, no
 *       batching window; latency from just before the put (and from its ack) to the handler's
 *       invocation, both as wall-clock microseconds.
 *   <li>{@code throughput}: pre-loads 8 shards, then a TRIM_HORIZON mapping with BatchSize 1,000 to
 *       a no-op handler; records/s until everything is processed.
 *   <li>{@code idle}: 10 streams x 100 shards with 2 mappings each and no traffic; the server's CPU
 *       and heap.
 * </ul>
 */
public final class MapperBench {

  private static final String USAGE =
      """
      usage: mapper [latency|throughput|idle|all] [options]
        common:     --jar PATH  --endpoint URL  --server-pid PID (with --endpoint, for idle)
                    --server-opt OPT (repeatable)  --keep-data
        latency:    --rate N (1000 records/s)  --warmup S (10)  --duration S (30)  --shards N (4)
                    --batch-size N (100)
        throughput: --records N (2000000)  --record-bytes N (100)  --shards N (8)
                    --batch-size N (1000)  --concurrency N (16)  --timeout S (300)  --no-warmup
        idle:       --streams N (10)  --shards-per-stream N (100)  --mappings-per-stream N (2)
                    --settle S (20)  --idle-seconds S (30)
      """;

  private MapperBench() {}

  /** Entry point: {@code mapper SCENARIO [options]}. */
  public static void main(String[] args) {
    Options o;
    try {
      o = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.print(USAGE);
      System.exit(2);
      return;
    }
    if (o == null) {
      System.out.print(USAGE);
      return;
    }
    int status = 0;
    try {
      for (String s : o.scenarios) {
        run(s, o);
      }
    } catch (Exception e) {
      e.printStackTrace();
      status = 1;
    }
    System.exit(status);
  }

  private static void run(String scenario, Options o) throws Exception {
    ServerProcess server = null;
    try {
      URI endpoint = o.endpoint;
      long pid = o.serverPid;
      if (endpoint == null) {
        List<String> opts = new ArrayList<>(o.serverOpts);
        if (scenario.equals("idle")) {
          int shards = o.int_("streams", 10) * o.int_("shards-per-stream", 100);
          opts.add("-Dsluice.kinesis.shard-limit=" + Math.max(500, shards * 2));
        }
        System.out.println("starting server from " + o.jar + " " + opts);
        server = ServerProcess.start(o.jar, opts, o.keepData);
        endpoint = server.endpoint();
        pid = server.pid();
      }
      Path code = LambdaApi.handlerCode();
      Files.createDirectories(LatencyHandler.dir());
      LambdaApi lambda = new LambdaApi(endpoint);
      try (KinesisAsyncClient kinesis = Clients.kinesis(endpoint, 64, false, false)) {
        Env env = new Env(lambda, kinesis, code, pid);
        switch (scenario) {
          case "latency" -> latency(env, o);
          case "throughput" -> throughput(env, o);
          case "idle" -> idle(env, o);
          default -> throw new IllegalArgumentException("unknown scenario " + scenario);
        }
      }
    } catch (RuntimeException e) {
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

  private record Env(LambdaApi lambda, KinesisAsyncClient kinesis, Path code, long pid) {
    String arn(String stream) {
      return "arn:aws:kinesis:us-east-1:000000000000:stream/" + stream;
    }
  }

  private static String suffix() {
    return Long.toHexString(System.nanoTime() & 0xffffffL);
  }

  // ---------------------------------------------------------------- latency

  private static void latency(Env env, Options o) throws Exception {
    int rate = o.int_("rate", 1000);
    int warmup = o.int_("warmup", 10);
    int duration = o.int_("duration", 30);
    int shards = o.int_("shards", 4);
    int batchSize = o.int_("batch-size", 100);
    String fn = "lat-" + suffix();
    Path out = LatencyHandler.dir().resolve(fn + ".lat");
    System.out.printf(
        "%n== latency: %d shards, BatchSize %d, no batching window, %d records/s (PutRecord), %d s"
            + " warm-up + %d s measured%n",
        shards, batchSize, rate, warmup, duration);
    BenchStream stream = BenchStream.create(env.kinesis, "mapper-lat-" + suffix(), shards);
    env.lambda.createFunction(fn, LatencyHandler.class.getName(), env.code);
    String uuid =
        env.lambda.createMapping(fn, env.arn(stream.name()), "TRIM_HORIZON", batchSize, 0);
    try {
      int total = rate * (warmup + duration);
      long[] sent = new long[total];
      long[] acked = new long[total];
      Semaphore inFlight = new Semaphore(256);
      AtomicLong failures = new AtomicLong();
      AtomicReference<Throwable> firstFailure = new AtomicReference<>();
      long periodNanos = 1_000_000_000L / rate;
      long start = System.nanoTime();
      CpuTimes cpu = null;
      for (int i = 0; i < total; i++) {
        if (i == rate * warmup) {
          cpu = CpuTimes.start(env.pid);
        }
        long due = start + i * periodNanos;
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
          LockSupport.parkNanos(wait);
        }
        if (!inFlight.tryAcquire(10, TimeUnit.SECONDS)) {
          throw new IllegalStateException("256 puts in flight for 10 s");
        }
        int id = i;
        long now = LatencyHandler.micros();
        sent[id] = now;
        env.kinesis
            .putRecord(
                r ->
                    r.streamName(stream.name())
                        .partitionKey(Long.toString(ThreadLocalRandom.current().nextLong()))
                        .data(SdkBytes.fromString(id + "," + now, StandardCharsets.US_ASCII)))
            .whenComplete(
                (r, e) -> {
                  acked[id] = LatencyHandler.micros();
                  if (e != null) {
                    failures.incrementAndGet();
                    firstFailure.compareAndSet(null, e);
                    acked[id] = -1;
                  }
                  inFlight.release();
                });
      }
      String cpuReport = cpu.stop();
      inFlight.tryAcquire(256, 30, TimeUnit.SECONDS);
      if (failures.get() > 0) {
        System.out.println(failures.get() + " puts failed, first: " + firstFailure.get());
      }
      // wait (bounded) until the handler saw every acknowledged measured record
      int from = rate * warmup;
      long expected = Arrays.stream(acked, from, total).filter(a -> a > 0).count();
      long[] invoked = new long[total];
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      long seen;
      do {
        Arrays.fill(invoked, 0);
        seen = readInvocations(out, invoked, from);
        if (seen >= expected) {
          break;
        }
        Thread.sleep(200);
      } while (System.nanoTime() < deadline);
      List<Long> fromPut = new ArrayList<>();
      List<Long> fromAck = new ArrayList<>();
      List<Long> putCall = new ArrayList<>();
      for (int i = from; i < total; i++) {
        if (invoked[i] > 0) {
          fromPut.add(invoked[i] - sent[i]);
          if (acked[i] > 0) {
            fromAck.add(invoked[i] - acked[i]);
          }
        }
        if (acked[i] > 0) {
          putCall.add(acked[i] - sent[i]);
        }
      }
      System.out.printf(
          "delivered %d of %d measured records (%d acknowledged)%n", seen, total - from, expected);
      System.out.println("put -> handler:  " + micros(fromPut));
      System.out.println(
          "ack -> handler:  "
              + micros(fromAck)
              + "  (negative: invoked before the client saw the ack)");
      System.out.println("put -> ack:      " + micros(putCall));
      System.out.println("CPU while measured: " + cpuReport);
      env.lambda.metrics("sluice_log_fsync_seconds").forEach(l -> System.out.println("  " + l));
      System.out.printf(
          "targets: p50 <= 2 ms (%s), p99 <= 10 ms (%s)%n",
          pct(fromPut, 50) <= 2_000 ? "met" : "NOT met",
          pct(fromPut, 99) <= 10_000 ? "met" : "NOT met");
    } finally {
      env.lambda.quietly(() -> env.lambda.deleteMapping(uuid));
      env.lambda.quietly(() -> env.lambda.deleteFunction(fn));
      stream.delete();
      Files.deleteIfExists(out);
    }
  }

  /** Fills {@code invoked[id]} (first delivery) for ids >= from; returns how many were filled. */
  private static long readInvocations(Path out, long[] invoked, int from) throws IOException {
    if (!Files.exists(out)) {
      return 0;
    }
    long n = 0;
    for (String line : Files.readAllLines(out, StandardCharsets.US_ASCII)) {
      String[] p = line.split(",");
      if (p.length != 3) {
        continue;
      }
      int id = Integer.parseInt(p[0]);
      if (id >= from && id < invoked.length && invoked[id] == 0) {
        invoked[id] = Long.parseLong(p[2]);
        n++;
      }
    }
    return n;
  }

  private static long pct(List<Long> values, double p) {
    if (values.isEmpty()) {
      return Long.MAX_VALUE;
    }
    long[] v = values.stream().mapToLong(Long::longValue).sorted().toArray();
    int rank = (int) Math.ceil(p / 100.0 * v.length);
    return v[Math.min(v.length, Math.max(1, rank)) - 1];
  }

  private static String micros(List<Long> values) {
    if (values.isEmpty()) {
      return "(none)";
    }
    return String.format(
        "p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms (n=%d)",
        pct(values, 50) / 1e3,
        pct(values, 90) / 1e3,
        pct(values, 99) / 1e3,
        pct(values, 100) / 1e3,
        values.size());
  }

  // ---------------------------------------------------------------- throughput

  private static void throughput(Env env, Options o) throws Exception {
    long records = o.long_("records", 2_000_000);
    int bytes = o.int_("record-bytes", 100);
    int shards = o.int_("shards", 8);
    int batchSize = o.int_("batch-size", 1000);
    int concurrency = o.int_("concurrency", 16);
    int timeout = o.int_("timeout", 300);
    System.out.printf(
        "%n== throughput: %,d records of %d B pre-loaded on %d shards, TRIM_HORIZON mapping,"
            + " BatchSize %d, no-op handler%n",
        records, bytes, shards, batchSize);
    BenchStream stream = BenchStream.create(env.kinesis, "mapper-tp-" + suffix(), shards);
    List<String> functions = new ArrayList<>();
    try {
      long t0 = System.nanoTime();
      long loaded = preload(env.kinesis, stream.name(), records, bytes, concurrency);
      System.out.printf(
          "pre-loaded %,d records in %.1f s%n", loaded, (System.nanoTime() - t0) / 1e9);
      if (!o.flags.contains("no-warmup")) {
        String warm = "tp-warm-" + suffix();
        functions.add(warm);
        env.lambda.createFunction(warm, NoopHandler.class.getName(), env.code);
        System.out.println("warm-up mapping (same records, another function):");
        deliver(env, warm, stream, batchSize, loaded, timeout, true);
      }
      String fn = "tp-" + suffix();
      functions.add(fn);
      env.lambda.createFunction(fn, NoopHandler.class.getName(), env.code);
      System.out.println("measured mapping:");
      double rate = deliver(env, fn, stream, batchSize, loaded, timeout, true);
      System.out.printf(
          "target >= 1,000,000 records/s: %s%n", rate >= 1_000_000 ? "met" : "NOT met");
    } finally {
      for (String f : functions) {
        env.lambda.quietly(() -> env.lambda.deleteFunction(f));
      }
      stream.delete();
    }
  }

  /** Maps {@code fn} from TRIM_HORIZON, waits until {@code expected} are processed; records/s. */
  private static double deliver(
      Env env,
      String fn,
      BenchStream stream,
      int batchSize,
      long expected,
      int timeout,
      boolean delete)
      throws InterruptedException {
    CpuTimes cpu = CpuTimes.start(env.pid);
    long t0 = System.nanoTime();
    String uuid =
        env.lambda.createMapping(fn, env.arn(stream.name()), "TRIM_HORIZON", batchSize, 0);
    try {
      long deadline = t0 + TimeUnit.SECONDS.toNanos(timeout);
      long processed = 0;
      long lastPrint = t0;
      long firstAt = -1;
      while (processed < expected && System.nanoTime() < deadline) {
        Thread.sleep(20);
        processed = env.lambda.status(uuid).path("RecordsProcessed").asLong();
        long now = System.nanoTime();
        if (firstAt < 0 && processed > 0) {
          firstAt = now;
        }
        if (now - lastPrint > 5_000_000_000L) {
          System.out.printf("  %,d processed after %.1f s%n", processed, (now - t0) / 1e9);
          lastPrint = now;
        }
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      String cpuReport = cpu.stop();
      if (processed < expected) {
        System.out.printf(
            "  TIMED OUT after %d s: %,d of %,d processed (%.0f records/s)%n",
            timeout, processed, expected, processed / secs);
        return processed / secs;
      }
      double rate = processed / secs;
      System.out.printf(
          "  %,d records in %.2f s: %,.0f records/s (first batch done after %.2f s); %s%n",
          processed, secs, rate, (firstAt - t0) / 1e9, cpuReport);
      return rate;
    } finally {
      if (delete) {
        env.lambda.quietly(() -> env.lambda.deleteMapping(uuid));
      }
    }
  }

  /** PutRecords of 500 with {@code concurrency} calls in flight; returns records accepted. */
  static long preload(
      KinesisAsyncClient kinesis, String stream, long records, int bytes, int concurrency)
      throws InterruptedException {
    AtomicLong remaining = new AtomicLong(records);
    AtomicLong accepted = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(concurrency);
    byte[] data = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(data);
    SdkBytes payload = SdkBytes.fromByteArray(data);
    class Chain {
      void next() {
        long n = Math.min(500, remaining.getAndAdd(-500));
        if (n <= 0 || failure.get() != null) {
          done.countDown();
          return;
        }
        List<PutRecordsRequestEntry> entries = new ArrayList<>((int) n);
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int i = 0; i < n; i++) {
          entries.add(
              PutRecordsRequestEntry.builder()
                  .partitionKey(Long.toString(rnd.nextLong()))
                  .data(payload)
                  .build());
        }
        CompletableFuture<?> call =
            kinesis
                .putRecords(r -> r.streamName(stream).records(entries))
                .thenAccept(r -> accepted.addAndGet(entries.size() - r.failedRecordCount()));
        call.whenComplete(
            (v, e) -> {
              if (e != null) {
                failure.compareAndSet(null, e);
              }
              next();
            });
      }
    }
    for (int i = 0; i < concurrency; i++) {
      new Chain().next();
    }
    if (!done.await(600, TimeUnit.SECONDS)) {
      throw new IllegalStateException("pre-load not done within 600 s");
    }
    if (failure.get() != null) {
      throw new IllegalStateException("pre-load failed", failure.get());
    }
    return accepted.get();
  }

  // ---------------------------------------------------------------- idle

  private static void idle(Env env, Options o) throws Exception {
    int streams = o.int_("streams", 10);
    int shardsPer = o.int_("shards-per-stream", 100);
    int mappingsPer = o.int_("mappings-per-stream", 2);
    int settle = o.int_("settle", 20);
    int seconds = o.int_("idle-seconds", 30);
    System.out.printf(
        "%n== idle: %d streams x %d shards, %d mappings per stream (%d shard processors), no"
            + " traffic; server pid %d%n",
        streams, shardsPer, mappingsPer, streams * shardsPer * mappingsPer, env.pid);
    if (env.pid <= 0) {
      throw new IllegalArgumentException(
          "idle needs the server's pid: --server-pid with --endpoint");
    }
    System.out.println("empty server: " + idleCost(env.pid, Math.max(5, seconds / 3)));
    List<BenchStream> created = new ArrayList<>();
    List<String> functions = new ArrayList<>();
    List<String> mappings = new ArrayList<>();
    try {
      for (int m = 0; m < mappingsPer; m++) {
        String fn = "idle-" + m + "-" + suffix();
        env.lambda.createFunction(fn, NoopHandler.class.getName(), env.code);
        functions.add(fn);
      }
      for (int s = 0; s < streams; s++) {
        BenchStream stream =
            BenchStream.create(env.kinesis, "mapper-idle-" + s + "-" + suffix(), shardsPer);
        created.add(stream);
        for (String fn : functions) {
          mappings.add(env.lambda.createMapping(fn, env.arn(stream.name()), "LATEST", 100, 0));
        }
      }
      long enabled =
          mappings.stream()
              .filter(u -> env.lambda.status(u).path("State").asText().equals("Enabled"))
              .count();
      System.out.printf(
          "%d shards, %d mappings (%d Enabled); settling %d s%n",
          streams * shardsPer, mappings.size(), enabled, settle);
      Thread.sleep(settle * 1000L);
      System.out.println("with the mappings: " + idleCost(env.pid, seconds));
    } finally {
      for (String u : mappings) {
        env.lambda.quietly(() -> env.lambda.deleteMapping(u));
      }
      for (String f : functions) {
        env.lambda.quietly(() -> env.lambda.deleteFunction(f));
      }
      created.forEach(BenchStream::delete);
    }
  }

  /** CPU over {@code seconds} of doing nothing, then heap before and after a full GC. */
  private static String idleCost(long pid, int seconds) throws InterruptedException {
    CpuTimes cpu = CpuTimes.start(pid);
    Thread.sleep(seconds * 1000L);
    String c = cpu.stop();
    String before = heapUsed(pid);
    jcmd(pid, "GC.run");
    String after = heapUsed(pid);
    return String.format(
        "CPU over %d s: %s; heap used %s, after a full GC %s; %s threads",
        seconds, c, before, after, threads(pid));
  }

  private static String heapUsed(long pid) {
    // e.g. " garbage-first heap   total 262144K, used 23456K [0x..."
    for (String line : jcmd(pid, "GC.heap_info").split("\n")) {
      int i = line.indexOf(" used ");
      if (line.contains("total") && i >= 0) {
        String v = line.substring(i + 6).split("[ ,\\[]")[0];
        if (v.endsWith("K")) {
          return String.format("%.1f MB", Long.parseLong(v.substring(0, v.length() - 1)) / 1024.0);
        }
        return v;
      }
    }
    return "(unknown)";
  }

  private static String jcmd(long pid, String command) {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    try {
      Process p =
          new ProcessBuilder(jcmd.toString(), Long.toString(pid), command)
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(60, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String threads(long pid) {
    try {
      return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
          .filter(l -> l.startsWith("Threads:"))
          .map(l -> l.substring(8).trim())
          .findFirst()
          .orElse("?");
    } catch (IOException e) {
      return "?";
    }
  }

  // ---------------------------------------------------------------- options

  private static final class Options {
    final List<String> scenarios = new ArrayList<>();
    final java.util.Map<String, String> values = new java.util.HashMap<>();
    final java.util.Set<String> flags = new java.util.HashSet<>();
    final List<String> serverOpts = new ArrayList<>();
    URI endpoint;
    long serverPid = -1;
    boolean keepData;
    Path jar;

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--help") || a.equals("-h")) {
          return null;
        }
        if (!a.startsWith("--")) {
          if (a.equals("all")) {
            o.scenarios.addAll(List.of("latency", "throughput", "idle"));
          } else if (List.of("latency", "throughput", "idle").contains(a)) {
            o.scenarios.add(a);
          } else {
            throw new IllegalArgumentException("unknown scenario: " + a);
          }
          continue;
        }
        String name = a.substring(2);
        String value = null;
        int eq = name.indexOf('=');
        if (eq >= 0) {
          value = name.substring(eq + 1);
          name = name.substring(0, eq);
        }
        if (name.equals("keep-data") || name.equals("no-warmup")) {
          o.flags.add(name);
          o.keepData |= name.equals("keep-data");
          continue;
        }
        if (value == null) {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException("missing value for --" + name);
          }
          value = args[++i];
        }
        switch (name) {
          case "endpoint" -> o.endpoint = URI.create(value);
          case "server-pid" -> o.serverPid = Long.parseLong(value);
          case "server-opt" -> o.serverOpts.add(value);
          case "jar" -> o.jar = Path.of(value);
          default -> o.values.put(name, value);
        }
      }
      if (o.scenarios.isEmpty()) {
        o.scenarios.addAll(List.of("latency", "throughput", "idle"));
      }
      if (o.jar == null) {
        Path rel = Path.of("runtime", "target", "quarkus-app", "quarkus-run.jar");
        o.jar = Files.exists(rel) ? rel : Path.of("..").resolve(rel);
      }
      return o;
    }

    int int_(String name, int dflt) {
      return (int) long_(name, dflt);
    }

    long long_(String name, long dflt) {
      String v = values.get(name);
      return v == null ? dflt : Long.parseLong(v.replace("_", "").replace(",", ""));
    }
  }
}
