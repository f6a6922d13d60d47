package dev.sluice.stream;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.cluster.StateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Keeps the catalog in the shared node state: stream {@code S} is the JSON of its {@link
 * StreamMeta} under key {@code stream/S}. Saving writes only the stream that changed.
 */
final class SharedCatalogStore implements CatalogStore {

  private static final String PREFIX = "stream/";

  private final StateStore state;
  private final ObjectMapper mapper =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  SharedCatalogStore(StateStore state) {
    this.state = state;
  }

  @Override
  public List<StreamMeta> load() {
    List<StreamMeta> out = new ArrayList<>();
    for (byte[] value : state.snapshot(PREFIX).values()) {
      StreamMeta meta = read(value);
      out.add(meta);
    }
    return out;
  }

  @Override
  public void save(Collection<StreamMeta> streams, String changed) {
    for (StreamMeta meta : streams) {
      if (meta.name().equals(changed)) {
        state.put(PREFIX + changed, write(meta));
        return;
      }
    }
    state.remove(PREFIX + changed);
  }

  @Override
  public void onRemote(BiConsumer<String, StreamMeta> change) {
    state.listen(
        PREFIX,
        (key, value) -> change.accept(key.substring(PREFIX.length()), value == null ? null : read(value)));
  }

  @Override
  public boolean exclusive() {
    return false;
  }

  private StreamMeta read(byte[] value) {
    try {
      return mapper.readValue(value, StreamMeta.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read a stream from the node state", e);
    }
  }

  private byte[] write(StreamMeta meta) {
    try {
      return mapper.writeValueAsBytes(meta);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode stream " + meta.name(), e);
    }
  }
}
