package dev.sluice.function;

import java.util.Map;

/**
 * What a deploy or a configuration update asks for; null members keep their current value (or take
 * Lambda's default on create).
 *
 * @param handler the handler string
 * @param runtime the runtime name
 * @param memorySize megabytes
 * @param timeoutSeconds seconds
 * @param environment environment variables
 * @param description free text
 * @param isolation classloader or process
 * @param role the execution role's ARN, which Sluice only stores and reports
 */
public record FunctionSpec(
    String handler,
    String runtime,
    Integer memorySize,
    Integer timeoutSeconds,
    Map<String, String> environment,
    String description,
    Isolation isolation,
    String role) {

  /** A request that gives no role: a new function reports Sluice's default, a change keeps it. */
  public FunctionSpec(
      String handler,
      String runtime,
      Integer memorySize,
      Integer timeoutSeconds,
      Map<String, String> environment,
      String description,
      Isolation isolation) {
    this(handler, runtime, memorySize, timeoutSeconds, environment, description, isolation, null);
  }

  /** This request, giving {@code newRole} as the execution role. */
  public FunctionSpec withRole(String newRole) {
    return new FunctionSpec(
        handler, runtime, memorySize, timeoutSeconds, environment, description, isolation, newRole);
  }
}
