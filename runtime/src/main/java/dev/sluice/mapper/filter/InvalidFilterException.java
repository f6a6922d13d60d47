package dev.sluice.mapper.filter;

/**
 * A FilterCriteria that cannot be accepted. The message names the filter and the problem, for
 * example {@code Filters[2].Pattern: unknown operator 'prefixx' in field 'data.type'}, and is meant
 * to be returned as the message of an InvalidParameterValueException.
 */
public class InvalidFilterException extends RuntimeException {

  /** A rejection with the given message. */
  public InvalidFilterException(String message) {
    super(message, null, false, false);
  }
}
