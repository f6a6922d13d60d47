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

  /** Records delivered successfully. */
  public long processed() {
    return processed.get();
  }

  /** The last processing result: "No records processed", "OK" or "PROBLEM: ...". */
  public AtomicReference<String> lastResult() {
    return lastResult;
  }
}
