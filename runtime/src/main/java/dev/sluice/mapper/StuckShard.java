package dev.sluice.mapper;

/**
 * A shard of a mapping that is stuck, for the health check.
 *
 * @param uuid the mapping
 * @param functionName its function
 * @param stream its stream
 * @param shardId the shard
 * @param reason why it is stuck
 */
public record StuckShard(
    String uuid, String functionName, String stream, String shardId, String reason) {}
