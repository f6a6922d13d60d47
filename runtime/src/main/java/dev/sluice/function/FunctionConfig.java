package dev.sluice.function;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A function's configuration, as Lambda's GetFunctionConfiguration describes it.
 *
 * @param name the function name
 * @param handler {@code package.Class::method} or {@code package.Class}; for {@code provided},
 *     whatever the bootstrap expects
 * @param runtime {@code java17}, {@code java21}, {@code java25} or {@code provided}
 * @param memorySize megabytes (128–10,240); also the instance's heap limit in process mode
 * @param timeoutSeconds 1–900
 * @param environment environment variables the handler sees
 * @param reservedConcurrency the most invocations at once, or null for no reservation
 * @param description free text
 * @param isolation classloader or process
 * @param codeSha256 base64 SHA-256 of the deployment package, as Lambda reports CodeSha256
 * @param codeSize bytes of the deployment package
 * @param lastModifiedMillis when the configuration or code last changed
 * @param revisionId changes with every update
 * @param role the execution role's ARN as given, or null when none was (a definition stored before
 *     Sluice kept roles, or one deployed without a role)
 * @param tags the function's tags (TagResource), empty when none; Sluice's {@code sluice:isolation}
 *     is not among them: it is {@code isolation}
 */
public record FunctionConfig(
    String name,
    String handler,
    String runtime,
    int memorySize,
    int timeoutSeconds,
    Map<String, String> environment,
    Integer reservedConcurrency,
    String description,
    Isolation isolation,
    String codeSha256,
    long codeSize,
    long lastModifiedMillis,
    String revisionId,
    String role,
    Map<String, String> tags) {

  /** Lambda's pattern for an environment variable's name: a letter, then one or more more. */
  public static final Pattern ENVIRONMENT_NAME = Pattern.compile("[a-zA-Z]([a-zA-Z0-9_])+");

  /**
   * Environment variables a function may not set: those Lambda documents as reserved, and two that
   * would break the one-invocation-per-instance contract or divert the runtime client's logs. The
   * API refuses them; an instance never gets them from a function's Environment.
   */
  public static final Set<String> RESERVED_ENVIRONMENT =
      Set.of(
          "_HANDLER",
          "_X_AMZN_TRACE_ID",
          "AWS_DEFAULT_REGION",
          "AWS_REGION",
          "AWS_EXECUTION_ENV",
          "AWS_LAMBDA_FUNCTION_NAME",
          "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
          "AWS_LAMBDA_FUNCTION_VERSION",
          "AWS_LAMBDA_INITIALIZATION_TYPE",
          "AWS_LAMBDA_LOG_GROUP_NAME",
          "AWS_LAMBDA_LOG_STREAM_NAME",
          "AWS_ACCESS_KEY",
          "AWS_ACCESS_KEY_ID",
          "AWS_SECRET_ACCESS_KEY",
          "AWS_SESSION_TOKEN",
          "AWS_LAMBDA_RUNTIME_API",
          "LAMBDA_TASK_ROOT",
          "LAMBDA_RUNTIME_DIR",
          "AWS_LAMBDA_MAX_CONCURRENCY",
          "_LAMBDA_TELEMETRY_LOG_FD");

  /**
   * Lambda's bound of a function's environment: the variables written as a JSON object, {@code
   * {"NAME":"value",...}}, in bytes of UTF-8.
   */
  public static final int MAX_ENVIRONMENT_BYTES = 4096;

  private static final ObjectMapper ENVIRONMENT_JSON = new ObjectMapper();

  /** Lambda's model of a Handler: at most 128 characters, none of them white space. */
  public static final Pattern HANDLER = Pattern.compile("[^\\s]{1,128}");

  /** The longest Description Lambda's model takes, in characters. */
  public static final int MAX_DESCRIPTION_CHARS = 256;

  /** The most ReservedConcurrentExecutions Lambda's API takes. */
  public static final int MAX_RESERVED_CONCURRENCY = 1000;

  /**
   * {@code environment} as Lambda measures it against {@link #MAX_ENVIRONMENT_BYTES}: a JSON
   * object, so that the quotes, colons and commas count too, as they do in Lambda.
   */
  public static String environmentJson(Map<String, String> environment) {
    try {
      return ENVIRONMENT_JSON.writeValueAsString(environment);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of strings is always JSON", e);
    }
  }

  /** The UTF-8 size of {@code json}. */
  public static int utf8Bytes(String json) {
    return json.getBytes(StandardCharsets.UTF_8).length;
  }

  /** The longest timeout a function may have, in seconds, as in Lambda. */
  public static final int MAX_TIMEOUT_SECONDS = 900;

  /** Copies the environment and tags so the value cannot change under its readers. */
  public FunctionConfig {
    environment = Map.copyOf(environment);
    tags = tags == null ? Map.of() : Map.copyOf(tags); // null: stored before Sluice kept tags
  }

  /** The most tags a function may have, as in Lambda. */
  public static final int MAX_TAGS = 50;

  /** This function with other tags; tags are not configuration, so the revision stays. */
  public FunctionConfig withTags(Map<String, String> next) {
    return new FunctionConfig(
        name,
        handler,
        runtime,
        memorySize,
        timeoutSeconds,
        environment,
        reservedConcurrency,
        description,
        isolation,
        codeSha256,
        codeSize,
        lastModifiedMillis,
        revisionId,
        role,
        next);
  }

  /** This function with a new deployment package. */
  public FunctionConfig withCode(String sha256, long size, long nowMillis) {
    return new FunctionConfig(
        name,
        handler,
        runtime,
        memorySize,
        timeoutSeconds,
        environment,
        reservedConcurrency,
        description,
        isolation,
        sha256,
        size,
        nowMillis,
        newRevision(),
        role,
        tags);
  }

  /** This function with the settings of {@code spec}, every member of which must be set. */
  public FunctionConfig withSettings(FunctionSpec spec, long nowMillis) {
    return new FunctionConfig(
        name,
        spec.handler(),
        spec.runtime(),
        spec.memorySize(),
        spec.timeoutSeconds(),
        spec.environment(),
        reservedConcurrency,
        spec.description(),
        spec.isolation(),
        codeSha256,
        codeSize,
        nowMillis,
        newRevision(),
        spec.role(),
        tags);
  }

  /** This function with another reserved concurrency (null: none). */
  public FunctionConfig withReservedConcurrency(Integer reserved) {
    return new FunctionConfig(
        name,
        handler,
        runtime,
        memorySize,
        timeoutSeconds,
        environment,
        reserved,
        description,
        isolation,
        codeSha256,
        codeSize,
        lastModifiedMillis,
        newRevision(),
        role,
        tags);
  }

  /**
   * Whether {@code other} differs from this function at most in what its runner never reads: the
   * tags, the reserved concurrency and the revision they changed. A change of only those keeps the
   * function's warm instances.
   */
  public boolean runsAs(FunctionConfig other) {
    return new FunctionConfig(
            name,
            handler,
            runtime,
            memorySize,
            timeoutSeconds,
            environment,
            other.reservedConcurrency,
            description,
            isolation,
            codeSha256,
            codeSize,
            lastModifiedMillis,
            other.revisionId,
            role,
            other.tags)
        .equals(other);
  }

  private static String newRevision() {
    return java.util.UUID.randomUUID().toString();
  }
}
