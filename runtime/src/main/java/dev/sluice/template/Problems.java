package dev.sluice.template;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Collects errors and warnings so one pass reports everything wrong with a template. */
final class Problems {

  private final String file;
  private final Set<TemplateError> errors = new LinkedHashSet<>();
  private final Set<TemplateError> warnings = new LinkedHashSet<>();

  Problems(String file) {
    this.file = file;
  }

  String file() {
    return file;
  }

  /** An error at the value {@code at}. */
  void error(String path, Node at, String message) {
    if (!at.isInvalid()) {
      error(path, at.line, at.column, message);
    }
  }

  /**
   * An error at the key holding {@code at}: for missing or unknown properties. Neither this nor
   * {@link #error(String, Node, String)} reports at an invalid value, which stands in (at 1:1) for
   * one whose own error was reported where it is: anything found wrong with it follows from that.
   */
  void errorAtKey(String path, Node at, String message) {
    if (!at.isInvalid()) {
      error(path, at.keyLine, at.keyColumn, message);
    }
  }

  void error(String path, int line, int column, String message) {
    errors.add(new TemplateError(path, message, file, line, column));
  }

  /** A warning at the value {@code at}. */
  void warn(String path, Node at, String message) {
    warnings.add(new TemplateError(path, message, file, at.line, at.column));
  }

  void warnAtKey(String path, Node at, String message) {
    warnings.add(new TemplateError(path, message, file, at.keyLine, at.keyColumn));
  }

  boolean hasErrors() {
    return !errors.isEmpty();
  }

  /** Errors by position; the same error reached twice (e.g. through a Ref) is listed once. */
  List<TemplateError> errors() {
    return sorted(errors);
  }

  /** Warnings by position, as {@link TemplateError#toString()} lines. */
  List<String> warnings() {
    return sorted(warnings).stream().map(TemplateError::toString).toList();
  }

  private static List<TemplateError> sorted(Set<TemplateError> problems) {
    List<TemplateError> sorted = new ArrayList<>(problems);
    sorted.sort(
        Comparator.comparingInt(TemplateError::line).thenComparingInt(TemplateError::column));
    return sorted;
  }
}
