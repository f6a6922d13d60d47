package dev.sluice.function;

/**
 * One call of a function.
 *
 * @param requestId the request id ({@code Lambda-Runtime-Aws-Request-Id})
 * @param payload the event, as JSON bytes
 * @param deadlineMillis epoch milliseconds after which the invocation has timed out
 * @param functionArn the invoked function's ARN
 * @param clientContext base64 client context, or null
 */
public record Invocation(
    String requestId,
    byte[] payload,
    long deadlineMillis,
    String functionArn,
    String clientContext) {}
