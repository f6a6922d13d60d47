package dev.sluice.log;

import java.util.Objects;

/**
 * Names one shard log: the stream it belongs to and its shard id. Storage engines use it as the key
 * of everything they keep per shard.
 *
 * @param stream the stream name ({@code [a-zA-Z0-9_.-]+}, 1–128 characters)
 * @param shard the shard id, e.g. {@code shardId-000000000000}
 */
public record ShardRef(String stream, String shard) {

  /** Validates that both parts are present. */
  public ShardRef {
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(shard, "shard");
  }

  @Override
  public String toString() {
    return stream + "/" + shard;
  }
}
