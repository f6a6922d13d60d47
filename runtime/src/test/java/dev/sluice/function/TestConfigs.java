package dev.sluice.function;

import java.util.Map;

/** Function configurations for tests: what a test sets, the rest as a fresh deploy has it. */
public final class TestConfigs {

  private TestConfigs() {}

  /** Function {@code name} with the given settings, no tags, description or reservation. */
  public static FunctionConfig of(
      String name,
      String handler,
      String runtime,
      int memoryMb,
      int timeoutSeconds,
      Map<String, String> env,
      Isolation isolation) {
    return new FunctionConfig(
        name,
        handler,
        runtime,
        memoryMb,
        timeoutSeconds,
        env,
        null,
        "",
        isolation,
        "sha",
        0,
        0,
        "rev",
        null,
        null);
  }
}
