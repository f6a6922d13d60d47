package dev.sluice.checkpoint;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Where a consumer stands in one shard.
 *
 * @param offset the offset of the next record to process: everything below it succeeded or was
 *     deliberately skipped
 * @param finished true once the shard is closed and every record of it was processed, so that its
 *     children may start
 * @param window the open tumbling window, whose state covers the records of it below {@code
 *     offset}; null without one
 * @param incarnation the creation time (epoch millis, the stream's {@code createdMillis}) of the
 *     stream the offset is in: a stream deleted and created again under its name has the same shard
 *     ids, and offsets of the old one mean nothing in the new one. Null in checkpoints stored
 *     before Sluice recorded it, which count as the current stream's
 * @param windowFloor the tumbling windows' bound, which outlives the open window; null without
 *     tumbling windows, before the first one, and in checkpoints stored before Sluice recorded it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Checkpoint(
    long offset, boolean finished, WindowState window, Long incarnation, WindowFloor windowFloor) {

  /** The canonical constructor, named for Jackson since the record has several. */
  @JsonCreator
  public Checkpoint {}

  /** A checkpoint without a window floor. */
  public Checkpoint(long offset, boolean finished, WindowState window, Long incarnation) {
    this(offset, finished, window, incarnation, null);
  }

  /** A checkpoint that names no stream incarnation. */
  public Checkpoint(long offset, boolean finished, WindowState window) {
    this(offset, finished, window, null, null);
  }

  /** A checkpoint without a tumbling window that names no stream incarnation. */
  public Checkpoint(long offset, boolean finished) {
    this(offset, finished, null, null, null);
  }

  /** This checkpoint, in the stream created at {@code createdMillis}. */
  public Checkpoint in(long createdMillis) {
    return new Checkpoint(offset, finished, window, createdMillis, windowFloor);
  }
}
