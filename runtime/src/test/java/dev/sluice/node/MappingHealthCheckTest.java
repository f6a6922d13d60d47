package dev.sluice.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.mapper.StuckShard;
import java.util.List;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

class MappingHealthCheckTest {

  @Test
  void response_noStuckShard_up() {
    HealthCheckResponse r = MappingHealthCheck.response(List.of());

    assertThat(r.getName()).isEqualTo("sluice-mappings");
    assertThat(r.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
    assertThat(r.getData()).hasValueSatisfying(d -> assertThat(d).containsEntry("stuckShards", 0L));
  }

  @Test
  void response_stuckShards_downNamingEachWithItsReason() {
    HealthCheckResponse r =
        MappingHealthCheck.response(
            List.of(
                new StuckShard("u-1", "fn", "orders", "shardId-000000000000", "retrying"),
                new StuckShard("u-2", "fn2", "orders", "shardId-000000000001", "too old")));

    assertThat(r.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
    assertThat(r.getData())
        .hasValueSatisfying(
            d ->
                assertThat(d)
                    .containsEntry("stuckShards", 2L)
                    .containsEntry(
                        "u-1/shardId-000000000000", "retrying (function fn, stream orders)")
                    .containsEntry(
                        "u-2/shardId-000000000001", "too old (function fn2, stream orders)"));
  }
}
