package dev.sluice.lambda;

/** A request that fails with a Lambda error; the routes turn it into the wire error. */
final class LambdaException extends RuntimeException {

  final LambdaError type;

  /** TooManyRequestsException's Reason, or null. */
  final String reason;

  LambdaException(LambdaError type, String message) {
    this(type, message, null);
  }

  LambdaException(LambdaError type, String message, String reason) {
    super(message, null, false, false);
    this.type = type;
    this.reason = reason;
  }
}
