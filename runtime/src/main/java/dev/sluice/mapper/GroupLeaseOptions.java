package dev.sluice.mapper;

import java.time.Duration;

/**
 * Settings of {@link ShardLeases#kafkaGroups}.
 *
 * @param bootstrap Kafka bootstrap servers of the storage cluster
 * @param topicPrefix the storage's topic prefix: stream {@code s} is topic {@code <prefix>s}, and a
 *     mapping's group is {@code <prefix>mapping-<uuid>}
 * @param sessionTimeout a node silent this long loses its shards; heartbeats go at a third of it
 */
public record GroupLeaseOptions(String bootstrap, String topicPrefix, Duration sessionTimeout) {

  /** Validates the settings. */
  public GroupLeaseOptions {
    if (bootstrap == null || bootstrap.isBlank()) {
      throw new IllegalArgumentException("group leases need bootstrap servers");
    }
    if (topicPrefix == null) {
      throw new IllegalArgumentException("topic prefix must not be null");
    }
    if (sessionTimeout == null || sessionTimeout.toMillis() < 3) {
      throw new IllegalArgumentException("session timeout must be positive");
    }
  }
}
