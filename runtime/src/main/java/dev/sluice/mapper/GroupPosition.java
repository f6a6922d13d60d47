package dev.sluice.mapper;

/**
 * Where a mapping's consumer group stands in one partition, whichever node reads it.
 *
 * @param offset the group's committed offset: the next record to process
 * @param lag records from that offset to the partition's end (Lambda's OffsetLag), 0 or more
 * @param host the host of the group member that reads the partition now, as the broker saw its
 *     connection (e.g. {@code /10.0.0.5}), or null when no member has it
 */
public record GroupPosition(long offset, long lag, String host) {}
