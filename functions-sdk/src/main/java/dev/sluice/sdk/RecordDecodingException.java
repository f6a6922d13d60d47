package dev.sluice.sdk;

/**
 * A record's payload could not be decoded: it is missing, is not valid UTF-8, is not valid JSON, or
 * does not bind to the requested type.
 *
 * <p>The message names the record (a Kinesis sequence number, or a Kafka {@code
 * topic-partition@offset}), so a log line is enough to find the record again.
 */
public class RecordDecodingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String recordId;

  public RecordDecodingException(String recordId, String message, Throwable cause) {
    super(message, cause);
    this.recordId = recordId;
  }

  /**
   * The record's identity: the sequence number of a Kinesis record (which is also the {@code
   * itemIdentifier} to report in a batch item failure), or {@code topic-partition@offset} of a
   * Kafka record. {@code null} if the record did not even carry one.
   */
  public String recordId() {
    return recordId;
  }
}
