package dev.sluice.cluster;

import java.util.ArrayDeque;

/**
 * Records the state reader has read and the applier has not applied yet, in the shared order,
 * bounded by their bytes: a slow applier (a function package unzipped) then stops the reader, and
 * the node's view ages instead of its memory growing. One item always fits, however large.
 *
 * <p>Threads: one reader puts, one applier takes; both may wait here.
 */
final class ApplyQueue {

  /** Bytes counted per item besides its key and value, so many small ones are bounded too. */
  private static final long OVERHEAD = 256;

  /**
   * A record read, as the reader decoded it ({@code own}: this node wrote it), or ({@code key}
   * null) the reader's position moved past offsets without records (compacted away, transaction
   * markers); {@code position} is the offset after either. {@code write} numbers an own record's
   * write (0: none).
   */
  record Item(String key, byte[] value, boolean own, long position, long write) {

    /** The reader moved to {@code position} without a record. */
    static Item moved(long position) {
      return new Item(null, null, false, position, 0);
    }

    /**
     * Not a record read: the own record of {@code key} that write {@code write} made, applied
     * already, is to be delivered after all (the write was reported failed); it moves no position.
     */
    static Item redeliver(String key, long write) {
      return new Item(key, null, true, -1, write);
    }

    boolean redelivery() {
      return position < 0;
    }

    /** What the item holds in memory, roughly: its key and value and the objects around them. */
    long bytes() {
      return OVERHEAD + (key == null ? 0 : key.length()) + (value == null ? 0 : value.length);
    }
  }

  private final ArrayDeque<Item> items = new ArrayDeque<>();
  private final long maxBytes;
  private long bytes;
  private boolean closed;

  ApplyQueue(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** Adds {@code item} once it fits; drops it once the queue is closed. */
  synchronized void put(Item item) throws InterruptedException {
    while (!closed && !items.isEmpty() && bytes + item.bytes() > maxBytes) {
      wait();
    }
    if (closed) {
      return;
    }
    items.add(item);
    bytes += item.bytes();
    notifyAll();
  }

  /**
   * Adds {@code item} at once, over the bound if need be: for a writer that must not wait on the
   * applier (it may hold a lock the applier's listeners take).
   */
  synchronized void add(Item item) {
    if (closed) {
      return;
    }
    items.add(item);
    bytes += item.bytes();
    notifyAll();
  }

  /** The oldest item, waiting for one as long as it takes; null once the queue is closed. */
  synchronized Item take() throws InterruptedException {
    while (!closed && items.isEmpty()) {
      wait();
    }
    if (closed) {
      return null;
    }
    Item item = items.poll();
    bytes -= item.bytes();
    notifyAll();
    return item;
  }

  /** Wakes both sides for good; what was not applied yet is dropped. */
  synchronized void close() {
    closed = true;
    items.clear();
    notifyAll();
  }
}
