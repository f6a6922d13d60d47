package dev.sluice.function.classloader.bridge;

/**
 * How a Kinesis batch crosses from Sluice into a function's class world without JSON: an {@code
 * Object[]} of JDK types only (the bridge is defined by another class loader, so no Sluice type can
 * cross), one slot per constant below. Per-record arrays are parallel and equally long.
 */
public final class KinesisLayout {

  /** {@code String}: every record's eventSourceARN. */
  public static final int SOURCE_ARN = 0;

  /** {@code String}: every record's awsRegion. */
  public static final int REGION = 1;

  /** {@code String}: every record's invokeIdentityArn. */
  public static final int IDENTITY_ARN = 2;

  /** {@code String[]}: partition keys. */
  public static final int PARTITION_KEYS = 3;

  /** {@code String[]}: sequence numbers. */
  public static final int SEQUENCE_NUMBERS = 4;

  /** {@code String[]}: event ids ({@code shardId:sequenceNumber}). */
  public static final int EVENT_IDS = 5;

  /** {@code byte[][]}: the data; never handed out, the handler gets copies. */
  public static final int DATA = 6;

  /** {@code long[]}: arrival times, epoch milliseconds, each in [0, 2^53). */
  public static final int ARRIVAL_MILLIS = 7;

  /** Slots in a batch. */
  public static final int SIZE = 8;

  private KinesisLayout() {}
}
