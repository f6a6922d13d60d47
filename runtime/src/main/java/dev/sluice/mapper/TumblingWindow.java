package dev.sluice.mapper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.checkpoint.WindowFloor;
import dev.sluice.checkpoint.WindowState;
import dev.sluice.log.LogRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tumbling window of one shard (Lambda's {@code TumblingWindowInSeconds}): which window a
 * record belongs to, the state carried between the invocations of the open window, and when that
 * window is due for its final invocation. Pure bookkeeping, no I/O and no timers: the {@link
 * ShardProcessor} asks it and drives the invocations.
 *
 * <p>Windows are aligned to multiples of their length, by the record's approximateArrivalTimestamp:
 * a window starts at {@code floor(arrival / length) * length} and ends (exclusive) one length
 * later. A record stamped before the open window, or inside one that closed already (clocks of
 * nodes writing one Kafka-backed shard disagree, or a clock stepped back), joins the open window or
 * the next one: a window never opens twice, so it never gets a second final invoke with its state
 * started again from {@code {}} (unless it terminated early, when Lambda continues it that way).
 *
 * <p>The open window travels with the shard's checkpoint ({@link #snapshot}, {@link #restore}), so
 * that a restart of the mapping (node restart, update, disable/enable, the shard moving to another
 * node) continues it with its state. So does that bound ({@link #floorSnapshot}, {@link
 * #restoreFloor}), also once no window is open, so that a late record coming only after the restart
 * cannot open a closed window either. A rewind, or a new window length, starts both afresh.
 */
final class TumblingWindow {

  /** State larger than this (as JSON) terminates the window early. */
  static final long MAX_STATE_BYTES = 1024L * 1024;

  private final long lengthMillis;
  private long start = -1;
  private Map<String, String> state = new LinkedHashMap<>();
  private boolean invoked;
  private boolean terminatedEarly;

  /**
   * No record goes into a window that starts before this: the open one's start, or a closed end.
   */
  private long floor = Long.MIN_VALUE;

  TumblingWindow(int seconds) {
    if (seconds <= 0) {
      throw new IllegalArgumentException("window length must be positive: " + seconds);
    }
    this.lengthMillis = seconds * 1000L;
  }

  /** The start of the window that {@code arrivalMillis} falls in. */
  static long startOf(long arrivalMillis, long lengthMillis) {
    return Math.floorDiv(arrivalMillis, lengthMillis) * lengthMillis;
  }

  /** The window {@code r} goes into: the one its arrival falls in, unless that one has passed. */
  long windowOf(LogRecord r) {
    return Math.max(startOf(r.arrivalMillis(), lengthMillis), floor);
  }

  long lengthMillis() {
    return lengthMillis;
  }

  /** Whether a window is open: a batch of it was dispatched and its final invoke has not run. */
  boolean isOpen() {
    return start >= 0;
  }

  long start() {
    return start;
  }

  long end() {
    return start + lengthMillis;
  }

  Map<String, String> state() {
    return state;
  }

  /** Whether a batch of the open window succeeded, so that it gets a final invoke. */
  boolean invoked() {
    return invoked;
  }

  boolean terminatedEarly() {
    return terminatedEarly;
  }

  /**
   * A batch of window {@code windowStart} is about to run: opens it (state {}) unless it is open.
   */
  void enter(long windowStart) {
    if (start != windowStart) {
      start = windowStart;
      floor = Math.max(floor, windowStart);
      state = new LinkedHashMap<>();
      invoked = false;
      terminatedEarly = false;
    }
  }

  /**
   * Whether the open window must be closed (by its final invoke, if it had a successful invocation)
   * before anything else runs on the shard.
   *
   * @param nextWindow the window of the next queued record, or -1 if none is queued
   * @param caughtUp whether every record of the shard that exists now was read
   * @param shardEnded whether the shard is closed and all its records are done
   * @param now the clock
   */
  boolean closeDue(long nextWindow, boolean caughtUp, boolean shardEnded, long now) {
    if (!isOpen()) {
      return false;
    }
    if (terminatedEarly || shardEnded) {
      return true;
    }
    if (nextWindow >= 0) {
      return nextWindow != start; // the shard's records moved past this window
    }
    // its end passed, with a grace, and no more records for it: a record stamped just before the
    // end becomes readable only once its append is durable, and a window closed before that would
    // open again for it alone, with a second final invoke
    return caughtUp && now >= end() + CLOSE_GRACE_MILLIS;
  }

  /** How long past its end a window waits for records stamped before the end to be readable. */
  static final long CLOSE_GRACE_MILLIS = 1_000;

  /** Takes the state a successful (or partly successful) invocation of the window returned. */
  void accept(Map<String, String> newState) {
    invoked = true;
    state = newState;
    if (bytes(newState) > MAX_STATE_BYTES) {
      terminatedEarly = true;
    }
  }

  /**
   * The open window as a checkpoint keeps it, or null when there is nothing to keep: no window, or
   * one whose state no invocation has returned yet (it would restart from {@code {}} anyway).
   */
  WindowState snapshot() {
    return isOpen() && invoked ? new WindowState(start, end(), state, terminatedEarly) : null;
  }

  /**
   * Reopens the window a checkpoint kept, with its state, as if its invocations had just run;
   * ignored (the window starts afresh) when it is null or of another window length.
   */
  void restore(WindowState saved) {
    if (saved == null || saved.end() - saved.start() != lengthMillis) {
      return;
    }
    start = saved.start();
    floor = Math.max(floor, start);
    state = new LinkedHashMap<>(saved.state());
    invoked = true;
    terminatedEarly = saved.terminatedEarly();
  }

  /**
   * The bound no record's window may start before, as a checkpoint keeps it, or null before any
   * window opened.
   */
  WindowFloor floorSnapshot() {
    return floor == Long.MIN_VALUE ? null : new WindowFloor(floor, lengthMillis);
  }

  /**
   * Takes the bound a checkpoint kept; ignored when it is null or of another window length, whose
   * windows do not line up with this one's.
   */
  void restoreFloor(WindowFloor saved) {
    if (saved != null && saved.lengthMillis() == lengthMillis) {
      floor = Math.max(floor, saved.floor());
    }
  }

  /**
   * The final invoke ran (or was given up): the window and its state are discarded. A window that
   * terminated early is not over, though: as in Lambda, its remaining records continue the same
   * window with a fresh state, so only a window that ran its course moves the floor past it.
   */
  void close() {
    if (isOpen()) {
      floor = Math.max(floor, terminatedEarly ? start : end());
    }
    start = -1;
    state = new LinkedHashMap<>();
    invoked = false;
    terminatedEarly = false;
  }

  /**
   * The {@code state} of a TimeWindowEventResponse; an object's values must be strings (other
   * scalars are taken as their JSON text). Lambda counts a response without a state (no response,
   * no member, null) as a failed invocation, so that a handler that forgets it fails here as it
   * would there; {@code "state": {}} is an empty state.
   *
   * @throws IllegalArgumentException if the response is not JSON or has no state object
   */
  static Map<String, String> parseState(byte[] response) {
    JsonNode root;
    try {
      root = response.length == 0 ? null : EventBuilder.MAPPER.readTree(response);
    } catch (IOException e) {
      throw new IllegalArgumentException("the response is not valid JSON");
    }
    Map<String, String> out = new LinkedHashMap<>();
    JsonNode s = root == null || !root.isObject() ? null : root.get("state");
    if (s == null || s.isNull()) {
      throw new IllegalArgumentException(
          "the response has no state, which a function with a tumbling window must return (an"
              + " empty object will do)");
    }
    if (!s.isObject()) {
      throw new IllegalArgumentException("state is not a JSON object of strings");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = s.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      if (v.isContainerNode()) {
        throw new IllegalArgumentException("state value of " + e.getKey() + " is not a string");
      }
      out.put(e.getKey(), v.isNull() ? null : v.isTextual() ? v.asText() : v.toString());
    }
    return out;
  }

  static long bytes(Map<String, String> state) {
    ObjectNode n = EventBuilder.MAPPER.createObjectNode();
    state.forEach(n::put);
    return n.toString().getBytes(StandardCharsets.UTF_8).length;
  }
}
