package dev.sluice.function.classloader.events;

import com.amazonaws.services.lambda.runtime.events.KafkaEvent;
import dev.sluice.function.classloader.bridge.KafkaBeans;
import java.util.List;
import java.util.Map;

/**
 * {@link KafkaBeans} in plain bytecode, which the JIT compiles like hand-written code: defined in
 * each function's own class loader, so {@code KafkaEvent} here is the function's copy. Method
 * handles held in fields, the fallback, are not inlined, and making an object through one took the
 * runtime's slow allocation path.
 */
public final class DirectKafkaBeans implements KafkaBeans {

  /**
   * Calls every constructor and setter once, so that a function whose events library lacks one
   * fails here, while the bridge can still fall back, rather than during a delivery.
   */
  public DirectKafkaBeans() {
    Object r = record("t", 0, 0, 0, "CREATE_TIME", null, null, List.of());
    event(Map.of("t-0", List.of(r)), "", "");
  }

  @Override
  public Object record(
      String topic,
      int partition,
      long offset,
      long timestamp,
      String timestampType,
      String key,
      String value,
      List<Map<String, byte[]>> headers) {
    KafkaEvent.KafkaEventRecord r = new KafkaEvent.KafkaEventRecord();
    r.setTopic(topic);
    r.setPartition(partition);
    r.setOffset(offset);
    r.setTimestamp(timestamp);
    r.setTimestampType(timestampType);
    r.setKey(key);
    r.setValue(value);
    r.setHeaders(headers);
    return r;
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public Object event(
      Map<String, List<Object>> records, String eventSource, String bootstrapServers) {
    KafkaEvent event = new KafkaEvent();
    event.setRecords((Map) records);
    event.setEventSource(eventSource);
    event.setBootstrapServers(bootstrapServers);
    return event;
  }
}
