package dev.sluice.log;

/**
 * The offsets a shard log holds right now.
 *
 * @param startOffset the oldest offset still stored (retention moves it forward)
 * @param endOffset one past the newest record (the offset the next append gets)
 * @param lastArrivalMillis arrival time of the newest record, or -1 when the shard has none
 * @param sealed true once the shard was sealed: it takes no more appends
 */
public record ShardOffsets(
    long startOffset, long endOffset, long lastArrivalMillis, boolean sealed) {}
