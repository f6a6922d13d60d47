package dev.sluice.examples.orders;

import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Writes any number of entries through a {@link NotificationPublisher}, in requests of at most 500,
 * and again, after a short pause, for the entries a request did not write.
 *
 * <p>Entries of one partition key (one order) are written in their order: a request carries at most
 * one pending entry per key, the first, so an entry Kinesis refuses is written again before any
 * later entry of its key is sent. Within one PutRecords request a refused entry would otherwise
 * land after a later one of its key that was accepted.
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
   * Writes every entry, each key's in order, in rounds that send the first pending entry of each
   * key. An entry that failed is sent again in the next round, after a pause that doubles with its
   * failures, up to {@code maxRetries} times; when one fails once more, writing stops.
   *
   * @return the positions in {@code entries} of those still not written (the failed ones and those
   *     not sent yet); empty if all were
   */
  SortedSet<Integer> publishAll(List<NotificationPublisher.Entry> entries, LambdaLogger log) {
    SortedSet<Integer> pending = new TreeSet<>();
    for (int i = 0; i < entries.size(); i++) {
      pending.add(i);
    }
    Map<Integer, Integer> failures = new HashMap<>();
    boolean givenUp = false;
    while (!pending.isEmpty() && !givenUp) {
      List<Integer> round = firstOfEachKey(entries, pending);
      List<Integer> retried = round.stream().filter(failures::containsKey).toList();
      if (!retried.isEmpty()) {
        int retry = retried.stream().mapToInt(failures::get).max().orElseThrow();
        pause(firstBackoff.multipliedBy(1L << (retry - 1)));
        log.log("retry " + retry + " of " + maxRetries + ": " + retried.size() + " record(s)");
      }
      SortedSet<Integer> failed = publishOnce(entries, round, log);
      for (int position : round) {
        if (!failed.contains(position)) {
          pending.remove(position);
        } else if (failures.merge(position, 1, Integer::sum) > maxRetries) {
          givenUp = true;
        }
      }
    }
    return pending;
  }

  /** The first pending position of each partition key, in position order. */
  private static List<Integer> firstOfEachKey(
      List<NotificationPublisher.Entry> entries, SortedSet<Integer> pending) {
    Set<String> keys = new HashSet<>();
    List<Integer> round = new ArrayList<>();
    for (int position : pending) {
      if (keys.add(entries.get(position).partitionKey())) {
        round.add(position);
      }
    }
    return round;
  }

  /** One request per chunk of {@code positions}; returns those that failed. */
  private SortedSet<Integer> publishOnce(
      List<NotificationPublisher.Entry> entries, List<Integer> positions, LambdaLogger log) {
    SortedSet<Integer> failed = new TreeSet<>();
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
