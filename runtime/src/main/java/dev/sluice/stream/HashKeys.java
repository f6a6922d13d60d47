package dev.sluice.stream;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The 128-bit hash-key space that partition keys are mapped onto, as Kinesis does. */
public final class HashKeys {

  /** The largest hash key, 2^128 − 1. */
  public static final BigInteger MAX = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

  private static final Pattern DECIMAL = Pattern.compile("0|[1-9]\\d{0,38}");

  private HashKeys() {}

  /** MD5 of the partition key's UTF-8 bytes, read as an unsigned 128-bit integer. */
  public static BigInteger ofPartitionKey(String partitionKey) {
    return new BigInteger(1, md5().digest(partitionKey.getBytes(StandardCharsets.UTF_8)));
  }

  /** Whether {@code text} has the form of a hash key (Kinesis's pattern), in range or not. */
  public static boolean isDecimal(String text) {
    return text != null && DECIMAL.matcher(text).matches();
  }

  /** Parses an explicit hash key; null when it is not a decimal number within the space. */
  public static BigInteger parse(String text) {
    if (text == null || !DECIMAL.matcher(text).matches()) {
      return null;
    }
    BigInteger value = new BigInteger(text);
    return value.compareTo(MAX) > 0 ? null : value;
  }

  /** Splits the whole space into {@code count} adjacent ranges of (nearly) equal width. */
  public static List<HashKeyRange> split(int count) {
    return split(new HashKeyRange(BigInteger.ZERO, MAX), count);
  }

  /** Splits {@code range} into {@code count} adjacent ranges of (nearly) equal width. */
  public static List<HashKeyRange> split(HashKeyRange range, int count) {
    BigInteger width = range.width();
    List<HashKeyRange> ranges = new ArrayList<>(count);
    BigInteger start = range.start();
    for (int i = 1; i <= count; i++) {
      BigInteger next =
          range
              .start()
              .add(width.multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(count)));
      ranges.add(new HashKeyRange(start, next.subtract(BigInteger.ONE)));
      start = next;
    }
    return ranges;
  }

  private static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no MD5", e);
    }
  }
}
