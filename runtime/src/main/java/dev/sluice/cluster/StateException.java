package dev.sluice.cluster;

/** The shared node state cannot be read or written. */
public final class StateException extends RuntimeException {

  /** A failure with its cause. */
  public StateException(String message, Throwable cause) {
    super(message, cause);
  }

  /** A failure without a cause. */
  public StateException(String message) {
    super(message);
  }
}
