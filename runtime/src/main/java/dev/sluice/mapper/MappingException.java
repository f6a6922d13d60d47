package dev.sluice.mapper;

/** A mapping request that cannot be carried out; the API edge maps the kind to its wire error. */
public class MappingException extends RuntimeException {

  /** What went wrong. */
  public enum Kind {
    /** No such mapping, function or stream. */
    NOT_FOUND,
    /** A parameter is out of range or malformed. */
    INVALID_PARAMETER,
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
}
