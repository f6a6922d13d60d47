package dev.sluice.template;

import java.util.Map;

/**
 * An {@code AWS::Kinesis::Stream}.
 *
 * @param logicalId the resource's key in the template
 * @param name the stream name
 * @param shardCount the shard count; null for an ON_DEMAND stream
 * @param retentionHours 24–8,760
 * @param mode PROVISIONED or ON_DEMAND
 * @param tags the stream's tags
 */
public record StreamResource(
    String logicalId,
    String name,
    Integer shardCount,
    int retentionHours,
    String mode,
    Map<String, String> tags) {}
