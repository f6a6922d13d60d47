package dev.sluice.function.classloader.bridge;

import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Map;

/**
 * {@link KafkaBeans} through method handles: the fallback when the plain-bytecode implementation
 * cannot be defined next to the function's events library.
 */
final class HandleKafkaBeans implements KafkaBeans {

  private final MethodHandle newEvent;
  private final MethodHandle setRecords;
  private final MethodHandle eventSource;
  private final MethodHandle bootstrapServers;
  private final MethodHandle newRecord;
  private final MethodHandle topic;
  private final MethodHandle partition;
  private final MethodHandle offset;
  private final MethodHandle timestamp;
  private final MethodHandle timestampType;
  private final MethodHandle key;
  private final MethodHandle value;
  private final MethodHandle headers;

  /** Handles to {@code event}'s constructor and setters, and its KafkaEventRecord's. */
  HandleKafkaBeans(Class<?> event) throws ReflectiveOperationException {
    Class<?> record =
        Class.forName(event.getName() + "$KafkaEventRecord", false, event.getClassLoader());
    newEvent = Beans.ctor(event);
    setRecords = setter(event, "setRecords", Map.class);
    eventSource = setter(event, "setEventSource", String.class);
    bootstrapServers = setter(event, "setBootstrapServers", String.class);
    newRecord = Beans.ctor(record);
    topic = setter(record, "setTopic", String.class);
    partition = setter(record, "setPartition", int.class);
    offset = setter(record, "setOffset", long.class);
    timestamp = setter(record, "setTimestamp", long.class);
    timestampType = setter(record, "setTimestampType", String.class);
    key = setter(record, "setKey", String.class);
    value = setter(record, "setValue", String.class);
    headers = setter(record, "setHeaders", List.class);
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
    try {
      Object r = newRecord.invokeExact();
      this.topic.invokeExact(r, topic);
      this.partition.invokeExact(r, partition);
      this.offset.invokeExact(r, offset);
      this.timestamp.invokeExact(r, timestamp);
      this.timestampType.invokeExact(r, timestampType);
      this.key.invokeExact(r, key);
      this.value.invokeExact(r, value);
      this.headers.invokeExact(r, (List<?>) headers);
      return r;
    } catch (Throwable t) {
      throw Beans.unchecked(t);
    }
  }

  @Override
  public Object event(
      Map<String, List<Object>> records, String eventSource, String bootstrapServers) {
    try {
      Object event = newEvent.invokeExact();
      setRecords.invokeExact(event, (Map<?, ?>) records);
      this.eventSource.invokeExact(event, eventSource);
      this.bootstrapServers.invokeExact(event, bootstrapServers);
      return event;
    } catch (Throwable t) {
      throw Beans.unchecked(t);
    }
  }

  private static MethodHandle setter(Class<?> c, String name, Class<?> param)
      throws ReflectiveOperationException {
    return Beans.setter(c, name, param, param);
  }
}
