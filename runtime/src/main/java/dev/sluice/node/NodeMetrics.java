package dev.sluice.node;

import dev.sluice.kinesis.RecordMetrics;
import dev.sluice.log.LogListener;
import dev.sluice.log.ShardRef;
import dev.sluice.stream.StreamAppender.Entry;
import dev.sluice.stream.StreamAppender.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's meters, served at {@code /q/metrics}: records and bytes in and out per stream, the
 * newest offset of each shard, and fsync latency.
 */
public final class NodeMetrics implements RecordMetrics, LogListener {

  private final MeterRegistry registry;
  private final Timer fsync;
  private final Map<ShardRef, AtomicLong> latest = new ConcurrentHashMap<>();
  private final Map<String, Counter[]> perStream = new ConcurrentHashMap<>();

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
              Gauge.builder("sluice.shard.latest.sequence", value, AtomicLong::get)
                  .description(
                      "Offset part of the shard's newest sequence number (the full 56-digit"
                          + " number does not fit a metric value)")
                  .tags("stream", s.stream(), "shard", s.shard())
                  .register(registry);
              return value;
            })
        .accumulateAndGet(lastOffset, Math::max);
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
