package dev.sluice.testing;

import dev.sluice.cluster.StateException;
import dev.sluice.cluster.StateListener;
import dev.sluice.cluster.StateStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The shared state of one node, in memory: what the node writes is kept (and not delivered back, as
 * a store does with a node's own writes), and a test plays another node with {@link #remote}.
 */
public final class MemoryState implements StateStore {

  private record Registered(String prefix, StateListener listener) {}

  /** What the state holds now, key by key. */
  public final Map<String, byte[]> values = new LinkedHashMap<>();

  private final List<Registered> listeners = new CopyOnWriteArrayList<>();

  /** Removals of keys starting so fail, as with the broker going away; null: none fail. */
  public volatile String refusedRemovals;

  /** Another node's write ({@code value} null: its removal), delivered as a store delivers it. */
  public void remote(String key, byte[] value) {
    synchronized (this) {
      if (value == null) {
        values.remove(key);
      } else {
        values.put(key, value);
      }
    }
    for (Registered r : listeners) {
      if (key.startsWith(r.prefix())) {
        r.listener().changed(key, value);
      }
    }
  }

  @Override
  public synchronized Map<String, byte[]> snapshot(String prefix) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    values.forEach(
        (k, v) -> {
          if (k.startsWith(prefix)) {
            out.put(k, v);
          }
        });
    return out;
  }

  @Override
  public void listen(String prefix, StateListener listener) {
    listeners.add(new Registered(prefix, listener));
  }

  @Override
  public void listenAll(String prefix, StateListener listener) {
    listeners.add(new Registered(prefix, listener));
  }

  @Override
  public void follow() {}

  @Override
  public synchronized void put(String key, byte[] value) {
    values.put(key, value);
  }

  @Override
  public synchronized void remove(String key) {
    if (refusedRemovals != null && key.startsWith(refusedRemovals)) {
      throw new StateException("broker unreachable");
    }
    values.remove(key);
  }

  @Override
  public void close() {}
}
