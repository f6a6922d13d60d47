package dev.sluice.lambda;

/** Lambda's error names with their HTTP status. */
enum LambdaError {
  ResourceNotFoundException(404),
  ResourceConflictException(409),
  InvalidParameterValueException(400),
  InvalidRequestContentException(400),
  /** A request that breaks a constraint of Lambda's API model (a pattern, a length). */
  ValidationException(400),
  /** A mapping still in a transitional state (Creating, Updating, Deleting...). */
  ResourceInUseException(400),
  TooManyRequestsException(429),
  /**
   * Lambda's 413 for a request over its limit: an invocation payload over 6 MB (1 MB for Event), a
   * CreateFunction or UpdateFunctionCode body over 70,167,211 bytes. (The SDK's model names a
   * RequestTooLargeException that Lambda does not send.)
   */
  RequestEntityTooLargeException(413),
  /** A change named a RevisionId that is not the function's current one. */
  PreconditionFailedException(412),
  /** A path and method that name no operation. */
  UnknownOperationException(404),
  ServiceException(500);

  final int status;

  LambdaError(int status) {
    this.status = status;
  }
}
