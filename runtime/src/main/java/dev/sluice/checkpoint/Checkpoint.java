package dev.sluice.checkpoint;

/**
 * Where a consumer stands in one shard.
 *
 * @param offset the offset of the next record to process: everything below it succeeded or was
 *     deliberately skipped
 * @param finished true once the shard is closed and every record of it was processed, so that its
 *     children may start
 */
public record Checkpoint(long offset, boolean finished) {}
