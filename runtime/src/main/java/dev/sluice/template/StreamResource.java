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
 * @param retain whether its DeletionPolicy keeps it when a later deploy of the stack no longer has
 *     it ({@code Retain}, {@code RetainExceptOnCreate})
 * @param retainOnReplace whether its UpdateReplacePolicy keeps it when a later deploy replaces it
 *     ({@code Retain}): the same logical id names another stream then
 */
public record StreamResource(
    String logicalId,
    String name,
    Integer shardCount,
    int retentionHours,
    String mode,
    Map<String, String> tags,
    boolean retain,
    boolean retainOnReplace) {

  /** A stream that a later deploy without it deletes (both policies Delete, the default). */
  public StreamResource(
      String logicalId,
      String name,
      Integer shardCount,
      int retentionHours,
      String mode,
      Map<String, String> tags) {
    this(logicalId, name, shardCount, retentionHours, mode, tags, false, false);
  }
}
