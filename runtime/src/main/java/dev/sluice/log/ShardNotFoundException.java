package dev.sluice.log;

/** The engine has no log for the shard (never created, or deleted). */
public class ShardNotFoundException extends LogException {

  /** Names the missing shard. */
  public ShardNotFoundException(ShardRef shard) {
    super("no log for shard " + shard);
  }

  /** Names the missing shard and why it is missing. */
  public ShardNotFoundException(ShardRef shard, String why) {
    super("no log for shard " + shard + ": " + why);
  }
}
