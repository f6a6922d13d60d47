package dev.sluice.log;

/**
 * A record handed to {@link LogEngine#append}: what a producer sent, before the log gives it an
 * offset and an arrival time.
 *
 * @param partitionKey the producer's partition key (kept so readers get it back)
 * @param data the payload; the log keeps the array as given and never changes it
 */
public record NewRecord(String partitionKey, byte[] data) {

  /** Bytes this record counts against size limits: key (UTF-8) plus payload. */
  public int size() {
    return LogRecord.utf8Length(partitionKey) + data.length;
  }
}
