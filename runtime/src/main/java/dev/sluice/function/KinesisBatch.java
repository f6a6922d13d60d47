package dev.sluice.function;

import java.util.function.Supplier;

/**
 * A Kinesis event held both ways: as objects, laid out as {@code
 * dev.sluice.function.classloader.bridge.KinesisLayout} says, for handlers that take a plain
 * KinesisEvent in this JVM; and as its JSON, built only when something needs it (process isolation,
 * any other handler, a batch that may be too large).
 */
public final class KinesisBatch {

  private final Object[] records;
  private final Supplier<byte[]> json;
  private final long maxJsonBytes;
  private volatile byte[] built;

  /**
   * @param records the batch as objects (JDK types only)
   * @param json builds the same event as JSON
   * @param maxJsonBytes a bound the JSON's length never exceeds
   */
  public KinesisBatch(Object[] records, Supplier<byte[]> json, long maxJsonBytes) {
    this.records = records;
    this.json = json;
    this.maxJsonBytes = maxJsonBytes;
  }

  /** The batch as objects; never modified by its readers. */
  public Object[] records() {
    return records;
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
