package dev.sluice.function;

/**
 * An asynchronous (Event) invocation as an {@link EventQueue} keeps it from its 202 until it is
 * done, and again with its progress each time it waited for a retry.
 *
 * @param requestId the id its 202 named, which every attempt runs under
 * @param function the function's name
 * @param payload the event
 * @param acceptedMillis when it was accepted: throttled events are retried for 6 hours from then
 * @param attempt the attempts that failed so far (Lambda retries twice)
 * @param throttles the throttles so far, for the backoff
 */
public record QueuedEvent(
    String requestId,
    String function,
    byte[] payload,
    long acceptedMillis,
    int attempt,
    int throttles) {

  /** A newly accepted event. */
  public QueuedEvent(String requestId, String function, byte[] payload, long acceptedMillis) {
    this(requestId, function, payload, acceptedMillis, 0, 0);
  }
}
