package dev.sluice.log.file;

/** The record and byte limits of one read; the first record always fits. */
final class ReadBudget {

  private final int maxRecords;
  private final long maxBytes;
  private int records;
  private long bytes;
  private boolean exhausted;

  ReadBudget(int maxRecords, long maxBytes) {
    this.maxRecords = maxRecords;
    this.maxBytes = maxBytes;
  }

  /** Counts a record of {@code size} bytes if it fits; once one does not, nothing more does. */
  boolean take(int size) {
    if (full() || (records > 0 && bytes + size > maxBytes)) {
      exhausted = true;
      return false;
    }
    records++;
    bytes += size;
    return true;
  }

  boolean full() {
    return exhausted || records >= maxRecords;
  }
}
