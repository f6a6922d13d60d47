package dev.sluice.stream;

import java.math.BigInteger;
import java.util.regex.Pattern;

/**
 * Kinesis-style sequence numbers: 56-digit decimal strings that grow strictly within a shard and
 * compare as big integers.
 *
 * <p>A sequence number encodes {@code BASE + ordinal * 2^64 + offset}, where ordinal is the shard's
 * number within its stream and offset the record's offset in the shard log. Children are created
 * after their parents and so have larger ordinals: every record of a child sorts after every record
 * of its parents, which is what Kinesis consumers expect. The offset part maps directly onto a
 * Kafka offset for a Kafka-backed log.
 */
public final class SequenceNumbers {

  private static final BigInteger BASE = new BigInteger("49" + "0".repeat(54));
  private static final BigInteger OFFSET_SPAN = BigInteger.ONE.shiftLeft(64);
  private static final Pattern FORMAT = Pattern.compile("0|[1-9]\\d{0,128}");

  private SequenceNumbers() {}

  /** The sequence number of the record at {@code offset} in shard number {@code ordinal}. */
  public static String of(int ordinal, long offset) {
    return BASE.add(BigInteger.valueOf(ordinal).multiply(OFFSET_SPAN))
        .add(BigInteger.valueOf(offset))
        .toString();
  }

  /** True when {@code text} has the syntax of a sequence number (any Kinesis one included). */
  public static boolean isWellFormed(String text) {
    return text != null && FORMAT.matcher(text).matches();
  }

  /**
   * Decodes a sequence number this node issued; null when the text is not one (wrong syntax, below
   * the base, or an offset out of range).
   */
  public static Decoded decode(String text) {
    if (!isWellFormed(text)) {
      return null;
    }
    BigInteger rest = new BigInteger(text).subtract(BASE);
    if (rest.signum() < 0) {
      return null;
    }
    BigInteger[] parts = rest.divideAndRemainder(OFFSET_SPAN);
    if (parts[0].bitLength() > 31 || parts[1].bitLength() > 63) {
      return null;
    }
    return new Decoded(parts[0].intValue(), parts[1].longValue());
  }

  /**
   * A decoded sequence number.
   *
   * @param ordinal the shard's number within its stream
   * @param offset the record's offset in the shard log
   */
  public record Decoded(int ordinal, long offset) {}
}
