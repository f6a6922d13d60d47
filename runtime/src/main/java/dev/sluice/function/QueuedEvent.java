package dev.sluice.function;

/**
 * An asynchronous (Event) invocation as an {@link EventQueue} keeps it from its 202 until it is
 * done.
 *
 * @param requestId the id its 202 named, which every attempt runs under
 * @param function the function's name
 * @param payload the event
 * @param acceptedMillis when it was accepted: throttled events are retried for 6 hours from then
 */
public record QueuedEvent(String requestId, String function, byte[] payload, long acceptedMillis) {}
