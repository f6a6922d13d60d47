package dev.sluice.checkpoint;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A tumbling window that is open at a checkpoint: saved with it so that a restart continues the
 * window with the state its invocations built, instead of starting again from {@code {}}.
 *
 * @param start the window's start (epoch millis, inclusive)
 * @param end the window's end (epoch millis, exclusive)
 * @param state the state the function returned last (values may be null)
 * @param terminatedEarly whether the state outgrew its limit, so that the window ends at once
 */
public record WindowState(
    long start, long end, Map<String, String> state, boolean terminatedEarly) {

  /** Copies {@code state}: the caller's map keeps changing, and may hold null values. */
  public WindowState {
    state = Collections.unmodifiableMap(new LinkedHashMap<>(state == null ? Map.of() : state));
  }
}
