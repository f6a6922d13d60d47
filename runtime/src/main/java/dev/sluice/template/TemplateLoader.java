package dev.sluice.template;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Loads SAM templates (YAML or JSON) into the streams and functions Sluice deploys. */
public final class TemplateLoader {

  private TemplateLoader() {}

  /**
   * Reads, validates and resolves a template; throws TemplateException listing every error found.
   * Errors name {@code file} as given; relative CodeUris start from its directory.
   */
  public static Template load(Path file, TemplateContext ctx) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      String why = Files.exists(file) ? "cannot be read: " + e.getMessage() : "does not exist";
      throw new TemplateException(
          List.of(new TemplateError("", "the template " + why, file.toString(), 1, 1)));
    }
    Path dir = file.toAbsolutePath().getParent();
    return parse(text, file.toString(), dir, ctx);
  }

  /**
   * Validates and resolves template {@code text}; {@code fileLabel} names it in errors and relative
   * CodeUris start from {@code baseDir}.
   */
  public static Template parse(String text, String fileLabel, Path baseDir, TemplateContext ctx) {
    return new TemplateReader(fileLabel, baseDir.toAbsolutePath(), ctx).read(text);
  }
}
