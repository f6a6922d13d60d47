package dev.sluice.bench.kafka;

import dev.sluice.bench.mapper.CpuTimes;
import dev.sluice.mapper.kafka.FetchSettings;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The measured part of the {@code kafka} scenario: warm-up reads that are not counted, then rounds
 * in which the same records are read by two raw consumer loops (asynchronous commits as the mapping
 * makes them, and a commitSync after every poll) and delivered by a mapping, each in a fresh
 * consumer group. One function serves every mapping, so the measured ones find it deployed and its
 * code warm, as a mapping to a long-deployed function does; the raw loops' warm-up is the same
 * idea. Each mapping is deleted after its run, so an idle one never polls during the next
 * measurement. The sides take turns going first, since the broker shares this JVM and still speeds
 * up.
 */
final class KafkaRounds {

  /** The fetch settings a mapping's consumer uses, which the raw consumer uses too. */
  private static final Map<String, String> FETCH = FetchSettings.of();

  /**
   * Warm-ups before the rounds. After 3 the server's JIT compiler threads still took about a fifth
   * of a core during the measured mappings (Kafka's client code is large, and the function's
   * classes are compiled once per instance); after 10 it was 7 % of a core. 6 is the compromise
   * with the run's length.
   */
  static final int WARMUPS = 6;

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final KafkaOptions o;
  private final String bootstrap;
  private final String topic;
  private final long records;
  private final int batchSize;
  private final int timeout;
  private final SluiceDelivery d;
  private final String function = "kafka-" + KafkaBench.suffix();

  /**
   * One round's figures: records/s of each side, the CPU each spent per record on the one thread
   * every record passes (the raw loop's own thread; the mapping's poll thread), and the share of
   * the run that thread spent waiting for a core.
   */
  record Round(
      double rawAsync,
      double rawSync,
      double sluice,
      double rawAsyncNs,
      double rawSyncNs,
      double pollNs,
      double rawAsyncWait,
      double pollWait) {}

  /** One run of one side: records/s, and its one thread's CPU a record and run-queue wait (%). */
  private record Side(double rate, double ns, double waitPct) {}

  KafkaRounds(
      KafkaOptions o,
      String bootstrap,
      String topic,
      long records,
      int batchSize,
      SluiceDelivery d) {
    this.o = o;
    this.bootstrap = bootstrap;
    this.topic = topic;
    this.records = records;
    this.batchSize = batchSize;
    this.timeout = o.int_("timeout", 300);
    this.d = d;
  }

  void warmUp() throws InterruptedException {
    int n = o.warmup ? o.int_("warmups", WARMUPS) : 0;
    for (int i = 1; i <= n; i++) {
      System.out.printf("warm-up %d of %d (same records, other groups):%n", i, n);
      raw("raw-warm-", true);
      raw("raw-warm-", false);
      sluice("g-warm-");
    }
  }

