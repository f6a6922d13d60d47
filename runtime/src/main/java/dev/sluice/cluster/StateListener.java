package dev.sluice.cluster;

/** Receives changes to the shared node state, one at a time, in the shared order. */
@FunctionalInterface
public interface StateListener {

  /**
   * {@code key} now holds {@code value}, or was removed when {@code value} is null. Runs on the
   * store's applying thread: a slow listener delays every later change (but not the {@link
   * StateStore#peek peekers}).
   */
  void changed(String key, byte[] value);

  /**
   * As {@link #changed(String, byte[])}; {@code own} says this node wrote the record. A {@link
   * StateStore#listenAll} listener gets every own record; a {@link StateStore#listen} listener only
   * those that another node's record overtook.
   */
  default void changed(String key, byte[] value, boolean own) {
    changed(key, value);
  }
}
