package dev.sluice.mapper;

import java.util.Arrays;
import java.util.NoSuchElementException;

/**
 * The offsets a shard processor (or a Kafka partition's work) read and has not completed yet: added
 * in increasing order (reads only move forward), removed in any order (lanes finish independently).
 * A sorted array with completion flags instead of a {@code TreeSet<Long>}: every delivered record
 * passes through here, and a boxed tree node per record was a fifth of the event loops' time.
 */
public final class PendingOffsets {

  private long[] offsets = new long[1024];
  private boolean[] done = new boolean[1024];
  private int head;
  private int tail;
  private int size;
  private int hint;

  /** Adds {@code offset}, which must exceed every offset added before. */
  public void add(long offset) {
    if (tail > head && offset <= offsets[tail - 1]) {
      throw new IllegalArgumentException("offset " + offset + " added after " + offsets[tail - 1]);
    }
    if (tail == offsets.length) {
      makeRoom();
    }
    offsets[tail] = offset;
    done[tail] = false;
    tail++;
    size++;
  }

  /** Removes {@code offset}; false when it is not pending. */
  public boolean remove(long offset) {
    // a batch completes its offsets in order: the slot after the last removed one is the likely one
    int i =
        hint >= head && hint < tail && offsets[hint] == offset
            ? hint
            : Arrays.binarySearch(offsets, head, tail, offset);
    if (i < 0 || done[i]) {
      return false;
    }
    done[i] = true;
    hint = i + 1;
    size--;
    while (head < tail && done[head]) {
      head++;
    }
    if (head == tail) {
      head = 0;
      tail = 0;
    }
    return true;
  }

  /** The lowest pending offset. */
  public long first() {
    if (size == 0) {
      throw new NoSuchElementException();
    }
    return offsets[head];
  }

  /** How many offsets are pending. */
  public int size() {
    return size;
  }

  /**
   * How many offsets are held from the lowest pending one on, completed ones included: what the
   * memory of this tracker grows with.
   */
  public int span() {
    return tail - head;
  }

  /** Whether no offset is pending. */
  public boolean isEmpty() {
    return size == 0;
  }

  private void makeRoom() {
    int live = tail - head;
    if (live > offsets.length / 2) {
      offsets = Arrays.copyOf(offsets, offsets.length * 2);
      done = Arrays.copyOf(done, done.length * 2);
    }
    System.arraycopy(offsets, head, offsets, 0, live);
    System.arraycopy(done, head, done, 0, live);
    head = 0;
    tail = live;
  }
}
