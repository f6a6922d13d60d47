package dev.sluice.mapper;

/**
 * Where a mapping's consumer group stands in one partition, whichever node reads it.
 *
 * @param offset the group's committed offset: the next record to process
 * @param lag records from that offset to the partition's end (Lambda's OffsetLag), 0 or more
 */
public record GroupPosition(long offset, long lag) {}
