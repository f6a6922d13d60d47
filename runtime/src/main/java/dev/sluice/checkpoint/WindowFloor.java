package dev.sluice.checkpoint;

/**
 * How far a shard's tumbling windows went, saved with its checkpoint even when no window is open:
 * no record goes into a window that starts before {@code floor}, so that a late record (its
 * writer's clock behind, or stepped back) cannot open a window again that had its final invoke, not
 * even after a restart.
 *
 * @param floor the open window's start, or the end of the last closed one (epoch millis)
 * @param lengthMillis the window length it was reached with: windows of another length start afresh
 */
public record WindowFloor(long floor, long lengthMillis) {}
