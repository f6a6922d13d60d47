package dev.sluice.examples.libs;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Reports which Guava this handler actually runs with. The same class name exists in lib-v1 (Guava
 * 32.1.3-jre) and lib-v2 (Guava 33.4.8-jre); with one class loader per function, each sees its own.
 *
 * <p>Returns {@code {"library": "<Guava version>", "bundle": "lib-v1", "guava33": "true|false"}}:
 * {@code library} is read from the {@code pom.properties} next to the loaded Guava classes, {@code
 * guava33} from a behaviour difference (a class that only Guava 33 has), and {@code bundle} is a
 * constant of this jar.
 */
public class VersionHandler implements RequestHandler<Map<String, Object>, Map<String, String>> {
  static final String BUNDLE = "lib-v1";

  @Override
  public Map<String, String> handleRequest(Map<String, Object> input, Context context) {
    Map<String, String> output = new LinkedHashMap<>();
    output.put("library", guavaVersion());
    output.put("bundle", BUNDLE);
    output.put("guava33", Boolean.toString(hasGuava33Classes()));
    return output;
  }

  static String guavaVersion() {
    URL resource =
        ImmutableList.class.getResource("/META-INF/maven/com.google.guava/guava/pom.properties");
    if (resource == null) {
      return "unknown";
    }
    try (InputStream in = resource.openStream()) {
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code com.google.common.base.SneakyThrows} appeared in Guava 33. */
  static boolean hasGuava33Classes() {
    try {
      Class.forName(
          "com.google.common.base.SneakyThrows", false, ImmutableList.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
