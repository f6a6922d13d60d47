package dev.sluice.testing;

import dev.sluice.cluster.StateException;
import dev.sluice.cluster.StateListener;
import dev.sluice.cluster.StateStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The shared state of one node, in memory, delivering synchronously on the writer's thread: what
 * the node writes is kept and reaches its own {@link #listenAll} listeners (as a store delivers a
 * node's own writes) and the listeners of the nodes made with {@link #otherNode}; a test plays
 * another node's write with {@link #remote}.
 */
public final class MemoryState extends MemoryNode {

  /** A state with no write yet; it is its first node. */
  public MemoryState() {
    super(null);
  }

  private record Registered(StateStore owner, String prefix, StateListener listener, boolean all) {}

  /** What the state holds now, key by key. */
  public final Map<String, byte[]> values = new LinkedHashMap<>();

  private final List<Registered> listeners = new CopyOnWriteArrayList<>();

  /** Every write in order, as a topic keeps them until compaction ({@link #compact}). */
  private final List<Map.Entry<String, byte[]>> log = new java.util.ArrayList<>();

  private final java.util.concurrent.atomic.AtomicInteger delivering =
      new java.util.concurrent.atomic.AtomicInteger();

  /** Drops every write but each key's last, as Kafka's compaction does (removals included). */
  public synchronized void compact() {
    log.clear();
    values.forEach((k, v) -> log.add(new java.util.AbstractMap.SimpleImmutableEntry<>(k, v)));
  }

  /**
   * Drops the {@code occurrence}-th (from 0) record of {@code key} from what a node starting now
   * reads, as Kafka's cleaner does when it rewrites segments that a starting node has not reached
   * yet after it read an earlier record of the key.
   */
  public synchronized void cleanedWhileReading(String key, int occurrence) {
    int seen = 0;
    for (int i = 0; i < log.size(); i++) {
      if (log.get(i).getKey().equals(key) && seen++ == occurrence) {
        log.remove(i);
        return;
      }
    }
    throw new IllegalArgumentException("no record " + occurrence + " of " + key);
  }

  /** Whether no write is being delivered to listeners now. */
  public boolean quiet() {
    return delivering.get() == 0;
  }

  /** Removals of keys starting so fail, as with the broker going away; null: none fail. */
  public volatile String refusedRemovals;

  private final Map<String, Runnable> beforeWrites = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Runs {@code action} once, on the writer's thread, just before the next write of {@code key}:
   * for another node's change that lands between a node's view and its write.
   */
  public void beforeNextWrite(String key, Runnable action) {
    beforeWrites.put(key, action);
  }

  private final Map<String, Runnable> beforePrefixWrites =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** As {@link #beforeNextWrite}, for the next write of a key starting with {@code prefix}. */
  public void beforeNextWriteUnder(String prefix, Runnable action) {
    beforePrefixWrites.put(prefix, action);
  }

  /** Another node's write ({@code value} null: its removal), delivered as a store delivers it. */
  public void remote(String key, byte[] value) {
    write(null, key, value);
  }

  /** Another node sharing this state: each one's writes reach the other's listeners. */
  public MemoryNode otherNode() {
    return new MemoryNode(this);
  }

  void register(StateStore owner, String prefix, StateListener listener, boolean all) {
    listeners.add(new Registered(owner, prefix, listener, all));
  }

  void write(StateStore writer, String key, byte[] value) {
    Runnable before = beforeWrites.remove(key);
    if (before != null) {
      before.run();
    }
    for (String prefix : List.copyOf(beforePrefixWrites.keySet())) {
      Runnable action = key.startsWith(prefix) ? beforePrefixWrites.remove(prefix) : null;
      if (action != null) {
        action.run();
      }
    }
    delivering.incrementAndGet();
    try {
      synchronized (this) {
        if (value == null) {
          if (refusedRemovals != null && writer != null && key.startsWith(refusedRemovals)) {
            throw new StateException("broker unreachable");
          }
          values.remove(key);
        } else {
          values.put(key, value);
        }
        log.add(new java.util.AbstractMap.SimpleImmutableEntry<>(key, value));
      }
      for (Registered r : listeners) {
        boolean own = r.owner() == writer;
        if (key.startsWith(r.prefix()) && (!own || r.all())) {
          r.listener().changed(key, value, own);
        }
      }
    } finally {
      delivering.decrementAndGet();
    }
  }

  synchronized Map<String, byte[]> snapshotOf(String prefix) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    values.forEach(
        (k, v) -> {
          if (k.startsWith(prefix)) {
            out.put(k, v);
          }
        });
    return out;
  }

  synchronized List<Map.Entry<String, byte[]>> historyOf(String prefix) {
    return log.stream().filter(e -> e.getKey().startsWith(prefix)).toList();
  }
}
