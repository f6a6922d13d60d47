package dev.sluice.mapper;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The Micrometer meters of one shard of a mapping, tagged {@code mapping}, {@code function}, {@code
 * stream} and {@code shard}. They read {@link ShardStats} when scraped, so the hot path never
 * touches the registry.
 */
final class ShardMeters {

  private ShardMeters() {}

  /**
   * Registers the meters of {@code stats}, and for a Kafka partition its offset lag; the caller
   * removes them with {@link #remove}.
   */
  static List<Meter> register(
      MeterRegistry registry, Tags tags, ShardStats stats, Clock clock, boolean kafka) {
    List<Meter> out = new ArrayList<>(common(registry, tags, stats, clock));
    if (kafka) {
      // Lambda's OffsetLag for Kafka sources; no value while this node does not read the partition
      out.add(
          Gauge.builder(
                  "sluice.mapping.offset.lag",
                  stats,
                  s -> s.offsetLag() < 0 ? Double.NaN : s.offsetLag())
              .description("Records between the committed offset and the end of the partition")
              .tags(tags)
              .strongReference(true)
              .register(registry));
    }
    return out;
  }

  private static List<Meter> common(
      MeterRegistry registry, Tags tags, ShardStats stats, Clock clock) {
    return List.of(
        Gauge.builder(
                "sluice.mapping.iterator.age", stats, s -> s.iteratorAgeMillis(clock.millis()))
            .description("Now minus the arrival time of the oldest record not yet delivered")
            .baseUnit("milliseconds")
            .tags(tags)
            .strongReference(true)
            .register(registry),
        counter(registry, tags, "batches", "Batches that reached the function", stats.batches),
        counter(registry, tags, "records", "Records processed successfully", stats.records),
        counter(registry, tags, "invocations", "Invocations that ran", stats.invocations),
        counter(
            registry,
            tags,
            "function.errors",
            "Invocations that failed: function error, timeout, invalid response",
            stats.functionErrors),
        counter(registry, tags, "retries", "Batches sent again after a failure", stats.retries),
        counter(
            registry,
            tags,
            "records.to.on.failure",
            "Records of skipped batches sent to the OnFailure destination",
            stats.recordsToOnFailure),
        Gauge.builder("sluice.mapping.batches.in.flight", stats.inFlight, Number::doubleValue)
            .description("Invocations waiting for their answer")
            .tags(tags)
            .strongReference(true)
            .register(registry));
  }

  private static Meter counter(
      MeterRegistry registry, Tags tags, String name, String description, LongAdder value) {
    return FunctionCounter.builder("sluice.mapping." + name, value, LongAdder::doubleValue)
        .description(description)
        .tags(tags)
        .register(registry);
  }

  /** Removes meters from the registry, so that a deleted mapping leaves none behind. */
  static void remove(MeterRegistry registry, List<Meter> meters) {
    meters.forEach(registry::remove);
  }
}
