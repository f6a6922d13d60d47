package dev.sluice.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.log.ShardRef;
import dev.sluice.stream.HashKeys;
import dev.sluice.stream.Shard;
import dev.sluice.stream.StreamMeta;
import dev.sluice.stream.StreamMode;
import dev.sluice.stream.StreamStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeMetricsTest {

  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final NodeMetrics metrics = new NodeMetrics(registry);
  final ShardRef shard = new ShardRef("orders", "shardId-000000000000");

  double latest() {
    return registry.get("sluice.shard.latest.sequence").tag("stream", "orders").gauge().value();
  }

  @Test
  void retain_streamDeleted_itsMetersAreRemoved() {
    metrics.onAppend(shard, 1, 10, 41);
    metrics.recordsOut("orders", 3);
    metrics.retain(Map.of("orders", 1_000L));
    assertThat(registry.find("sluice.stream.records.out").tag("stream", "orders").counter())
        .isNotNull();

    metrics.retain(Map.of());

    assertThat(registry.find("sluice.shard.latest.sequence").tag("stream", "orders").gauge())
        .isNull();
    assertThat(registry.find("sluice.stream.records.out").tag("stream", "orders").counter())
        .isNull();
  }

  @Test
  void retain_streamCreatedAgainUnderItsName_newStreamStartsFromItsOwnOffsets() {
    metrics.onAppend(shard, 1, 10, 41);
    metrics.retain(Map.of("orders", 1_000L));
    assertThat(latest()).isEqualTo(41);

    metrics.retain(Map.of("orders", 2_000L)); // deleted and created again since
    metrics.onAppend(shard, 1, 10, 0);

    assertThat(latest()).isEqualTo(0);
  }

  @Test
  void forgetExpired_shardGoneFromItsStream_itsGaugeIsRemovedAndTheOthersStay() {
    ShardRef child = new ShardRef("orders", "shardId-000000000001");
    metrics.onAppend(shard, 1, 10, 41);
    metrics.onAppend(child, 1, 10, 7);
    Shard kept = Shard.open(1, "shardId-000000000000", null, HashKeys.split(1).get(0), 0);
    Shard newer = Shard.open(2, null, null, HashKeys.split(1).get(0), 0);
    // shard 0 expired; shard 2 is newer than what the view knows of the stream
    metrics.onAppend(new ShardRef("orders", newer.id()), 1, 10, 3);
    StreamMeta meta =
        new StreamMeta(
            "orders",
            StreamStatus.ACTIVE,
            StreamMode.PROVISIONED,
            24,
            1_000L,
            List.of(kept),
            Map.of(),
            2,
            1);

    metrics.forgetExpired(List.of(meta));

    assertThat(registry.find("sluice.shard.latest.sequence").tag("shard", shard.shard()).gauge())
        .isNull();
    assertThat(
            registry
                .get("sluice.shard.latest.sequence")
                .tag("shard", child.shard())
                .gauge()
                .value())
        .isEqualTo(7);
    assertThat(registry.find("sluice.shard.latest.sequence").tag("shard", newer.id()).gauge())
        .isNotNull();
  }
}
