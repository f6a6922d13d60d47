package dev.sluice.function;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * One call of a function.
 *
 * @param requestId the request id ({@code Lambda-Runtime-Aws-Request-Id})
 * @param payload the event, as JSON bytes; null when {@code kinesis} carries it
 * @param deadlineMillis epoch milliseconds after which the invocation has timed out
 * @param functionArn the invoked function's ARN
 * @param clientContext base64 client context, or null
 * @param kinesis the event as a Kinesis or Kafka batch of objects, or null
 */
public record Invocation(
    String requestId,
    byte[] payload,
    long deadlineMillis,
    String functionArn,
    String clientContext,
    KinesisBatch kinesis) {

  /** An invocation with a JSON payload only. */
  public Invocation(
      String requestId,
      byte[] payload,
      long deadlineMillis,
      String functionArn,
      String clientContext) {
    this(requestId, payload, deadlineMillis, functionArn, clientContext, null);
  }

  /** This invocation with another deadline: a cold start's, once its init is over. */
  public Invocation withDeadline(long millis) {
    return new Invocation(requestId, payload, millis, functionArn, clientContext, kinesis);
  }

  /**
   * The client context as a runtime gets it: the JSON that Invoke's base64 carries, null when there
   * is none. Both isolation modes read it here, so that they see the same. A value that is not
   * base64 (the Lambda API refuses those; only a direct caller can pass one) is taken as the JSON.
   */
  public String clientContextJson() {
    if (clientContext == null || clientContext.isEmpty()) {
      return null;
    }
    try {
      return new String(Base64.getDecoder().decode(clientContext), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException notBase64) {
      return clientContext;
    }
  }

  /** The event as JSON bytes, built from the batch if that is how it came. */
  @Override
  public byte[] payload() {
    return payload != null || kinesis == null ? payload : kinesis.json();
  }
}
