package dev.sluice.template;

/**
 * One problem in a template.
 *
 * @param path where in the template, dotted with {@code [i]} list indexes; empty for the document
 * @param message what is wrong
 * @param file the template file as the user named it
 * @param line 1-based line
 * @param column 1-based column
 */
public record TemplateError(String path, String message, String file, int line, int column) {

  /** {@code path: message (file:line:column)}. */
  @Override
  public String toString() {
    String where = " (" + file + ":" + line + ":" + column + ")";
    return path.isEmpty() ? message + where : path + ": " + message + where;
  }
}
