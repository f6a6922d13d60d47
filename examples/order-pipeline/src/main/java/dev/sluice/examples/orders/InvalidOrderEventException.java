package dev.sluice.examples.orders;

/** An order event that cannot be applied: malformed, of an unknown type, or out of order. */
class InvalidOrderEventException extends Exception {
  private static final long serialVersionUID = 1L;

  InvalidOrderEventException(String message) {
    super(message);
  }

  InvalidOrderEventException(String message, Throwable cause) {
    super(message, cause);
  }
}