  List<Round> run() throws InterruptedException {
    int n = o.int_("rounds", 5);
    List<Round> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      System.out.printf("round %d of %d:%n", i, n);
      Side a;
      Side s;
      Side m;
      if (i % 2 == 1) {
        a = raw("raw-", true);
        s = raw("raw-", false);
        m = sluice("g-");
      } else {
        m = sluice("g-");
        s = raw("raw-", false);
        a = raw("raw-", true);
      }
      out.add(new Round(a.rate, s.rate, m.rate, a.ns, s.ns, m.ns, a.waitPct, m.waitPct));
    }
    return out;
  }

  /** One raw loop's run. */
  private Side raw(String groupPrefix, boolean asyncCommits) {
    System.out.printf(
        "raw consumer (max.poll.records %s, max.partition.fetch.bytes %s, fetch.max.wait.ms %s,"
            + " %s):%n",
        FETCH.get("max.poll.records"),
        FETCH.get("max.partition.fetch.bytes"),
        FETCH.get("fetch.max.wait.ms"),
        asyncCommits ? "commitAsync at most every 10 ms" : "commitSync per poll");
    CpuTimes cpu = CpuTimes.start(ProcessHandle.current().pid());
    Schedstat thread0 = Schedstat.self();
    long cpu0 = THREADS.getCurrentThreadCpuTime();
    BrokerRequests requests = BrokerRequests.start();
    ThreadTicks threads = ThreadTicks.start(ProcessHandle.current().pid());
    double secs =
        RawConsumer.read(
            bootstrap, topic, groupPrefix + KafkaBench.suffix(), records, timeout, asyncCommits);
    Schedstat thread = Schedstat.self().since(thread0);
    long cpuNanos = THREADS.getCurrentThreadCpuTime() - cpu0;
    String report =
        cpu.stop("benchmark process (broker + consumer)")
            + requests.stop(records)
            + "; "
            + threads.stop(6);
    Side side = side(secs, thread);
    if (!thread.known()) { // no scheduler statistics: the JVM still tells the thread's CPU
      side = new Side(side.rate, (double) cpuNanos / records, Double.NaN);
    }
    System.out.printf(
        "  %,.0f records/s (%.2f s); consumer thread %.0f ns CPU a record, waited for a core"
            + " %.0f %% of the time; %s%n",
        side.rate, secs, side.ns, side.waitPct, report);
    return side;
  }

  /** One mapping's run. */
  private Side sluice(String groupPrefix) throws InterruptedException {
    System.out.println("sluice mapping:");
    BrokerRequests requests = BrokerRequests.start();
    ThreadTicks threads = ThreadTicks.start(ProcessHandle.current().pid());
    SluiceDelivery.Run run =
        d.deliver(function, groupPrefix + KafkaBench.suffix(), batchSize, records, timeout);
    Side side = side(run.seconds(), run.pollThread());
    System.out.printf(
        "  %,.0f records/s (%.2f s); poll thread %.0f ns CPU a record, waited for a core %.0f %%"
            + " of the time; %s; %s%s; %s%n",
        side.rate,
        run.seconds(),
        side.ns,
        side.waitPct,
        run.serverCpu(),
        run.benchCpu(),
        requests.stop(records),
        threads.stop(6));
    return side;
  }

  private Side side(double seconds, Schedstat thread) {
    double ns = thread.known() ? (double) thread.cpuNanos() / records : Double.NaN;
    return new Side(records / seconds, ns, thread.waitPercent(seconds));
  }

  /** Prints each round and the medians; the target is judged on the median ratios. */
  static void report(List<Round> rounds) {
    System.out.println();
    for (int i = 0; i < rounds.size(); i++) {
      Round r = rounds.get(i);
      System.out.printf(
          "round %d: raw consumer %,.0f (async commits) / %,.0f (commitSync) records/s,"
              + " sluice mapping %,.0f records/s: %.1f %% / %.1f %% of raw%n",
          i + 1,
          r.rawAsync,
          r.rawSync,
          r.sluice,
          pct(r.sluice, r.rawAsync),
          pct(r.sluice, r.rawSync));
    }
    System.out.printf(
        "medians of %d rounds: raw consumer %,.0f records/s with async commits, %,.0f with"
            + " commitSync per poll; sluice mapping %,.0f records/s%n",
        rounds.size(),
        median(rounds, Round::rawAsync),
        median(rounds, Round::rawSync),
        median(rounds, Round::sluice));
    System.out.printf(
        "CPU a record on the one thread all records pass: raw consumer %.0f ns (async commits),"
            + " %.0f ns (commitSync); mapping poll thread %.0f ns%n",
        median(rounds, Round::rawAsyncNs),
        median(rounds, Round::rawSyncNs),
        median(rounds, Round::pollNs));
    System.out.printf(
        "time that thread waited for a core: raw consumer %.0f %% (async commits); mapping poll"
            + " thread %.0f %%%n",
        median(rounds, Round::rawAsyncWait), median(rounds, Round::pollWait));
    verdict("raw consumer with async commits", median(rounds, r -> r.sluice / r.rawAsync));
    verdict("raw consumer with commitSync per poll", median(rounds, r -> r.sluice / r.rawSync));
  }

  private static void verdict(String baseline, double ratio) {
    System.out.printf(
        "target >= 80 %% of the %s: %.1f %% (median of the rounds' ratios): %s%n",
        baseline, ratio * 100, ratio >= 0.8 ? "met" : "NOT met");
  }

  private static double pct(double part, double whole) {
    return part / whole * 100;
  }

  private static double median(List<Round> rounds, ToDoubleFunction<Round> f) {
    double[] v = rounds.stream().mapToDouble(f).sorted().toArray();
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }
}
