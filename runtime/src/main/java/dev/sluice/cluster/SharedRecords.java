package dev.sluice.cluster;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One kind of record in the shared node state, as JSON: the value of key {@code PREFIX + id} is the
 * JSON of a {@code T}. Streams, functions and mappings are each one kind.
 *
 * @param <T> the record type (a Jackson-readable record)
 */
public final class SharedRecords<T> {

  private static final ObjectMapper MAPPER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final StateStore state;
  private final String prefix;
  private final Class<T> type;

  /** Applies what another node changed; returns once it is applied (see {@link StateStore}). */
  public interface Remote<T> {
    /** Record {@code id} now holds {@code value}. */
    void changed(String id, T value);

    /**
     * Record {@code id} now holds {@code value}; {@code own} says this node wrote it (see {@link
     * StateListener}).
     */
    default void changed(String id, T value, boolean own) {
      changed(id, value);
    }

    /** Record {@code id} was removed. */
    void removed(String id);

    /** Record {@code id} was removed; {@code own} says by this node (see {@link StateListener}). */
    default void removed(String id, boolean own) {
      removed(id);
    }
  }

  /** Records of {@code type} under keys starting with {@code prefix} (e.g. {@code "mapping/"}). */
  public SharedRecords(StateStore state, String prefix, Class<T> type) {
    this.state = state;
    this.prefix = prefix;
    this.type = type;
  }

  /** Every record, in the order they were last written; only before the store follows. */
  public List<T> load() {
    List<T> out = new ArrayList<>();
    for (byte[] value : state.snapshot(prefix).values()) {
      out.add(read(value));
    }
    return out;
  }

  /**
   * Every record the store still held when it opened ({@link StateStore#history}), in order, as
   * (id, value) with null values for removals; only before the store follows.
   */
  public List<Map.Entry<String, T>> history() {
    List<Map.Entry<String, T>> out = new ArrayList<>();
    for (Map.Entry<String, byte[]> e : state.history(prefix)) {
      String id = e.getKey().substring(prefix.length());
      T value = e.getValue() == null ? null : read(e.getValue());
      out.add(new AbstractMap.SimpleEntry<>(id, value));
    }
    return out;
  }

  /** Calls {@code remote} for each change another node makes, once the store follows. */
  public void listen(Remote<T> remote) {
    state.listen(prefix, listener(remote));
  }

  /**
   * Calls {@code remote} for every record in the shared order, this node's own included ({@link
   * StateStore#listenAll}), once the store follows.
   */
  public void listenAll(Remote<T> remote) {
    state.listenAll(prefix, listener(remote));
  }

  /**
   * Calls {@code remote} for every record as soon as it is read, before it is applied ({@link
   * StateStore#peek}): it must return quickly and take no lock.
   */
  public void peek(Remote<T> remote) {
    state.peek(prefix, listener(remote));
  }

  private StateListener listener(Remote<T> remote) {
    return new StateListener() {
      @Override
      public void changed(String key, byte[] value) {
        changed(key, value, false);
      }

      @Override
      public void changed(String key, byte[] value, boolean own) {
        String id = key.substring(prefix.length());
        if (value == null) {
          remote.removed(id, own);
        } else {
          remote.changed(id, read(value), own);
        }
      }
    };
  }

  /** Writes record {@code id}; blocking, durable when it returns. */
  public void put(String id, T value) {
    try {
      state.put(prefix + id, MAPPER.writeValueAsBytes(value));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode " + prefix + id, e);
    }
  }

  /** Removes record {@code id}; blocking, durable when it returns. */
  public void remove(String id) {
    state.remove(prefix + id);
  }

  /** See {@link StateStore#awaitCurrent()}: call before a change, without a listener's lock. */
  public void awaitCurrent() {
    state.awaitCurrent();
  }

  private T read(byte[] value) {
    try {
      return MAPPER.readValue(value, type);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read a " + type.getSimpleName() + " from the node state", e);
    }
  }
}
