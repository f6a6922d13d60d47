package dev.sluice.mapper;

import dev.sluice.checkpoint.Checkpoint;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** What runs one enabled mapping: a Kinesis stream's runner or a Kafka topic's. */
public interface SourceRunner {

  /** Starts reading from the stored position. */
  void start();

  /** Stops; completes once the position reached so far is stored. */
  CompletableFuture<Void> stop();

  /** Shard id (or topic-partition) → the position stored for it. */
  Map<String, Checkpoint> checkpoints();

  /**
   * Topic-partition (a Kafka mapping) or shard id (a stream's mapping on Kafka storage) → where the
   * mapping's consumer group stands in it, whichever node reads it; empty for a stream's mapping
   * with file storage, or when the cluster does not answer. Blocks half a second at most.
   */
  default Map<String, GroupPosition> groupPositions() {
    return Map.of();
  }
}
