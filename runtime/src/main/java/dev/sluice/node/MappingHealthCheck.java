package dev.sluice.node;

import dev.sluice.mapper.StuckShard;
import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * Reports stuck mapping shards in {@code /q/health} and {@code /q/health/well}. It is a wellness
 * check on purpose: a stuck shard needs an operator, not a restart (liveness) nor traffic taken
 * away from the node (readiness), so it stays out of {@code /q/health/live} and {@code
 * /q/health/ready}.
 */
@Wellness
@ApplicationScoped
public class MappingHealthCheck implements HealthCheck {

  static final String NAME = "sluice-mappings";

  private final SluiceNode node;

  MappingHealthCheck(SluiceNode node) {
    this.node = node;
  }

  /** DOWN naming each stuck shard ({@code UUID/shardId} → reason), UP when none is stuck. */
  @Override
  public HealthCheckResponse call() {
    return response(node.mappings().stuck());
  }

  static HealthCheckResponse response(List<StuckShard> stuck) {
    HealthCheckResponseBuilder b = HealthCheckResponse.named(NAME).status(stuck.isEmpty());
    b.withData("stuckShards", stuck.size());
    for (StuckShard s : stuck) {
      b.withData(
          s.uuid() + "/" + s.shardId(),
          s.reason() + " (function " + s.functionName() + ", stream " + s.stream() + ")");
    }
    return b.build();
  }
}
