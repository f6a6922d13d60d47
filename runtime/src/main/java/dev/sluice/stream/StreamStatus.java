package dev.sluice.stream;

/** Where a stream is in its life, with Kinesis's names. */
public enum StreamStatus {
  /** Shard logs are being created; the stream takes no records yet. */
  CREATING,
  /** Open for reads and writes. */
  ACTIVE,
  /** Resharding or changing settings; reads and writes go on. */
  UPDATING,
  /** Being deleted; nothing more can be done with it. */
  DELETING,
  /**
   * Only in the node state several nodes share, never shown: the name's stream is deleted, written
   * where a tombstone could remove a stream created again meanwhile (see {@code StreamCatalog}).
   */
  GONE
}
