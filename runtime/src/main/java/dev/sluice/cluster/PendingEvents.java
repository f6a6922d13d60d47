package dev.sluice.cluster;

import java.util.TreeMap;

/**
 * The events of one assigned partition handed over and not done yet, by offset, with their sizes.
 * The partition's commit point is the first of them, or past the last record read when none is
 * left: a node that takes the partition over runs again only what was not done. Only the queue's
 * poll thread touches it.
 */
final class PendingEvents {

  private final TreeMap<Long, Integer> open = new TreeMap<>();
  private long next = -1;
  private long committed = -1;

  /** Whether the node still holds the partition; false once it was revoked or lost. */
  volatile boolean current = true;

  /** Counts the record at {@code offset}, of {@code bytes}, as handed over. */
  void add(long offset, int bytes) {
    open.put(offset, bytes);
    next = Math.max(next, offset + 1);
  }

  /** Counts the record at {@code offset} as done; returns its size, or 0 if it was not open. */
  int done(long offset) {
    Integer bytes = open.remove(offset);
    return bytes == null ? 0 : bytes;
  }

  /** Where a consumer of the partition should start now, or -1 before any record was read. */
  long commitPoint() {
    return open.isEmpty() ? next : open.firstKey();
  }

  /** The commit point if it moved past the last one committed, else -1. */
  long toCommit() {
    long point = commitPoint();
    return point > committed ? point : -1;
  }

  /** Notes that {@code point} was committed. */
  void committed(long point) {
    committed = Math.max(committed, point);
  }

  /** The bytes of the events still open. */
  long openBytes() {
    return open.values().stream().mapToLong(Integer::longValue).sum();
  }
}
