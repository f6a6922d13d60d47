package dev.sluice.function.classloader.bridge;

/**
 * How a Kafka batch crosses from Sluice into a function's class world without JSON: an {@code
 * Object[]} of JDK types only (the bridge is defined by another class loader, so no Sluice type can
 * cross), one slot per constant below. Per-record arrays are parallel and equally long, in the
 * order the records appear in the event.
 */
public final class KafkaLayout {

  /** {@code String}: the event's bootstrapServers. */
  public static final int BOOTSTRAP_SERVERS = 0;

  /** {@code String[]}: topics. */
  public static final int TOPICS = 1;

  /** {@code int[]}: partitions. */
  public static final int PARTITIONS = 2;

  /** {@code long[]}: offsets. */
  public static final int OFFSETS = 3;

  /** {@code long[]}: timestamps. */
  public static final int TIMESTAMPS = 4;

  /** {@code String[]}: timestamp types as the event writes them ({@code CREATE_TIME}). */
  public static final int TIMESTAMP_TYPES = 5;

  /** {@code byte[][]}: keys, null where a record has none; the handler gets them as base64. */
  public static final int KEYS = 6;

  /** {@code byte[][]}: values, null where a record has none; the handler gets them as base64. */
  public static final int VALUES = 7;

  /** {@code String[][]}: each record's header names. */
  public static final int HEADER_NAMES = 8;

  /**
   * {@code byte[][][]}: each record's header values, parallel to the names, null for an absent
   * value; never handed out, the handler gets copies.
   */
  public static final int HEADER_VALUES = 9;

  /** Slots in a batch. */
  public static final int SIZE = 10;

  private KafkaLayout() {}
}
