package dev.sluice.stream;

/**
 * Account-level limits the catalog enforces, as Kinesis reports them in DescribeLimits.
 *
 * @param shardLimit open shards allowed across all streams
 * @param onDemandStreamLimit ON_DEMAND streams allowed
 */
public record StreamLimits(int shardLimit, int onDemandStreamLimit) {

  /** Shards an ON_DEMAND stream starts with. */
  public static final int ON_DEMAND_SHARDS = 4;

  /** Tags one stream may carry, Sluice's own aside. */
  public static final int MAX_TAGS = 50;

  /**
   * The prefix of the tags Sluice's deploys put on streams (the stack's marks); they do not count
   * against {@link #MAX_TAGS}, so a template may give a stream all 50 of its own.
   */
  public static final String SLUICE_TAG_PREFIX = "sluice:";

  /** Shortest retention in hours. */
  public static final int MIN_RETENTION_HOURS = 24;

  /** Largest record a stream takes: its data and partition key together, 1 MiB as in Kinesis. */
  public static final int MAX_RECORD_BYTES = 1024 * 1024;

  /** Longest retention in hours. */
  public static final int MAX_RETENTION_HOURS = 8760;
}
