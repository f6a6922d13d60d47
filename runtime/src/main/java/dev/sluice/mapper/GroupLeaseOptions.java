package dev.sluice.mapper;

import dev.sluice.log.kafka.KafkaConnection;
import java.time.Duration;

/**
 * Settings of {@link ShardLeases#kafkaGroups}.
 *
 * @param connection the storage cluster: bootstrap servers and client properties (security)
 * @param topicPrefix the storage's topic prefix: stream {@code s} is topic {@code <prefix>s}, and a
 *     mapping's group is {@code <prefix>mapping-<uuid>}
 * @param sessionTimeout a node silent this long loses its shards; heartbeats go at a third of it
 */
public record GroupLeaseOptions(
    KafkaConnection connection, String topicPrefix, Duration sessionTimeout) {

  /** Validates the settings. */
  public GroupLeaseOptions {
    if (connection == null) {
      throw new IllegalArgumentException("group leases need bootstrap servers");
    }
    if (topicPrefix == null) {
      throw new IllegalArgumentException("topic prefix must not be null");
    }
    if (sessionTimeout == null || sessionTimeout.toMillis() < 3) {
      throw new IllegalArgumentException("session timeout must be positive");
    }
  }

  /** Settings for a cluster that needs no client properties. */
  public GroupLeaseOptions(String bootstrap, String topicPrefix, Duration sessionTimeout) {
    this(KafkaConnection.of(bootstrap), topicPrefix, sessionTimeout);
  }
}
