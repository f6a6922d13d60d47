package dev.sluice.stream;

import java.math.BigInteger;

/**
 * An inclusive range of hash keys.
 *
 * @param start the first hash key of the range
 * @param end the last hash key of the range
 */
public record HashKeyRange(BigInteger start, BigInteger end) {

  /** True when {@code key} lies in the range. */
  public boolean contains(BigInteger key) {
    return start.compareTo(key) <= 0 && key.compareTo(end) <= 0;
  }

  /** Number of hash keys in the range. */
  public BigInteger width() {
    return end.subtract(start).add(BigInteger.ONE);
  }

  /** True when this range ends right before {@code next} starts. */
  public boolean adjacentTo(HashKeyRange next) {
    return end.add(BigInteger.ONE).equals(next.start);
  }
}
