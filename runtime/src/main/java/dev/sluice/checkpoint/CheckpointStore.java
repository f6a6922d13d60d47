package dev.sluice.checkpoint;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
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
 *
 * <p>Format 4 is {@code {"version":4,"shards":{id: checkpoint}}}, a checkpoint carrying its open
 * tumbling window, the windows' floor ({@link Checkpoint#windowFloor()}) and the stream incarnation
 * it belongs to ({@link Checkpoint#incarnation()}). Older files still load, their checkpoints
 * without a floor: format 3 (the same without it), format 2 (naming no incarnation either) and
 * format 1 (the bare {@code {id: checkpoint}} map, no windows). An older Sluice refuses format 4 by
 * its version rather than failing on the field it does not know.
 */
public final class CheckpointStore {

  static final int VERSION = 4;

  private static final TypeReference<TreeMap<String, Checkpoint>> TYPE = new TypeReference<>() {};
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Path file;

  /** The file as written: the version says how to read the rest. */
  record Stored(int version, TreeMap<String, Checkpoint> shards) {}

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
      return read(MAPPER.readTree(file.toFile()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checkpoints " + file, e);
    }
  }

  private Map<String, Checkpoint> read(JsonNode root) throws IOException {
    if (root == null || !root.isObject()) {
      throw new IOException("not a JSON object"); // an empty file as well
    }
    JsonNode version = root.get("version");
    if (version == null) {
      return MAPPER.treeToValue(root, MAPPER.constructType(TYPE)); // format 1
    }
    if (!version.canConvertToInt() || version.asInt() > VERSION) {
      throw new IOException("checkpoint format " + version + " is newer than this Sluice's");
    }
    Map<String, Checkpoint> shards = MAPPER.treeToValue(root, Stored.class).shards();
    if (shards == null) {
      throw new IOException("no \"shards\""); // an empty map here would restart every shard
    }
    return shards;
  }

  /** Removes the file; nothing is stored afterwards. */
  public void delete() {
    try {
      if (Files.deleteIfExists(file)) {
        AtomicFiles.syncDirectory(file.getParent()); // or a crash could bring the file back
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete checkpoints " + file, e);
    }
  }

  /**
   * The oldest format that holds {@code checkpoints}: without a window floor, format 3 is the same
   * bytes, and a Sluice from before the floor can still read the file after a downgrade.
   */
  private static int versionFor(Map<String, Checkpoint> checkpoints) {
    boolean floors = checkpoints.values().stream().anyMatch(c -> c.windowFloor() != null);
    return floors ? VERSION : VERSION - 1;
  }

  /** Replaces every checkpoint with {@code checkpoints}. */
  public void save(Map<String, Checkpoint> checkpoints) {
    try {
      Stored stored = new Stored(versionFor(checkpoints), new TreeMap<>(checkpoints));
      AtomicFiles.write(file, MAPPER.writeValueAsBytes(stored));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoints " + file, e);
    }
  }
}
