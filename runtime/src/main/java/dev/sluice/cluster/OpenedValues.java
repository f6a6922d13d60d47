package dev.sluice.cluster;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The values a store read when opening, as a read-only map in the order they were last written.
 * Small values are held; a large one (a function package) is held as its offset and read from the
 * topic again each time it is asked for, so that a node starting on a state with many packages
 * holds one of them at a time instead of all. A large value whose record is gone from the topic
 * since (it was removed, and compacted away) reads as null.
 */
final class OpenedValues extends AbstractMap<String, byte[]> {

  /** Reads the record at an offset again. */
  interface Reader {
    /** The value of {@code key}'s record at {@code offset}, or null when that record is gone. */
    byte[] read(String key, long offset);
  }

  private final Map<String, Object> held;
  private final Reader reader;

  /** {@code held} maps each key to its value ({@code byte[]}) or to its record's offset (Long). */
  OpenedValues(Map<String, Object> held, Reader reader) {
    this.held = held;
    this.reader = reader;
  }

  @Override
  public byte[] get(Object key) {
    Object v = held.get(key);
    return v == null ? null : resolve((String) key, v);
  }

  @Override
  public boolean containsKey(Object key) {
    return held.containsKey(key);
  }

  @Override
  public Set<Entry<String, byte[]>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<String, byte[]>> iterator() {
        Iterator<Entry<String, Object>> it = held.entrySet().iterator();
        return new Iterator<>() {
          @Override
          public boolean hasNext() {
            return it.hasNext();
          }

          @Override
          public Entry<String, byte[]> next() {
            return new Lazy(it.next());
          }
        };
      }

      @Override
      public int size() {
        return held.size();
      }
    };
  }

  private byte[] resolve(String key, Object v) {
    return v instanceof byte[] b ? b : reader.read(key, (Long) v);
  }

  /** An entry whose value is read when asked for, and not kept. */
  private final class Lazy implements Entry<String, byte[]> {
    private final Entry<String, Object> held;

    Lazy(Entry<String, Object> held) {
      this.held = held;
    }

    @Override
    public String getKey() {
      return held.getKey();
    }

    @Override
    public byte[] getValue() {
      return resolve(held.getKey(), held.getValue());
    }

    @Override
    public byte[] setValue(byte[] value) {
      throw new UnsupportedOperationException("read-only");
    }
  }
}
