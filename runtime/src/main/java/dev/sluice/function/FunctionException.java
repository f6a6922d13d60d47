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
    /** A concurrency limit is reached. */
    TOO_MANY_REQUESTS,
    /** The payload is over the limit. */
    TOO_LARGE
  }

  private final Kind kind;

  /** A failure of the given kind. */
  public FunctionException(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  /** What went wrong. */
  public Kind kind() {
    return kind;
  }

  static FunctionException invalid(String message) {
    return new FunctionException(Kind.INVALID_PARAMETER, message);
  }
}
