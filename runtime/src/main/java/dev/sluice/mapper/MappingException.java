package dev.sluice.mapper;

/** A mapping request that cannot be carried out; the API edge maps the kind to its wire error. */
public class MappingException extends RuntimeException {

  /** What went wrong. */
  public enum Kind {
    /** No such mapping, function or stream. */
    NOT_FOUND,
    /** A parameter is invalid for this event source, within the API's model. */
    INVALID_PARAMETER,
    /** A parameter breaks a constraint of the API's model (Lambda's ValidationException). */
    VALIDATION,
    /** The request conflicts with another mapping or node (a consumer group in use...). */
    CONFLICT,
    /** Another change of the mapping is still being carried out (Lambda's ResourceInUse). */
    IN_USE
  }

  private final Kind kind;

  /** A failure of the given kind. */
  public MappingException(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  /** What went wrong. */
  public Kind kind() {
    return kind;
  }

  static MappingException invalid(String message) {
    return new MappingException(Kind.INVALID_PARAMETER, message);
  }

  /** A constraint failure, with Lambda's "1 validation error detected: ..." message. */
  static MappingException validation(String constraint) {
    return new MappingException(Kind.VALIDATION, "1 validation error detected: " + constraint);
  }
}
