package dev.sluice.function.classloader.bridge;

import java.util.List;
import java.util.Map;

/**
 * Makes a function's own {@code KafkaEvent} objects. Public because the fast implementation is
 * defined in the function's class loader, next to the function's copy of the events library (see
 * {@code function.classloader.events}); method handles are the fallback.
 */
public interface KafkaBeans {

  /** A {@code KafkaEventRecord} with these values. */
  Object record(
      String topic,
      int partition,
      long offset,
      long timestamp,
      String timestampType,
      String key,
      String value,
      List<Map<String, byte[]>> headers);

  /** The {@code KafkaEvent} of {@code records}, grouped by {@code topic-partition}. */
  Object event(Map<String, List<Object>> records, String eventSource, String bootstrapServers);
}
