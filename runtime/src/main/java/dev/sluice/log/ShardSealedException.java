package dev.sluice.log;

/** An append reached a shard after it was sealed; the caller should route to the children. */
public class ShardSealedException extends LogException {

  /** Names the sealed shard. */
  public ShardSealedException(ShardRef shard) {
    super("shard " + shard + " is sealed");
  }
}
