package dev.sluice.stream;

import java.util.regex.Pattern;

/**
 * Kinesis-style sequence numbers: 56-digit decimal strings that grow strictly within a shard and
 * compare as big integers.
 *
 * <p>A sequence number is {@code 49}, the stream's generation in 25 digits, the shard's ordinal in
 * 10 digits and the record's offset in 19 digits. The generation is the stream's creation time in
 * milliseconds, so that a number of a stream that was deleted and created again under the same name
 * is told apart from the new stream's (and sorts below them, as Kinesis's numbers grow across
 * re-creations). Numbers issued before generations existed have generation 0; they are taken as
 * belonging to any generation.
 *
 * <p>Every number has the same width, so decimal order is numeric order, and encoding is string
 * work rather than big-integer arithmetic (it runs once per record written or read). Children are
 * created after their parents and so have larger ordinals: every record of a child sorts after
 * every record of its parents, which is what Kinesis consumers expect. The offset maps directly
 * onto a Kafka offset for a Kafka-backed log.
 *
 * <p>A shard's StartingSequenceNumber is not a record's: it is the largest number of the ordinal
 * before it (offset digits all 9, above any offset a log can reach), so that it sorts below the
 * shard's first record and above every record of its parents, as in Kinesis, and
 * AFTER_SEQUENCE_NUMBER with it reads the shard from its first record instead of skipping record 0,
 * whose number it used to be. Shard 0 has no ordinal before it: its start is {@code 48}, the
 * generation and 29 zeros.
 */
public final class SequenceNumbers {

  private static final String RECORD_MARK = "49";
  private static final String START_MARK = "48";
  private static final String ALL_NINES = "9".repeat(19);
  private static final int GENERATION_DIGITS = 25;
  private static final int ORDINAL_DIGITS = 10;
  private static final int OFFSET_DIGITS = 19;
  private static final int ORDINAL_AT = RECORD_MARK.length() + GENERATION_DIGITS;

  /** Characters in a sequence number this node issues. */
  public static final int LENGTH = ORDINAL_AT + ORDINAL_DIGITS + OFFSET_DIGITS;

  private static final Pattern FORMAT = Pattern.compile("0|[1-9]\\d{0,128}");

  private SequenceNumbers() {}

  /**
   * The sequence number of the record at {@code offset} in shard number {@code ordinal} of the
   * stream of {@code generation} (its creation time in milliseconds).
   */
  public static String of(long generation, int ordinal, long offset) {
    StringBuilder sb = start(RECORD_MARK, generation);
    pad(sb, Integer.toString(ordinal), ORDINAL_DIGITS);
    pad(sb, Long.toString(offset), OFFSET_DIGITS);
    return sb.toString();
  }

  /**
   * The StartingSequenceNumber of shard number {@code ordinal} of the stream of {@code generation}:
   * below its first record's.
   */
  public static String shardStart(long generation, int ordinal) {
    if (ordinal == 0) {
      return start(START_MARK, generation)
          .append("0".repeat(ORDINAL_DIGITS + OFFSET_DIGITS))
          .toString();
    }
    StringBuilder sb = start(RECORD_MARK, generation);
    pad(sb, Integer.toString(ordinal - 1), ORDINAL_DIGITS);
    return sb.append(ALL_NINES).toString();
  }

  /** True when {@code text} has the syntax of a sequence number (any Kinesis one included). */
  public static boolean isWellFormed(String text) {
    return text != null && FORMAT.matcher(text).matches();
  }

  /**
   * Decodes a sequence number this node issued; null when the text is not one (wrong syntax, width
   * or mark, or a number out of range). A shard's {@link #shardStart} decodes to offset -1.
   */
  public static Decoded decode(String text) {
    if (text == null || text.length() != LENGTH || !digits(text)) {
      return null;
    }
    if (text.startsWith(START_MARK)) {
      Decoded d = decodeRest(text);
      return d == null || d.offset() != 0 || d.ordinal() != 0
          ? null
          : new Decoded(d.generation(), 0, -1);
    }
    if (!text.startsWith(RECORD_MARK)) {
      return null;
    }
    if (text.endsWith(ALL_NINES)) { // the start of the next shard: its offset is beyond a long
      Decoded before = decodeRest(text.substring(0, LENGTH - OFFSET_DIGITS) + "0".repeat(19));
      return before == null || before.ordinal() == Integer.MAX_VALUE
          ? null
          : new Decoded(before.generation(), before.ordinal() + 1, -1);
    }
    return decodeRest(text);
  }

  private static Decoded decodeRest(String text) {
    try {
      long generation = Long.parseLong(text, RECORD_MARK.length(), ORDINAL_AT, 10);
      long ordinal = Long.parseLong(text, ORDINAL_AT, ORDINAL_AT + ORDINAL_DIGITS, 10);
      long offset = Long.parseLong(text, ORDINAL_AT + ORDINAL_DIGITS, LENGTH, 10);
      if (ordinal > Integer.MAX_VALUE || ordinal < 0 || offset < 0 || generation < 0) {
        return null;
      }
      return new Decoded(generation, (int) ordinal, offset);
    } catch (NumberFormatException e) {
      return null; // a generation or offset beyond a long
    }
  }

  private static StringBuilder start(String mark, long generation) {
    if (generation < 0) {
      throw new IllegalArgumentException("generation " + generation);
    }
    StringBuilder sb = new StringBuilder(LENGTH).append(mark);
    pad(sb, Long.toString(generation), GENERATION_DIGITS);
    return sb;
  }

  private static boolean digits(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static void pad(StringBuilder sb, String digits, int width) {
    for (int i = digits.length(); i < width; i++) {
      sb.append('0');
    }
    sb.append(digits);
  }

  /**
   * A decoded sequence number.
   *
   * @param generation the creation time of the stream it was issued for; 0 for a number issued
   *     before generations were encoded
   * @param ordinal the shard's number within its stream
   * @param offset the record's offset in the shard log; -1 for the shard's start, before its first
   *     record
   */
  public record Decoded(long generation, int ordinal, long offset) {

    /**
     * True when the number may be of shard {@code ordinal} of the stream created at {@code
     * createdMillis}: same shard and same generation, or a number from before generations.
     */
    public boolean isOf(long createdMillis, int shardOrdinal) {
      return ordinal == shardOrdinal && (generation == 0 || generation == createdMillis);
    }
  }
}
