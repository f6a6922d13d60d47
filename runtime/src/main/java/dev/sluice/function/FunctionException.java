package dev.sluice.function;

/** A function request that cannot be carried out; each API edge maps the kind to its wire error. */
public class FunctionException extends RuntimeException {

  /** What went wrong, independent of any wire protocol. */
  public enum Kind {
    /** No such function. */
    NOT_FOUND,
    /** The function exists already, or is being changed. */
    CONFLICT,
    /** A parameter is not acceptable. */
    INVALID_PARAMETER,
    /** A parameter breaks a constraint of the API's model (Lambda's ValidationException). */
    VALIDATION,
    /** A concurrency limit is reached. */
    TOO_MANY_REQUESTS,
    /** The payload is over the limit. */
    TOO_LARGE,
    /** The RevisionId a change names is not the function's current one. */
    PRECONDITION_FAILED,
    /**
     * The service cannot tell how the request ended (a change written to the shared state but not
     * read back in time): it may still take effect.
     */
    SERVICE
  }

  private final Kind kind;
  private final String reason;

  /** A failure of the given kind. */
  public FunctionException(Kind kind, String message) {
    this(kind, message, (String) null);
  }

  /** A failure of the given kind, caused by {@code cause}. */
  public FunctionException(Kind kind, String message, Throwable cause) {
    super(message, cause, false, false);
    this.kind = kind;
    this.reason = null;
  }

  private FunctionException(Kind kind, String message, String reason) {
    super(message, null, false, false);
    this.kind = kind;
    this.reason = reason;
  }

  /** A throttle, with Lambda's reason, e.g. {@code ConcurrentInvocationLimitExceeded}. */
  static FunctionException throttled(String reason, String message) {
    return new FunctionException(Kind.TOO_MANY_REQUESTS, message, reason);
  }

  /** What went wrong. */
  public Kind kind() {
    return kind;
  }

  /** Lambda's reason for a throttle, or null. */
  public String reason() {
    return reason;
  }

  static FunctionException invalid(String message) {
    return new FunctionException(Kind.INVALID_PARAMETER, message);
  }

  /** A constraint failure, with Lambda's "1 validation error detected: ..." message. */
  static FunctionException validation(String constraint) {
    return new FunctionException(Kind.VALIDATION, "1 validation error detected: " + constraint);
  }
}
