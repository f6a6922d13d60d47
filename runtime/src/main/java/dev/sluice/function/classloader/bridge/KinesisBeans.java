package dev.sluice.function.classloader.bridge;

import java.nio.ByteBuffer;
import java.util.Date;
import java.util.List;

/**
 * Makes a function's own {@code KinesisEvent} objects. Public because the fast implementation is
 * defined in the function's class loader, next to the function's copy of the events library (see
 * {@code function.classloader.events}); method handles are the fallback.
 */
public interface KinesisBeans {

  /** The values of a {@code KinesisEventRecord} that are the same for every record of a batch. */
  record Common(
      String eventSource,
      String eventVersion,
      String eventName,
      String identityArn,
      String region,
      String sourceArn,
      String schemaVersion) {}

  /** A {@code KinesisEventRecord} and its {@code Record} with these values. */
  Object record(
      Common common,
      String eventId,
      String partitionKey,
      String sequenceNumber,
      ByteBuffer data,
      Date arrival);

  /** The {@code KinesisEvent} of {@code records}. */
  Object event(List<Object> records);
}
