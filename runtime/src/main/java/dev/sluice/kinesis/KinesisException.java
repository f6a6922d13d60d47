package dev.sluice.kinesis;

/** A request that fails with a Kinesis error; the route turns it into the wire error. */
public class KinesisException extends RuntimeException {

  private final KinesisError type;

  /** A failure of {@code type} with a message for the caller. */
  public KinesisException(KinesisError type, String message) {
    super(message, null, false, false);
    this.type = type;
  }

  /** The Kinesis error name. */
  public KinesisError type() {
    return type;
  }

  static KinesisException invalid(String message) {
    return new KinesisException(KinesisError.InvalidArgumentException, message);
  }

  static KinesisException notFound(String message) {
    return new KinesisException(KinesisError.ResourceNotFoundException, message);
  }

  /** A ValidationException in AWS's wording for one failed constraint. */
  static KinesisException validation(String field, Object value, String constraint) {
    return new KinesisException(
        KinesisError.ValidationException,
        "1 validation error detected: Value '"
            + value
            + "' at '"
            + field
            + "' failed to satisfy constraint: "
            + constraint);
  }
}
