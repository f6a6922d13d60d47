package dev.sluice.mapper;

import dev.sluice.checkpoint.Checkpoint;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The statistics of one mapping: a {@link ShardStats} per shard that ran since the node started,
 * their meters, and the stuck watch. It lives as long as the mapping, across runner restarts, so
 * that totals keep counting the shards that finished; deleting the mapping removes its meters.
 */
final class MappingStats {

  private static final Logger LOG = Logger.getLogger(MappingStats.class);

  private final String uuid;
  private final String stream;
  private final MapperDeps deps;
  private final boolean kafka;
  private final Map<String, ShardStats> shards = new ConcurrentHashMap<>();
  private final Map<String, List<Meter>> meters = new HashMap<>(); // guarded by this

  /** A Kafka mapping's topic retention, once learnt; 0 while not known or unlimited. */
  private volatile long kafkaRetentionMillis;

  MappingStats(String uuid, String stream, MapperDeps deps) {
    this(uuid, stream, deps, false);
  }

  private MappingStats(String uuid, String stream, MapperDeps deps, boolean kafka) {
    this.uuid = uuid;
    this.stream = stream;
    this.deps = deps;
    this.kafka = kafka;
  }

  /**
   * The stats of a Kafka mapping reading {@code topic}, by partition ({@code topic-N}); the topic
   * stands in for the stream in meter tags, and no retention makes a partition stuck.
   */
  static MappingStats kafka(String uuid, String topic, MapperDeps deps) {
    return new MappingStats(uuid, topic, deps, true);
  }

  /**
   * The stats of a shard whose processor starts now. Its meters are registered unless they are,
   * under the mapping's current function (an update may have changed it).
   */
  synchronized ShardStats started(String shardId, String functionName) {
    ShardStats s = shards.computeIfAbsent(shardId, ShardStats::new);
    List<Meter> m = meters.get(shardId);
    if (m != null && !functionName.equals(m.get(0).getId().getTag("function"))) {
      ShardMeters.remove(deps.meters(), meters.remove(shardId));
      m = null;
    }
    if (m == null) {
      Tags tags =
          Tags.of("mapping", uuid, "function", functionName, "stream", stream, "shard", shardId);
      meters.put(shardId, ShardMeters.register(deps.meters(), tags, s, deps.clock(), kafka));
    }
    return s;
  }

  /** A shard finished for good: its meters go, its counts stay in the mapping's totals. */
  synchronized void finished(String shardId) {
    List<Meter> m = meters.remove(shardId);
    if (m != null) {
      ShardMeters.remove(deps.meters(), m);
    }
  }

  /** Removes every meter of the mapping: it is deleted, or the node stops. */
  synchronized void close() {
    meters.values().forEach(m -> ShardMeters.remove(deps.meters(), m));
    meters.clear();
  }

  /**
   * Every shard, by id: those that ran since the node started, and those known only by a checkpoint
   * (a child waiting for its parents, or a mapping that has not run).
   */
  Map<String, ShardStatus> statuses(Map<String, Checkpoint> checkpoints) {
    long now = deps.clock().millis();
    long retention = retentionMillis();
    long limit = deps.stuckRetryAfter().toMillis();
    Map<String, ShardStatus> out = new TreeMap<>();
    checkpoints.forEach((id, cp) -> out.put(id, ShardStatus.idle(cp.offset(), cp.finished())));
    shards.forEach((id, s) -> out.put(id, s.status(now, retention, limit)));
    return out;
  }

  /** The shards stuck now. */
  /** Records delivered successfully over every shard, finished ones included. */
  long records() {
    return statuses(Map.of()).values().stream().mapToLong(ShardStatus::records).sum();
  }

  List<StuckShard> stuck(String functionName) {
    long now = deps.clock().millis();
    long retention = retentionMillis();
    long limit = deps.stuckRetryAfter().toMillis();
    List<StuckShard> out = new ArrayList<>();
    for (ShardStats s : shards.values()) {
      String reason = s.stuckReason(now, retention, limit);
      if (reason != null) {
        out.add(new StuckShard(uuid, functionName, stream, s.shardId, reason));
      }
    }
    return out;
  }

  /**
   * Logs each shard that became stuck since the last look (WARN, once) and each that recovered
   * (INFO). Runs on the mapping runner's loop, the only writer of {@link ShardStats#reportedStuck}.
   */
  void watch(String functionName) {
    long now = deps.clock().millis();
    long retention = retentionMillis();
    long limit = deps.stuckRetryAfter().toMillis();
    for (ShardStats s : shards.values()) {
      String reason = s.stuckReason(now, retention, limit);
      if (reason != null && !s.reportedStuck) {
        LOG.warnf(
            "Mapping %s (function %s): %s %s of %s %s is stuck: %s",
            uuid, functionName, shardNoun(), s.shardId, streamNoun(), stream, reason);
      } else if (reason == null && s.reportedStuck) {
        LOG.infof(
            "Mapping %s: %s %s of %s %s is no longer stuck",
            uuid, shardNoun(), s.shardId, streamNoun(), stream);
      }
      s.reportedStuck = reason != null;
    }
  }

  private String shardNoun() {
    return kafka ? "partition" : "shard";
  }

  private String streamNoun() {
    return kafka ? "topic" : "stream";
  }

  /** The retention of a Kafka mapping's topic; -1 or less: unlimited. */
  void kafkaRetention(long millis) {
    kafkaRetentionMillis = Math.max(0, millis);
  }

  private long retentionMillis() {
    if (kafka) {
      return kafkaRetentionMillis;
    }
    return deps.catalog().find(stream).map(m -> m.retentionHours() * 3_600_000L).orElse(0L);
  }
}
