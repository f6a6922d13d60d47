package dev.sluice.function;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks of what a CreateFunction or UpdateFunctionConfiguration request asks for, in the order and
 * with the messages Lambda answers them, and the defaults a creation takes. Stateless.
 */
final class FunctionSpecs {

  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9-_]{1,64}");

  /** Lambda's pattern for an execution role's ARN. */
  private static final Pattern ROLE =
      Pattern.compile("arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+");

  private FunctionSpecs() {}

  /**
   * Fails unless {@code name} is a valid function name: a model constraint, as Lambda checks it.
   */
  static void checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw FunctionException.validation(
          "Value '"
              + name
              + "' at 'functionName' failed to satisfy constraint: Member must satisfy"
              + " regular expression pattern: [a-zA-Z0-9-_]{1,64}");
    }
  }

  /**
   * An update's request laid over the function's current configuration: what the request leaves out
   * stays as it is.
   */
  static FunctionSpec merged(FunctionSpec spec, FunctionConfig c) {
    return new FunctionSpec(
        or(spec.handler(), c.handler()),
        or(spec.runtime(), c.runtime()),
        or(spec.memorySize(), c.memorySize()),
        or(spec.timeoutSeconds(), c.timeoutSeconds()),
        or(spec.environment(), c.environment()),
        or(spec.description(), c.description()),
        or(spec.isolation(), isolationFor(or(spec.runtime(), c.runtime()), c.isolation())),
        or(spec.role(), c.role()));
  }

  /**
   * The isolation a function keeps when an update names none: an OS-only runtime's bootstrap is a
   * program, so a move to one takes process isolation, as a creation with it does (the AWS tools
   * cannot send Sluice's isolation tag).
   */
  private static Isolation isolationFor(String runtime, Isolation current) {
    return runtime != null && runtime.startsWith("provided") ? Isolation.PROCESS : current;
  }

  /** {@code s} with Lambda's defaults for what a creation leaves out. */
  static FunctionSpec withDefaults(FunctionSpec s) {
    return new FunctionSpec(
        s.handler(),
        s.runtime(),
        or(s.memorySize(), 128),
        or(s.timeoutSeconds(), 3),
        or(s.environment(), Map.of()),
        or(s.description(), ""),
        // an OS-only runtime's bootstrap is a program: it can only run as a process
        or(
            s.isolation(),
            s.runtime() != null && s.runtime().startsWith("provided")
                ? Isolation.PROCESS
                : Isolation.CLASSLOADER),
        s.role());
  }

  /**
   * Fails unless {@code value} is unset or within [{@code min}, {@code max}], as Lambda's model.
   */
  static void checkRange(String member, Integer value, int min, int max) {
    if (value == null || (value >= min && value <= max)) {
      return;
    }
    throw FunctionException.validation(
        "Value '"
            + value
            + "' at '"
            + member
            + "' failed to satisfy constraint: Member must have value "
            + (value < min ? "greater than or equal to " + min : "less than or equal to " + max));
  }

  /**
   * Fails unless a whole specification (a creation's with defaults, an update's merged) can be
   * deployed: the runtime known and runnable, the isolation it needs, a handler, the environment's
   * size.
   */
  static void validate(FunctionSpec s) {
    Runtimes.checkRunnable(s.runtime());
    if (s.runtime().startsWith("provided") && s.isolation() == Isolation.CLASSLOADER) {
      throw FunctionException.invalid(
          "Runtime "
              + s.runtime()
              + " runs a bootstrap program: it needs process isolation (tag sluice:isolation"
              + " process), not classloader isolation.");
    }
    if (s.runtime().startsWith("java") && (s.handler() == null || s.handler().isBlank())) {
      throw FunctionException.invalid("A handler is required for runtime " + s.runtime() + ".");
    }
    for (Map.Entry<String, String> e : s.environment().entrySet()) {
      if (String.valueOf(e.getValue()).indexOf('\u0000') >= 0) {
        throw FunctionException.invalid(
            "Environment variable " + e.getKey() + " holds a NUL character.");
      }
    }
    String env = FunctionConfig.environmentJson(s.environment());
    if (FunctionConfig.utf8Bytes(env) > FunctionConfig.MAX_ENVIRONMENT_BYTES) {
      throw FunctionException.invalid(
          "Lambda was unable to configure your environment variables because the environment"
              + " variables you have provided exceeded the 4KB limit. String measured: "
              + env);
    }
  }

  /**
   * What a create or update request sets itself, checked as Lambda checks it: the role's ARN, then
   * the environment's names (their pattern first, then the reserved ones). Only the request's own
   * values are checked, so that a definition stored before these checks can still be changed in
   * other ways.
   */
  static void checkRequest(FunctionSpec spec) {
    Runtimes.checkKnown(spec.runtime());
    checkRange("memorySize", spec.memorySize(), 128, 10240);
    checkRange("timeout", spec.timeoutSeconds(), 1, FunctionConfig.MAX_TIMEOUT_SECONDS);
    if (spec.handler() != null && !FunctionConfig.HANDLER.matcher(spec.handler()).matches()) {
      throw FunctionException.validation(
          "Value '"
              + spec.handler()
              + "' at 'handler' failed to satisfy constraint: Member must satisfy regular"
              + " expression pattern: [^\\s]+, and have length less than or equal to 128");
    }
    if (spec.description() != null
        && spec.description().length() > FunctionConfig.MAX_DESCRIPTION_CHARS) {
      throw FunctionException.validation(
          "Value at 'description' failed to satisfy constraint: Member must have length less"
              + " than or equal to "
              + FunctionConfig.MAX_DESCRIPTION_CHARS);
    }
    if (spec.role() != null && !ROLE.matcher(spec.role()).matches()) {
      throw FunctionException.validation(
          "Value '"
              + spec.role()
              + "' at 'role' failed to satisfy constraint: Member must satisfy regular expression"
              + " pattern: "
              + ROLE.pattern());
    }
    Map<String, String> environment = spec.environment();
    if (environment == null) {
      return;
    }
    for (String key : environment.keySet()) {
      if (!FunctionConfig.ENVIRONMENT_NAME.matcher(key).matches()) {
        throw FunctionException.validation(
            "Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy"
                + " constraint: [Member must satisfy regular expression pattern:"
                + " [a-zA-Z]([a-zA-Z0-9_])+]");
      }
    }
    List<String> reserved =
        environment.keySet().stream()
            .filter(FunctionConfig.RESERVED_ENVIRONMENT::contains)
            .sorted()
            .toList();
    if (!reserved.isEmpty()) {
      throw FunctionException.invalid(
          "Lambda was unable to configure your environment variables because the environment"
              + " variables you have provided contains reserved keys that are currently not"
              + " supported for modification. Reserved keys used in this request: "
              + String.join(", ", reserved));
    }
  }

  private static <T> T or(T value, T fallback) {
    return value != null ? value : fallback;
  }
}
