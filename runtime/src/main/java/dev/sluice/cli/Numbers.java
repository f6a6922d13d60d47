package dev.sluice.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Option converters for numbers with a range, so that a value out of it is a usage error (exit code
 * 2) naming the range, before any server is reached, rather than a silent no-op ({@code --limit 0})
 * or a failure far from its cause.
 */
final class Numbers {

  private Numbers() {}

  /** A count of at least 1, such as {@code tail --limit} or {@code logs --lines}. */
  static final class Count implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      return parse(value, 1, Long.MAX_VALUE);
    }
  }

  /** A TCP port, 0 (any free port) to 65535. */
  static final class Port implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      return (int) parse(value, 0, 65535);
    }
  }

  /**
   * A port the command itself then connects to: 0 (any free port) is refused, as the command would
   * not learn which one the server took.
   */
  static final class FixedPort implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      return (int) parse(value, 1, 65535);
    }
  }

  static long parse(String value, long min, long max) {
    long n;
    try {
      n = Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + value + "' is not a whole number");
    }
    if (n < min || n > max) {
      throw new TypeConversionException(
          max == Long.MAX_VALUE
              ? "must be at least " + min + ", not " + n
              : "must be between " + min + " and " + max + ", not " + n);
    }
    return n;
  }
}
