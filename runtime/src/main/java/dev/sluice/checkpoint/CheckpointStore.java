package dev.sluice.checkpoint;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.files.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The checkpoints of one consumer (a mapping): shard id → {@link Checkpoint}, kept in one JSON file
 * that is replaced atomically and durably on every change, so that after SIGKILL it holds the last
 * checkpoint whose save completed, never a torn one. Blocking; call from a worker thread.
 */
public final class CheckpointStore {

  private static final TypeReference<TreeMap<String, Checkpoint>> TYPE = new TypeReference<>() {};
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Path file;

  /** Checkpoints kept in {@code file}. */
  public CheckpointStore(Path file) {
    this.file = file;
  }

  /** Every shard's checkpoint, or an empty map for a new consumer. */
  public Map<String, Checkpoint> load() {
    if (!Files.exists(file)) {
      return new TreeMap<>();
    }
    try {
      return MAPPER.readValue(file.toFile(), TYPE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checkpoints " + file, e);
    }
  }

  /** Replaces every checkpoint with {@code checkpoints}. */
  public void save(Map<String, Checkpoint> checkpoints) {
    try {
      AtomicFiles.write(file, MAPPER.writeValueAsBytes(new TreeMap<>(checkpoints)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoints " + file, e);
    }
  }
}
