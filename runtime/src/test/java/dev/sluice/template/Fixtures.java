package dev.sluice.template;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Template fixtures under {@code templates/} and the context tests resolve them in. */
final class Fixtures {

  static final String REGION = "eu-west-1";
  static final String ACCOUNT = "123456789012";
  static final String STACK = "shop";

  private Fixtures() {}

  static TemplateContext context(Map<String, String> overrides) {
    return new TemplateContext(REGION, ACCOUNT, STACK, overrides);
  }

  static TemplateContext context() {
    return context(Map.of());
  }

  /** The fixture files in {@code templates/<folder>}, by name. */
  static Stream<Path> files(String folder) {
    try (Stream<Path> list = Files.list(dir(folder))) {
      return list
          .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".json"))
          .sorted()
          .toList()
          .stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path dir(String folder) {
    try {
      return Path.of(Fixtures.class.getResource("/templates/" + folder).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The values after {@code # <tag>: } in the leading comment lines of {@code text}. */
  static List<String> header(String text, String tag) {
    String prefix = "# " + tag + ": ";
    return text.lines()
        .takeWhile(l -> l.startsWith("#"))
        .filter(l -> l.startsWith(prefix))
        .map(l -> l.substring(prefix.length()))
        .toList();
  }

  /** A {@code # overrides: A=1,B=2} header as a map. */
  static Map<String, String> overrides(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : header(text, "overrides")) {
      for (String pair : line.split(",")) {
        String[] kv = pair.split("=", 2);
        out.put(kv[0].trim(), kv[1].trim());
      }
    }
    return out;
  }

  /** Loads a fixture with its file name as label and its folder as base directory. */
  static Template load(Path file) {
    String text = read(file);
    return TemplateLoader.parse(
        text, file.getFileName().toString(), file.getParent(), context(overrides(text)));
  }
}
