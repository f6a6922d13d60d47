package dev.sluice.stream;

import java.util.List;

/**
 * A reshard accepted but not yet carried out, kept with its stream while the stream is UPDATING, so
 * that a node that stops in between finishes it when it starts again instead of dropping a change
 * its caller was told had been accepted.
 *
 * @param shards every shard of the stream as the plan leaves it, in the plan's order: the shards it
 *     closes with an end of -1 (sealed existing shards) or 0 (shards created and closed at once),
 *     and the ones it creates
 * @param nextOrdinal the ordinal the next new shard gets once the plan is applied
 * @param plannedMillis when the reshard was asked for: its shards were opened and closed then
 */
public record ReshardPlan(List<Shard> shards, int nextOrdinal, long plannedMillis) {

  /** Copies the list so that the value cannot change under its readers. */
  public ReshardPlan {
    shards = List.copyOf(shards);
  }
}
