package dev.sluice.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.log.ShardRef;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
}
