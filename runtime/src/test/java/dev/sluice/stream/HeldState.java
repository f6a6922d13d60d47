package dev.sluice.stream;

import dev.sluice.cluster.StateException;
import dev.sluice.cluster.StateListener;
import dev.sluice.cluster.StateStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shared node state of one node, in memory, whose order the test decides: what the node writes
 * is held until the test reads it back ({@link #readBack}), and records of other nodes are put in
 * between with {@link #fromAnotherNode}. It keeps {@link StateStore}'s delivery rules: a {@code
 * listen} listener gets other nodes' records only, a {@code listenAll} listener every record, told
 * which are the node's own.
 */
final class HeldState implements StateStore {

  private record Written(String key, byte[] value) {}

  private record Registered(String prefix, StateListener listener, boolean ownToo) {}

  private final Deque<Written> held = new ArrayDeque<>();
  private final List<Registered> listeners = new ArrayList<>();

  /** Each key's last record delivered, as compaction leaves them for a node starting later. */
  private final Map<String, byte[]> compacted = new ConcurrentHashMap<>();

  @Override
  public Map<String, byte[]> snapshot(String prefix) {
    Map<String, byte[]> out = new HashMap<>();
    compacted.forEach(
        (k, v) -> {
          if (k.startsWith(prefix)) {
            out.put(k, v);
          }
        });
    return out;
  }

  @Override
  public void listen(String prefix, StateListener listener) {
    listeners.add(new Registered(prefix, listener, false));
  }

  @Override
  public void listenAll(String prefix, StateListener listener) {
    listeners.add(new Registered(prefix, listener, true));
  }

  @Override
  public void follow() {}

  /** Writes to let through before one fails; negative: none fails. */
  private int failAfter = -1;

  /** Writes to let through before some are refused without landing, and how many. */
  private int refuseAfter = -1;

  private int refusals;

  @Override
  public synchronized void put(String key, byte[] value) {
    hold(new Written(key, value));
  }

  @Override
  public synchronized void remove(String key) {
    hold(new Written(key, null));
  }

  /**
   * Makes the next write fail as a timed-out one does in Kafka: the writer gets an error, and the
   * record lands all the same.
   */
  synchronized void failNextWrite() {
    failWriteAfter(0);
  }

  /** Makes the write after the next {@code writes} ones fail as {@link #failNextWrite} says. */
  synchronized void failWriteAfter(int writes) {
    failAfter = writes;
  }

  /**
   * Refuses {@code count} writes after the next {@code writes} ones as Kafka refuses a write it
   * never takes (no metadata within max.block.ms, too few in-sync replicas): the writer gets an
   * error, and the record never lands.
   */
  synchronized void refuseWrites(int writes, int count) {
    refuseAfter = writes;
    refusals = count;
  }

  private void hold(Written w) {
    if (refusals > 0 && refuseAfter-- <= 0) {
      refusals--;
      throw new StateException("refused writing " + w.key);
    }
    held.add(w);
    if (failAfter >= 0 && failAfter-- == 0) {
      throw new StateException("timed out writing " + w.key);
    }
  }

  /** How many of the node's own writes are held. */
  synchronized int held() {
    return held.size();
  }

  /** The value of the node's oldest held write (null: a removal); one must be held. */
  synchronized byte[] oldest() {
    return held.getFirst().value();
  }

  /** Reads back the node's oldest held write; returns whether it was a removal. */
  boolean readBack() {
    Written w;
    synchronized (this) {
      w = held.remove();
    }
    deliver(w.key, w.value, true);
    return w.value == null;
  }

  /** Reads back every held write, oldest first. */
  void readBackAll() {
    while (held() > 0) {
      readBack();
    }
  }

  /** Delivers a record another node wrote ({@code value} null: a removal). */
  void fromAnotherNode(String key, byte[] value) {
    deliver(key, value, false);
  }

  private void deliver(String key, byte[] value, boolean own) {
    if (value == null) {
      compacted.remove(key);
    } else {
      compacted.put(key, value);
    }
    for (Registered r : listeners) {
      if (key.startsWith(r.prefix()) && (r.ownToo() || !own)) {
        r.listener().changed(key, value, own);
      }
    }
  }

  @Override
  public void close() {}
}
