package dev.sluice.stream;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.List;

/**
 * Keeps the catalog in one JSON file, replaced atomically: the new content is written to a
 * temporary file and fsync'd, renamed over the old one, and the directory is fsync'd, so after a
 * crash the file holds either the old or the new catalog, never a mix. Called from the catalog's
 * own thread only.
 */
final class CatalogStore {

  private static final TypeReference<List<StreamMeta>> TYPE = new TypeReference<>() {};

  private final Path file;
  private final ObjectMapper mapper =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  CatalogStore(Path directory) {
    this.file = directory.resolve("catalog.json");
  }

  List<StreamMeta> load() {
    if (!Files.exists(file)) {
      return List.of();
    }
    try {
      return mapper.readValue(file.toFile(), TYPE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the stream catalog " + file, e);
    }
  }

  void save(Collection<StreamMeta> streams) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.createDirectories(file.getParent());
      byte[] bytes = mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(streams);
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      syncDirectory(file.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the stream catalog " + file, e);
    }
  }

  private static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
