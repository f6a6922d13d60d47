package dev.sluice.testing;

import dev.sluice.cluster.StateListener;
import dev.sluice.cluster.StateStore;
import java.util.List;
import java.util.Map;

/**
 * One node's view of a {@link MemoryState}: what it writes reaches its own {@link #listenAll}
 * listeners (as a store delivers a node's own writes) and every other node's listeners.
 */
public class MemoryNode implements StateStore {

  private final MemoryState world;

  /** A node of {@code world}; null: the world itself is the node. */
  MemoryNode(MemoryState world) {
    this.world = world;
  }

  private MemoryState world() {
    return world == null ? (MemoryState) this : world;
  }

  @Override
  public Map<String, byte[]> snapshot(String prefix) {
    return world().snapshotOf(prefix);
  }

  @Override
  public List<Map.Entry<String, byte[]>> history(String prefix) {
    return world().historyOf(prefix);
  }

  @Override
  public void listen(String prefix, StateListener listener) {
    world().register(this, prefix, listener, false);
  }

  @Override
  public void listenAll(String prefix, StateListener listener) {
    world().register(this, prefix, listener, true);
  }

  /** Whether {@link #awaitCurrent} reports this node's view behind the log, as after a stall. */
  public volatile boolean behind;

  @Override
  public void follow() {}

  @Override
  public boolean awaitCurrent() {
    return !behind;
  }

  @Override
  public void put(String key, byte[] value) {
    world().write(this, key, value);
  }

  @Override
  public void remove(String key) {
    world().write(this, key, null);
  }

  @Override
  public void close() {}
}
