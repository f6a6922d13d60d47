package dev.sluice.log;

/**
 * A stored record as a reader sees it.
 *
 * @param offset position in its shard, starting at 0 and growing by one per record
 * @param arrivalMillis when the log accepted the record (epoch milliseconds, never decreasing
 *     within a shard)
 * @param partitionKey the producer's partition key
 * @param data the payload
 */
public record LogRecord(long offset, long arrivalMillis, String partitionKey, byte[] data) {

  /** Bytes this record counts against size limits: key (UTF-8) plus payload. */
  public int size() {
    return utf8Length(partitionKey) + data.length;
  }

  /** UTF-8 length of {@code s} without encoding it. */
  public static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
