package dev.sluice.kinesis;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletionStage;

/** One Kinesis operation: takes a decoded request and answers its response body. */
@FunctionalInterface
interface Operation {

  /**
   * Handles the request. Runs on an event loop: may not block. Fails (thrown or through the stage)
   * with {@link KinesisException} or {@code StreamException}.
   */
  CompletionStage<ObjectNode> handle(KinesisRequest request);
}
