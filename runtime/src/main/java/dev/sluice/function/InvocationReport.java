package dev.sluice.function;

/**
 * An invocation's result with the figures Lambda puts in its REPORT line.
 *
 * @param result what the invocation came to
 * @param durationNanos time spent in the handler (or until the timeout)
 * @param initDurationNanos time the instance spent initialising before this invocation (the cold
 *     start), or -1 on a warm instance
 * @param maxMemoryUsedMb the instance's peak memory use, or -1 when unknown
 * @param log what the handler logged during the invocation (without START/END/REPORT)
 */
public record InvocationReport(
    InvocationResult result,
    long durationNanos,
    long initDurationNanos,
    long maxMemoryUsedMb,
    String log) {}
