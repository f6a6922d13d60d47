package dev.sluice.lambda;

/** A request that fails with a Lambda error; the routes turn it into the wire error. */
final class LambdaException extends RuntimeException {

  final LambdaError type;

  LambdaException(LambdaError type, String message) {
    super(message, null, false, false);
    this.type = type;
  }
}
