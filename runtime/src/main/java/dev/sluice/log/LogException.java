package dev.sluice.log;

/** A storage failure: the operation did not happen, or did not become durable. */
public class LogException extends RuntimeException {

  /** A failure with a message. */
  public LogException(String message) {
    super(message);
  }

  /** A failure with a message and its cause. */
  public LogException(String message, Throwable cause) {
    super(message, cause);
  }
}
