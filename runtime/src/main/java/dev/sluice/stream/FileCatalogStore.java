package dev.sluice.stream;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.files.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/**
 * Keeps the catalog in one JSON file, replaced atomically ({@link AtomicFiles}). Called from the
 * catalog's own thread only.
 */
final class FileCatalogStore implements CatalogStore {

  private static final TypeReference<List<StreamMeta>> TYPE = new TypeReference<>() {};

  private final Path file;
  private final ObjectMapper mapper =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  FileCatalogStore(Path directory) {
    this.file = directory.resolve("catalog.json");
  }

  @Override
  public List<StreamMeta> load() {
    if (!Files.exists(file)) {
      return List.of();
    }
    try {
      return mapper.readValue(file.toFile(), TYPE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the stream catalog " + file, e);
    }
  }

  @Override
  public void save(Collection<StreamMeta> streams, String changed) {
    try {
      AtomicFiles.write(file, mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(streams));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode the stream catalog", e);
    }
  }
}
