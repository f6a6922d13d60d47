package dev.sluice.cluster;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * One kind of record in the shared node state, as JSON: the value of key {@code PREFIX + id} is the
 * JSON of a {@code T}. Streams, functions and mappings are each one kind.
 *
 * @param <T> the record type (a Jackson-readable record)
 */
public final class SharedRecords<T> {

  private static final Logger LOG = Logger.getLogger(SharedRecords.class);

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

  /**
   * Every record, in the order they were last written; only before the store follows. A record this
   * version cannot read (written by a newer one, say) is logged and left out, as a running node
   * skips it when it arrives: it must not keep the node from starting.
   */
  public List<T> load() {
    List<T> out = new ArrayList<>();
    for (Map.Entry<String, byte[]> e : state.snapshot(prefix).entrySet()) {
      byte[] bytes = e.getValue();
      if (bytes == null) {
        continue; // a large value removed since the store opened: its removal follows
      }
      T value = readOrSkip(e.getKey(), bytes);
      if (value != null) {
        out.add(value);
      }
    }
    return out;
  }

  /**
   * Every record the store still held when it opened ({@link StateStore#history}), in order, as
   * (id, value) with null values for removals; only before the store follows. Records this version
   * cannot read are left out, as by {@link #load}.
   */
  public List<Map.Entry<String, T>> history() {
    List<Map.Entry<String, T>> out = new ArrayList<>();
    for (Map.Entry<String, byte[]> e : state.history(prefix)) {
      String id = e.getKey().substring(prefix.length());
      T value = e.getValue() == null ? null : readOrSkip(e.getKey(), e.getValue());
      if (e.getValue() == null || value != null) {
        out.add(new AbstractMap.SimpleEntry<>(id, value));
      }
    }
    return out;
  }

  private T readOrSkip(String key, byte[] value) {
    try {
      return read(value);
    } catch (UncheckedIOException e) {
      LOG.warnf("Skipping %s in the node state: %s", key, e.getCause().getMessage());
      return null;
    }
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
  public boolean awaitCurrent() {
    return state.awaitCurrent();
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
