package dev.sluice.function;

import java.util.function.Supplier;

/**
 * A Kinesis or Kafka event held both ways: as objects, laid out as {@code
 * dev.sluice.function.classloader.bridge.KinesisLayout} (or {@code KafkaLayout}) says, for handlers
 * that take that plain events-library class in this JVM; and as its JSON, built only when something
 * needs it (process isolation, any other handler, a batch that may be too large).
 */
public final class KinesisBatch {

  /** The events-library class a Kinesis batch is laid out for. */
  public static final String KINESIS_EVENT =
      "com.amazonaws.services.lambda.runtime.events.KinesisEvent";

  /** The events-library class a Kafka batch is laid out for. */
  public static final String KAFKA_EVENT =
      "com.amazonaws.services.lambda.runtime.events.KafkaEvent";

  private final String eventType;
  private final Supplier<Object[]> gather;
  private final Supplier<byte[]> json;
  private final long maxJsonBytes;
  private volatile Object[] records;
  private volatile byte[] built;

  /**
   * @param records the batch as objects (JDK types only)
   * @param json builds the same event as JSON
   * @param maxJsonBytes a bound the JSON's length never exceeds
   */
  public KinesisBatch(Object[] records, Supplier<byte[]> json, long maxJsonBytes) {
    this(KINESIS_EVENT, records, json, maxJsonBytes);
  }

  /**
   * @param eventType the events-library class {@code records} is laid out for
   * @param records the batch as objects (JDK types only)
   * @param json builds the same event as JSON
   * @param maxJsonBytes a bound the JSON's length never exceeds
   */
  public KinesisBatch(
      String eventType, Object[] records, Supplier<byte[]> json, long maxJsonBytes) {
    this(eventType, null, records, json, maxJsonBytes);
  }

  private KinesisBatch(
      String eventType,
      Supplier<Object[]> gather,
      Object[] records,
      Supplier<byte[]> json,
      long maxJsonBytes) {
    this.eventType = eventType;
    this.gather = gather;
    this.records = records;
    this.json = json;
    this.maxJsonBytes = maxJsonBytes;
  }

  /**
   * A batch whose objects are laid out only when a handler asks for them: on the invoking thread,
   * not on the thread that formed the batch (a Kafka mapping's one poll thread, which every record
   * passes through).
   *
   * @param gather lays the batch out as objects (JDK types only)
   * @param json builds the same event as JSON
   * @param maxJsonBytes a bound the JSON's length never exceeds
   */
  public static KinesisBatch lazy(
      String eventType, Supplier<Object[]> gather, Supplier<byte[]> json, long maxJsonBytes) {
    return new KinesisBatch(eventType, gather, null, json, maxJsonBytes);
  }

  /** The events-library class {@link #records} is laid out for. */
  public String eventType() {
    return eventType;
  }

  /** The batch as objects, laid out on the first call; never modified by its readers. */
  public Object[] records() {
    Object[] r = records;
    if (r == null) {
      r = gather.get();
      records = r;
    }
    return r;
  }

  /** The event's JSON, built on the first call. */
  public byte[] json() {
    byte[] b = built;
    if (b == null) {
      b = json.get();
      built = b;
    }
    return b;
  }

  /** A bound on the JSON's length, known without building it. */
  public long maxJsonBytes() {
    return maxJsonBytes;
  }
}
