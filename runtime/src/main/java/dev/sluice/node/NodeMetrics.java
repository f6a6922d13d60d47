package dev.sluice.node;

import dev.sluice.kinesis.RecordMetrics;
import dev.sluice.log.LogListener;
import dev.sluice.log.ShardRef;
import dev.sluice.stream.StreamAppender.Entry;
import dev.sluice.stream.StreamAppender.Outcome;
import dev.sluice.stream.StreamMeta;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's meters, served at {@code /q/metrics}: records and bytes in and out per stream, the
 * newest offset of each shard, and fsync latency. A stream's meters go when it is deleted or
 * created again under its name (see {@link #retain}), so series do not pile up with stream churn
 * and a new stream does not show its predecessor's newest offset.
 */
public final class NodeMetrics implements RecordMetrics, LogListener {

  private final MeterRegistry registry;
  private final Timer fsync;
  private final Map<ShardRef, Latest> latest = new ConcurrentHashMap<>();
  private final Map<String, Counter[]> perStream = new ConcurrentHashMap<>();

  /** Each stream's creation time when {@link #retain} last saw it. */
  private final Map<String, Long> incarnations = new ConcurrentHashMap<>();

  private record Latest(AtomicLong value, Gauge gauge) {}

  NodeMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.fsync =
        Timer.builder("sluice.log.fsync")
            .description("Time a group commit spent in fsync")
            .publishPercentiles(0.5, 0.99)
            .register(registry);
  }

  @Override
  public void onFsync(long nanos) {
    fsync.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void onAppend(ShardRef shard, int records, long bytes, long lastOffset) {
    latest
        .computeIfAbsent(
            shard,
            s -> {
              AtomicLong value = new AtomicLong(-1);
              Gauge gauge =
                  Gauge.builder("sluice.shard.latest.sequence", value, AtomicLong::get)
                      .description(
                          "Offset part of the shard's newest sequence number (the full 56-digit"
                              + " number does not fit a metric value)")
                      .tags("stream", s.stream(), "shard", s.shard())
                      .register(registry);
              return new Latest(value, gauge);
            })
        .value()
        .accumulateAndGet(lastOffset, Math::max);
  }

  /**
   * Keeps the meters of the streams in {@code createdMillis} (stream name → creation time) and
   * removes those of every other stream, and of a stream created again since the last call.
   */
  public void retain(Map<String, Long> createdMillis) {
    Set<String> metered = new HashSet<>(perStream.keySet());
    latest.keySet().forEach(ref -> metered.add(ref.stream()));
    for (String stream : metered) {
      Long created = createdMillis.get(stream);
      Long seen = incarnations.get(stream);
      if (created == null || (seen != null && !seen.equals(created))) {
        forget(stream);
      }
    }
    incarnations.clear(); // one caller, the node's periodic sweep
    incarnations.putAll(createdMillis);
  }

  /**
   * Removes the latest-sequence gauges of shards that expired from {@code streams} (the node's
   * current view of them): a stream resharded every hour would otherwise add series for ever.
   */
  public void forgetExpired(Collection<StreamMeta> streams) {
    Map<String, StreamMeta> byName = new HashMap<>();
    streams.forEach(m -> byName.put(m.name(), m));
    for (ShardRef ref : List.copyOf(latest.keySet())) {
      StreamMeta meta = byName.get(ref.stream());
      if (meta != null && meta.expired(ref.shard())) {
        Latest l = latest.remove(ref); // closed before it expired: no append can race this
        if (l != null) {
          registry.remove(l.gauge());
        }
      }
    }
  }

  private void forget(String stream) {
    Counter[] counters = perStream.remove(stream);
    if (counters != null) {
      for (Counter c : counters) {
        registry.remove(c);
      }
    }
    for (ShardRef ref : List.copyOf(latest.keySet())) {
      if (ref.stream().equals(stream)) {
        Latest l = latest.remove(ref);
        if (l != null) {
          registry.remove(l.gauge());
        }
      }
    }
  }

  @Override
  public void recordsIn(String stream, List<Entry> entries, List<Outcome> outcomes) {
    long records = 0;
    long bytes = 0;
    for (int i = 0; i < entries.size(); i++) {
      if (outcomes.get(i).ok()) {
        records++;
        bytes += entries.get(i).data().length;
      }
    }
    Counter[] c = counters(stream);
    c[0].increment(records);
    c[1].increment(bytes);
  }

  @Override
  public void recordsOut(String stream, int count) {
    counters(stream)[2].increment(count);
  }

  private Counter[] counters(String stream) {
    return perStream.computeIfAbsent(
        stream,
        s ->
            new Counter[] {
              Counter.builder("sluice.stream.records.in").tag("stream", s).register(registry),
              Counter.builder("sluice.stream.bytes.in").tag("stream", s).register(registry),
              Counter.builder("sluice.stream.records.out").tag("stream", s).register(registry)
            });
  }
}
