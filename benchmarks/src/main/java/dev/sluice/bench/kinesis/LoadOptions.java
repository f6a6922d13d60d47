package dev.sluice.bench.kinesis;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Command line of {@link KinesisLoad}.
 *
 * @param durationSeconds length of the measured PutRecords phase
 * @param warmupSeconds PutRecords load before measuring starts
 * @param concurrency PutRecords calls kept in flight
 * @param shards shards of the benchmark stream
 * @param batchRecords records per PutRecords call (at most 500)
 * @param recordBytes payload bytes per record
 * @param jar the server's {@code quarkus-run.jar}, when the server is spawned
 * @param endpoint a running server to target instead of spawning one, or null
 * @param json send JSON instead of the SDK's default CBOR
 * @param http2 use HTTP/2 (h2c) instead of HTTP/1.1
 * @param readWarmupSeconds GetRecords warm-up read (from the start, discarded) before measuring
 * @param readTimeoutSeconds bound of the GetRecords phase
 * @param serverOpts extra JVM options of a spawned server
 * @param keepData keep a spawned server's data directory and log
 */
record LoadOptions(
    int durationSeconds,
    int warmupSeconds,
    int concurrency,
    int shards,
    int batchRecords,
    int recordBytes,
    Path jar,
    URI endpoint,
    boolean json,
    boolean http2,
    int readWarmupSeconds,
    int readTimeoutSeconds,
    List<String> serverOpts,
    boolean keepData) {

  static final String USAGE =
      """
      Usage: java -jar sluice-benchmarks.jar kinesis [options]
        --duration S       measured PutRecords seconds (default 30)
        --warmup S         PutRecords warm-up seconds before measuring (default 10)
        --concurrency N    PutRecords calls in flight (default 16)
        --shards N         shards of the benchmark stream (default 4)
        --batch N          records per PutRecords call, 1-500 (default 500)
        --record-bytes N   payload bytes per record (default 100)
        --jar PATH         server quarkus-run.jar to spawn (default: runtime/target/quarkus-app/
                           quarkus-run.jar below the current or the parent directory)
        --endpoint URL     target a running server (e.g. http://127.0.0.1:4566); no spawning
        --server-opt OPT   JVM option for the spawned server, repeatable (e.g. -Xmx2g)
        --read-warmup S    GetRecords warm-up before the measured read, 0 for none (default 5)
        --read-timeout S   bound of the measured GetRecords phase (default 120)
        --json             send JSON instead of CBOR
        --http2            use HTTP/2 (h2c) instead of HTTP/1.1
        --keep-data        keep the spawned server's data directory and log
        --help             this text
      """;

  /** Parses {@code --name value} and {@code --name=value} arguments; throws on bad input. */
  static LoadOptions parse(String[] args) {
    Builder b = new Builder();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg;
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      }
      if (b.isFlag(name)) {
        b.flag(name);
        continue;
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("missing value for " + name);
        }
        value = args[++i];
      }
      b.set(name, value);
    }
    return b.build();
  }

  private static final class Builder {
    int duration = 30;
    int warmup = 10;
    int concurrency = 16;
    int shards = 4;
    int batch = 500;
    int recordBytes = 100;
    Path jar;
    URI endpoint;
    boolean json;
    boolean http2;
    int readWarmup = 5;
    int readTimeout = 120;
    final List<String> serverOpts = new ArrayList<>();
    boolean keepData;

    boolean isFlag(String name) {
      return switch (name) {
        case "--json", "--http2", "--keep-data", "--help", "-h" -> true;
        default -> false;
      };
    }

    void flag(String name) {
      switch (name) {
        case "--json" -> json = true;
        case "--http2" -> http2 = true;
        case "--keep-data" -> keepData = true;
        default -> throw new HelpRequested();
      }
    }

    void set(String name, String value) {
      switch (name) {
        case "--duration" -> duration = positive(name, value);
        case "--warmup" -> warmup = nonNegative(name, value);
        case "--concurrency" -> concurrency = positive(name, value);
        case "--shards" -> shards = positive(name, value);
        case "--batch" -> batch = positive(name, value);
        case "--record-bytes" -> recordBytes = positive(name, value);
        case "--jar" -> jar = Path.of(value);
        case "--endpoint" -> endpoint = URI.create(value);
        case "--server-opt" -> serverOpts.add(value);
        case "--read-warmup" -> readWarmup = nonNegative(name, value);
        case "--read-timeout" -> readTimeout = positive(name, value);
        default -> throw new IllegalArgumentException("unknown option " + name);
      }
    }

    LoadOptions build() {
      if (batch > 500) {
        throw new IllegalArgumentException("--batch must be at most 500");
      }
      if (endpoint == null && jar == null) {
        jar = defaultJar();
      }
      return new LoadOptions(
          duration,
          warmup,
          concurrency,
          shards,
          batch,
          recordBytes,
          jar,
          endpoint,
          json,
          http2,
          readWarmup,
          readTimeout,
          List.copyOf(serverOpts),
          keepData);
    }

    private static Path defaultJar() {
      Path rel = Path.of("runtime", "target", "quarkus-app", "quarkus-run.jar");
      for (Path candidate : List.of(rel, Path.of("..").resolve(rel))) {
        if (Files.isRegularFile(candidate)) {
          return candidate.toAbsolutePath().normalize();
        }
      }
      throw new IllegalArgumentException(
          "no server jar at "
              + rel
              + " or ../"
              + rel
              + "; build the runtime, pass --jar or --endpoint");
    }

    private static int positive(String name, String value) {
      int n = nonNegative(name, value);
      if (n == 0) {
        throw new IllegalArgumentException(name + " must be positive");
      }
      return n;
    }

    private static int nonNegative(String name, String value) {
      try {
        int n = Integer.parseInt(value);
        if (n < 0) {
          throw new IllegalArgumentException(name + " must not be negative");
        }
        return n;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + " needs a number, got " + value);
      }
    }
  }

  /** Thrown when {@code --help} is given. */
  static final class HelpRequested extends RuntimeException {
    HelpRequested() {
      super(null, null, false, false);
    }
  }
}
