package dev.sluice.stream;

import dev.sluice.cluster.SharedRecords;
import dev.sluice.cluster.StateStore;
import java.util.Collection;
import java.util.List;

/**
 * Keeps the catalog in the shared node state: stream {@code S} is the JSON of its {@link
 * StreamMeta} under key {@code stream/S}. Saving writes only the stream that changed.
 */
final class SharedCatalogStore implements CatalogStore {

  private final SharedRecords<StreamMeta> streams;

  SharedCatalogStore(StateStore state) {
    this.streams = new SharedRecords<>(state, "stream/", StreamMeta.class);
  }

  @Override
  public List<StreamMeta> load() {
    return streams.load().stream().filter(m -> m.status() != StreamStatus.GONE).toList();
  }

  @Override
  public void markGone(StreamMeta stale) {
    streams.put(stale.name(), stale.gone());
  }

  @Override
  public void save(Collection<StreamMeta> all, String changed) {
    for (StreamMeta meta : all) {
      if (meta.name().equals(changed)) {
        streams.put(changed, meta);
        return;
      }
    }
    streams.remove(changed);
  }

  @Override
  public void onRemote(Change change) {
    streams.listenAll(remote(change));
  }

  private static SharedRecords.Remote<StreamMeta> remote(Change change) {
    return new SharedRecords.Remote<>() {
      @Override
      public void changed(String name, StreamMeta meta) {
        changed(name, meta, false);
      }

      @Override
      public void changed(String name, StreamMeta meta, boolean own) {
        change.apply(name, meta, own);
      }

      @Override
      public void removed(String name) {
        removed(name, false);
      }

      @Override
      public void removed(String name, boolean own) {
        change.apply(name, null, own);
      }
    };
  }

  @Override
  public void onRead(Change change) {
    streams.peek(remote(change));
  }

  @Override
  public boolean exclusive() {
    return false;
  }
}
