package dev.sluice.mapper;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What a mapping did since the node started, kept by the mapping service across its runners: an
 * update or a disable replaces the runner, and the API still shows the records processed and the
 * last result from before it, as Lambda does. Thread-safe.
 */
public final class RunTotals {

  private final AtomicLong processed = new AtomicLong();
  private final AtomicReference<String> lastResult = new AtomicReference<>("No records processed");

  /** Counts {@code records} delivered and sets the last processing result. */
  public void processed(long records, String lastProcessingResult) {
    processed.addAndGet(records);
    lastResult.set(lastProcessingResult);
  }

  /** The connection problem shown, as set; null when none is. Guarded by this. */
  private String problem;

  /** What was shown before {@link #problem}. Guarded by this. */
  private String beforeProblem;

  /**
   * Shows a problem with the source's connection (a consumer that failed, a group it cannot join)
   * until {@link #connected}, unless a result replaces it first.
   */
  public synchronized void connectionProblem(String text) {
    String before = lastResult.getAndSet(text);
    if (problem == null || before != problem) {
      beforeProblem = before; // not a problem of ours still shown: what to go back to
    }
    problem = text;
  }

  /**
   * The source is connected again: a connection problem still shown gives way to what was shown
   * before it (Lambda clears it once the poller works, records or not).
   */
  public synchronized void connected() {
    if (problem != null) {
      lastResult.compareAndSet(problem, beforeProblem);
      problem = null;
    }
  }

  /** Records delivered successfully. */
  public long processed() {
    return processed.get();
  }

  /** The last processing result: "No records processed", "OK" or "PROBLEM: ...". */
  public AtomicReference<String> lastResult() {
    return lastResult;
  }
}
