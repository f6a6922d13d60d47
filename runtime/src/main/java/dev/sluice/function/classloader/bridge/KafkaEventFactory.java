package dev.sluice.function.classloader.bridge;

import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a handler's {@code KafkaEvent} straight from a batch laid out as {@link KafkaLayout} says,
 * with exactly the values aws-lambda-java-serialization gives it from Sluice's JSON event: the
 * records map a LinkedHashMap of ArrayLists keyed {@code topic-partition} in first-seen order, key
 * and value as base64 strings (absent when null), headers as an ArrayList of one-entry
 * LinkedHashMaps whose byte arrays are the header's bytes (empty for a null value). Fields the JSON
 * does not carry (eventSourceArn, the schema metadata) stay null. Parsing that JSON is most of the
 * cost of a delivery otherwise.
 */
final class KafkaEventFactory implements EventFactory {

  static final String EVENT = "com.amazonaws.services.lambda.runtime.events.KafkaEvent";
  private static final String SOURCE = "SelfManagedKafka";
  private static final Base64.Encoder BASE64 = Base64.getEncoder();
  private static final byte[] EMPTY = new byte[0];

  private static final int MAX_SCRATCH = 64 * 1024;

  private final KafkaBeans beans;

  /** Only one invocation at a time uses a handler's factory, as it uses the handler instance. */
  private byte[] scratch = new byte[256];

  KafkaEventFactory(KafkaBeans beans) {
    this.beans = beans;
  }

  /**
   * A factory when {@code type} is exactly the function's own KafkaEvent and it has every setter
   * the JSON would use; null otherwise (a subclass, another type, an unknown events version).
   */
  static KafkaEventFactory forType(Type type) {
    if (!(type instanceof Class<?> c) || !c.getName().equals(EVENT)) {
      return null;
    }
    KafkaBeans beans =
        Beans.choose(
            c,
            KafkaBeans.class,
            "DirectKafkaBeans",
            b -> b.event(Map.of(), SOURCE, ""),
            HandleKafkaBeans::new);
    return beans == null ? null : new KafkaEventFactory(beans);
  }

  @Override
  public boolean direct() {
    return !(beans instanceof HandleKafkaBeans);
  }

  @Override
  public String eventType() {
    return EVENT;
  }

  @Override
  public Object build(Object[] batch) throws Throwable {
    String[] topics = (String[]) batch[KafkaLayout.TOPICS];
    int[] partitions = (int[]) batch[KafkaLayout.PARTITIONS];
    Map<String, List<Object>> records = new LinkedHashMap<>();
    List<Object> group = null;
    for (int i = 0; i < topics.length; i++) {
      boolean same =
          group != null && partitions[i] == partitions[i - 1] && topics[i].equals(topics[i - 1]);
      if (!same) {
        group = records.computeIfAbsent(topics[i] + "-" + partitions[i], k -> new ArrayList<>());
      }
      group.add(record(batch, i));
    }
    return beans.event(records, SOURCE, (String) batch[KafkaLayout.BOOTSTRAP_SERVERS]);
  }

  private Object record(Object[] batch, int i) {
    return beans.record(
        ((String[]) batch[KafkaLayout.TOPICS])[i],
        ((int[]) batch[KafkaLayout.PARTITIONS])[i],
        ((long[]) batch[KafkaLayout.OFFSETS])[i],
        ((long[]) batch[KafkaLayout.TIMESTAMPS])[i],
        ((String[]) batch[KafkaLayout.TIMESTAMP_TYPES])[i],
        base64(((byte[][]) batch[KafkaLayout.KEYS])[i]),
        base64(((byte[][]) batch[KafkaLayout.VALUES])[i]),
        headers(batch, i));
  }

  /**
   * The base64 text of {@code data}, encoded into the scratch buffer so that the String's copy is
   * the only array made: {@code encodeToString} makes two, and base64 was a third of a delivery's
   * allocations. Values larger than the buffer keeps get their own.
   */
  private String base64(byte[] data) {
    if (data == null) {
      return null;
    }
    int length = (data.length + 2) / 3 * 4;
    if (length > MAX_SCRATCH) {
      return BASE64.encodeToString(data);
    }
    if (scratch.length < length) {
      scratch = new byte[Math.max(length, Math.min(MAX_SCRATCH, scratch.length * 2))];
    }
    int n = BASE64.encode(data, scratch);
    return new String(scratch, 0, n, StandardCharsets.ISO_8859_1);
  }

  private static List<Map<String, byte[]>> headers(Object[] batch, int i) {
    String[] names = ((String[][]) batch[KafkaLayout.HEADER_NAMES])[i];
    byte[][] values = ((byte[][][]) batch[KafkaLayout.HEADER_VALUES])[i];
    List<Map<String, byte[]>> headers = new ArrayList<>(names.length);
    for (int h = 0; h < names.length; h++) {
      Map<String, byte[]> one = new LinkedHashMap<>();
      one.put(names[h], values[h] == null ? EMPTY.clone() : values[h].clone());
      headers.add(one);
    }
    return headers;
  }
}
