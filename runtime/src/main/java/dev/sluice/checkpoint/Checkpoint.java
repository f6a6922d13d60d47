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
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Checkpoint(long offset, boolean finished, WindowState window) {

  /** The canonical constructor, named for Jackson since the record has two. */
  @JsonCreator
  public Checkpoint {}

  /** A checkpoint without a tumbling window. */
  public Checkpoint(long offset, boolean finished) {
    this(offset, finished, null);
  }
}
