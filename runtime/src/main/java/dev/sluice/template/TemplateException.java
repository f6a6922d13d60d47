package dev.sluice.template;

import java.util.List;
import java.util.stream.Collectors;

/** A template that can't be used, with every problem found in it. */
public final class TemplateException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient List<TemplateError> errors;

  /** An exception for {@code errors}, which must not be empty. */
  public TemplateException(List<TemplateError> errors) {
    super(errors.stream().map(TemplateError::toString).collect(Collectors.joining("\n")));
    this.errors = List.copyOf(errors);
  }

  /** The problems, in the order they appear in the template. */
  public List<TemplateError> errors() {
    return errors;
  }
}
