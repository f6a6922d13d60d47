package dev.sluice.stream;

/** Capacity mode, as Kinesis's StreamModeDetails names it. */
public enum StreamMode {
  /** The user chooses the shard count. */
  PROVISIONED,
  /** Starts with four shards; locally there is no throughput to scale for. */
  ON_DEMAND
}
