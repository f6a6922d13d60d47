package dev.sluice.mapper;

import java.util.Arrays;
import java.util.NoSuchElementException;

/**
 * The offsets a shard processor read and has not completed yet: added in increasing order (reads
 * only move forward), removed in any order (lanes finish independently). A sorted array with
 * completion flags instead of a {@code TreeSet<Long>}: every delivered record passes through here,
 * and a boxed tree node per record was a fifth of the event loops' time.
 */
final class PendingOffsets {

  private long[] offsets = new long[1024];
  private boolean[] done = new boolean[1024];
  private int head;
  private int tail;
  private int size;

  /** Adds {@code offset}, which must exceed every offset added before. */
  void add(long offset) {
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
  boolean remove(long offset) {
    int i = Arrays.binarySearch(offsets, head, tail, offset);
    if (i < 0 || done[i]) {
      return false;
    }
    done[i] = true;
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
  long first() {
    if (size == 0) {
      throw new NoSuchElementException();
    }
    return offsets[head];
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
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
