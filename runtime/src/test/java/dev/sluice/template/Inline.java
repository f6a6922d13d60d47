package dev.sluice.template;

import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Parses templates written inside tests, labelled {@code template.yaml}. */
final class Inline {

  static final String LABEL = "template.yaml";
  static final String SAM = "Transform: AWS::Serverless-2016-10-31\n";

  private Inline() {}

  static Template parse(String text) {
    return parse(text, Map.of(), Path.of("."));
  }

  static Template parse(String text, Map<String, String> overrides, Path baseDir) {
    return TemplateLoader.parse(text, LABEL, baseDir, Fixtures.context(overrides));
  }

  /** The errors {@code text} is rejected with, as strings; fails when it loads. */
  static List<String> errors(String text) {
    return errors(text, Map.of(), Path.of("."));
  }

  static List<String> errors(String text, Map<String, String> overrides, Path baseDir) {
    TemplateException e =
        catchThrowableOfType(TemplateException.class, () -> parse(text, overrides, baseDir));
    if (e == null) {
      throw new AssertionError("template loaded but errors were expected");
    }
    return e.errors().stream().map(TemplateError::toString).toList();
  }

  /** A function resource {@code id} with a jar, a handler, java21 and {@code more} properties. */
  static String function(String id, String more) {
    return "  "
        + id
        + ":\n"
        + "    Type: AWS::Serverless::Function\n"
        + "    Properties:\n"
        + "      CodeUri: app.jar\n"
        + "      Handler: example.Handler\n"
        + "      Runtime: java21\n"
        + more.indent(6);
  }
}
