package dev.sluice.stream;

/**
 * A stream request that cannot be carried out. Each API edge translates the {@link Kind} into its
 * own wire error.
 */
public class StreamException extends RuntimeException {

  /** What went wrong, independent of any wire protocol. */
  public enum Kind {
    /** The stream, shard or record does not exist. */
    NOT_FOUND,
    /** The stream is not in a state that allows the request. */
    IN_USE,
    /** A parameter is well-formed but not acceptable. */
    INVALID_ARGUMENT,
    /** A limit (shards, streams, tags) would be exceeded. */
    LIMIT_EXCEEDED
  }

  private final Kind kind;

  /** A failure of the given kind. */
  public StreamException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  /** What went wrong. */
  public Kind kind() {
    return kind;
  }

  static StreamException notFound(String message) {
    return new StreamException(Kind.NOT_FOUND, message);
  }

  static StreamException inUse(String message) {
    return new StreamException(Kind.IN_USE, message);
  }

  static StreamException invalid(String message) {
    return new StreamException(Kind.INVALID_ARGUMENT, message);
  }

  static StreamException limit(String message) {
    return new StreamException(Kind.LIMIT_EXCEEDED, message);
  }
}
