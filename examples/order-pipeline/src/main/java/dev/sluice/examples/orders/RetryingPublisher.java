package dev.sluice.examples.orders;

import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Writes any number of entries through a {@link NotificationPublisher}: in requests of at most 500,
 * and again, after a short pause, for the entries a request did not write.
 */
final class RetryingPublisher {
  static final int MAX_RETRIES = 3;
  static final Duration FIRST_BACKOFF = Duration.ofMillis(50);

  private final NotificationPublisher publisher;
  private final int maxRetries;
  private final Duration firstBackoff;
  private final Sleeper sleeper;

  RetryingPublisher(NotificationPublisher publisher) {
    this(publisher, MAX_RETRIES, FIRST_BACKOFF, Thread::sleep);
  }

  RetryingPublisher(
      NotificationPublisher publisher, int maxRetries, Duration firstBackoff, Sleeper sleeper) {
    this.publisher = publisher;
    this.maxRetries = maxRetries;
    this.firstBackoff = firstBackoff;
    this.sleeper = sleeper;
  }

  /**
   * Writes every entry, retrying failed ones up to {@code maxRetries} times with doubling pauses.
   *
   * @return the positions in {@code entries} of those still not written; empty if all were
   */
  SortedSet<Integer> publishAll(List<NotificationPublisher.Entry> entries, LambdaLogger log) {
    SortedSet<Integer> pending = new TreeSet<>();
    for (int i = 0; i < entries.size(); i++) {
      pending.add(i);
    }
    for (int attempt = 0; attempt <= maxRetries && !pending.isEmpty(); attempt++) {
      if (attempt > 0) {
        pause(firstBackoff.multipliedBy(1L << (attempt - 1)));
        log.log("retry " + attempt + " of " + maxRetries + ": " + pending.size() + " record(s)");
      }
      pending = publishOnce(entries, pending, log);
    }
    return pending;
  }

  /** One request per chunk of the pending positions; returns those that failed. */
  private SortedSet<Integer> publishOnce(
      List<NotificationPublisher.Entry> entries, SortedSet<Integer> pending, LambdaLogger log) {
    SortedSet<Integer> failed = new TreeSet<>();
    List<Integer> positions = new ArrayList<>(pending);
    for (int from = 0; from < positions.size(); from += NotificationPublisher.MAX_ENTRIES) {
      List<Integer> chunk =
          positions.subList(
              from, Math.min(positions.size(), from + NotificationPublisher.MAX_ENTRIES));
      List<NotificationPublisher.Entry> request = new ArrayList<>(chunk.size());
      chunk.forEach(position -> request.add(entries.get(position)));
      for (int index : failedIn(request, log)) {
        failed.add(chunk.get(index));
      }
    }
    return failed;
  }

  /** Positions in {@code request} that were not written. */
  private SortedSet<Integer> failedIn(List<NotificationPublisher.Entry> request, LambdaLogger log) {
    try {
      Map<Integer, String> failures = publisher.publish(request);
      if (!failures.isEmpty()) {
        log.log(
            failures.size()
                + " of "
                + request.size()
                + " notification(s) not written, e.g. "
                + failures.values().iterator().next());
      }
      return new TreeSet<>(failures.keySet());
    } catch (RuntimeException e) {
      log.log("PutRecords of " + request.size() + " notification(s) failed: " + e);
      SortedSet<Integer> all = new TreeSet<>();
      for (int i = 0; i < request.size(); i++) {
        all.add(i);
      }
      return all;
    }
  }

  private void pause(Duration duration) {
    try {
      sleeper.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting to retry", e);
    }
  }

  /** Waits between attempts; tests pass one that does not. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(long millis) throws InterruptedException;
  }
}
