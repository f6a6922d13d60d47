package dev.sluice.bench.kafka;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The {@code kafka} scenario's command line: {@code --name value}, {@code --name=value}, flags. */
final class KafkaOptions {

  static final String USAGE =
      """
      usage: kafka [options]
        --records N (6000000)  --record-bytes N (100)  --partitions N (8)  --batch-size N (1000)
        --rounds N (5; the target is judged on the median)  --warmups N (6)  --no-warmup
        --timeout S (300)
        --idle-mappings N (instead: the CPU of N mappings on an idle topic; --idle-seconds S (30))
        --bootstrap HOST:PORT (a running broker; default: one started in this process)
        --broker-prop KEY=VALUE (repeatable; a setting of the broker started here)
        --jar PATH  --endpoint URL  --server-pid PID (with --endpoint)
        --server-opt OPT (repeatable)  --keep-data
      """;

  private static final Set<String> FLAGS = Set.of("no-warmup", "keep-data");

  final Map<String, String> values = new HashMap<>();
  final List<String> serverOpts = new ArrayList<>();
  final Map<String, String> brokerProps = new HashMap<>();
  boolean warmup = true;
  boolean keepData;

  /** Parses {@code args}; null when help was asked for. */
  static KafkaOptions parse(String[] args) {
    KafkaOptions o = new KafkaOptions();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        return null;
      }
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument: " + a);
      }
      String name = a.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (FLAGS.contains(name)) {
        o.warmup &= !name.equals("no-warmup");
        o.keepData |= name.equals("keep-data");
        continue;
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("missing value for --" + name);
        }
        value = args[++i];
      }
      if (name.equals("server-opt")) {
        o.serverOpts.add(value);
      } else if (name.equals("broker-prop")) {
        int at = value.indexOf('=');
        if (at <= 0) {
          throw new IllegalArgumentException("--broker-prop takes KEY=VALUE, not " + value);
        }
        o.brokerProps.put(value.substring(0, at), value.substring(at + 1));
      } else {
        o.values.put(name, value);
      }
    }
    return o;
  }

  long long_(String name, long dflt) {
    String v = values.get(name);
    return v == null ? dflt : Long.parseLong(v.replace("_", "").replace(",", ""));
  }

  int int_(String name, int dflt) {
    return Math.toIntExact(long_(name, dflt));
  }

  String string(String name) {
    return values.get(name);
  }

  URI endpoint() {
    String e = values.get("endpoint");
    return e == null ? null : URI.create(e);
  }

  /** The server's quarkus-run.jar: --jar, else below the current directory or its parent. */
  Path jar() {
    String j = values.get("jar");
    if (j != null) {
      return Path.of(j);
    }
    Path rel = Path.of("runtime", "target", "quarkus-app", "quarkus-run.jar");
    return Files.exists(rel) ? rel : Path.of("..").resolve(rel);
  }
}
