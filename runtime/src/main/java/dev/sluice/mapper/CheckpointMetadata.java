package dev.sluice.mapper;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.checkpoint.Checkpoint;
import dev.sluice.checkpoint.WindowFloor;
import dev.sluice.checkpoint.WindowState;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;

/**
 * A {@link Checkpoint} as a committed consumer-group offset: the offset is the checkpoint's, the
 * metadata string the JSON {@code
 * {"v":1,"finished":..,"window":{..},"incarnation":..,"windowFloor":{..}}}. The incarnation (the
 * stream's creation time) and the tumbling windows' floor came later and are optional: a commit
 * without the incarnation counts as one of the current stream, one without the floor has none, and
 * an older Sluice ignores both.
 *
 * <p>Brokers refuse metadata longer than {@code offset.metadata.max.bytes} (4096 by default), and a
 * tumbling window's state can be larger. Such a checkpoint is not committed at all ({@link #encode}
 * is empty): the previous commit stays, whose offset and window agree, so a new owner redelivers
 * more rather than continue a window with state that does not match its offset. Once the window
 * closes the checkpoints are small again.
 */
final class CheckpointMetadata {

  /** The broker's default {@code offset.metadata.max.bytes}; Sluice does not ask for more. */
  static final int MAX_BYTES = 4096;

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** The metadata's fields; the version lets later formats tell old commits apart. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Meta(
      int v, boolean finished, WindowState window, Long incarnation, WindowFloor windowFloor) {}

  private CheckpointMetadata() {}

  /** The commit of a checkpoint, or empty when its metadata would be too large to commit. */
  static Optional<OffsetAndMetadata> encode(Checkpoint cp) {
    try {
      String text =
          JSON.writeValueAsString(
              new Meta(1, cp.finished(), cp.window(), cp.incarnation(), cp.windowFloor()));
      if (text.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
        return Optional.empty();
      }
      return Optional.of(new OffsetAndMetadata(cp.offset(), text));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode checkpoint " + cp, e);
    }
  }

  /**
   * The checkpoint a commit stands for. A commit without Sluice's metadata (say one made with
   * Kafka's tools) is an unfinished checkpoint at its offset, with no window.
   */
  static Checkpoint decode(OffsetAndMetadata committed) {
    String text = committed.metadata();
    if (text == null || text.isEmpty()) {
      return new Checkpoint(committed.offset(), false);
    }
    try {
      Meta m = JSON.readValue(text, Meta.class);
      return new Checkpoint(
          committed.offset(), m.finished(), m.window(), m.incarnation(), m.windowFloor());
    } catch (JsonProcessingException e) {
      return new Checkpoint(committed.offset(), false);
    }
  }
}
