package dev.sluice.mapper;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.cluster.StateStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Shares mapping definitions through the node state ({@code mapping/UUID} holds the JSON of its
 * {@link MappingConfig}), so that a mapping created through any node runs on every node, each
 * taking its share of the shards.
 */
final class SharedMappings {

  private static final String PREFIX = "mapping/";

  /** Applies what another node changed. */
  interface Remote {
    /** Mapping {@code config.uuid()} now has {@code config}. */
    void changed(MappingConfig config);

    /** Mapping {@code uuid} was deleted. */
    void deleted(String uuid);
  }

  private final StateStore state;
  private final ObjectMapper mapper;

  SharedMappings(StateStore state, ObjectMapper mapper) {
    this.state = state;
    this.mapper = mapper;
  }

  /** Every shared mapping. */
  List<MappingConfig> load() {
    List<MappingConfig> out = new ArrayList<>();
    for (byte[] value : state.snapshot(PREFIX).values()) {
      out.add(read(value));
    }
    return out;
  }

  /** Calls {@code remote} for each change another node makes from now on. */
  void listen(Remote remote) {
    state.listen(
        PREFIX,
        (key, value) -> {
          if (value == null) {
            remote.deleted(key.substring(PREFIX.length()));
          } else {
            remote.changed(read(value));
          }
        });
  }

  void save(MappingConfig c) {
    try {
      state.put(PREFIX + c.uuid(), mapper.writeValueAsBytes(c));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void delete(String uuid) {
    state.remove(PREFIX + uuid);
  }

  private MappingConfig read(byte[] value) {
    try {
      return mapper.readValue(value, MappingConfig.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read a mapping from the node state", e);
    }
  }
}
