package dev.sluice.function;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.files.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The asynchronous events a node accepted and has not finished with, kept on disk so that a restart
 * runs them instead of losing them: Lambda's queue of Event invocations is durable, and the 202 an
 * Event invoke answers promises that the event will run.
 *
 * <p>On disk: one file per event, {@code DIR/REQUEST_ID.json} holding an {@link Entry} (the payload
 * as base64), written atomically and fsync'd before the 202 is sent and again when a retry is
 * scheduled; removed once the event succeeded, ran out of retries, was dropped, or its function
 * went. A crash between an event's end and its removal runs it once more at the next start: at
 * least once, as Lambda's own queue delivers.
 *
 * <p>Any thread may call it; each event's file is its own.
 */
final class AsyncJournal {

  private static final Logger LOG = Logger.getLogger(AsyncJournal.class);
  private static final String SUFFIX = ".json";

  /** Keeps nothing: a node on shared state keeps no state of its own on local disk. */
  static final AsyncJournal NONE = new AsyncJournal(null);

  /**
   * One accepted event and how far it got.
   *
   * @param requestId the id its 202 named, which every attempt runs under
   * @param function the function's name
   * @param payload the event
   * @param attempt the attempts that failed so far (Lambda retries twice)
   * @param throttles the throttles so far, for the backoff
   * @param firstMillis when it was accepted: throttled events are retried for 6 hours from then
   */
  record Entry(
      String requestId,
      String function,
      byte[] payload,
      int attempt,
      int throttles,
      long firstMillis) {}

  private final ObjectMapper mapper = new ObjectMapper();
  private final Path dir;

  AsyncJournal(Path dir) {
    this.dir = dir;
  }

  /** Records {@code e} durably, replacing what was recorded of it before. */
  void put(Entry e) {
    if (dir == null) {
      return;
    }
    try {
      AtomicFiles.write(file(e.requestId()), mapper.writeValueAsBytes(e));
    } catch (IOException x) {
      throw new UncheckedIOException(x);
    }
  }

  /** Forgets the event: it is done, one way or the other. */
  void remove(String requestId) {
    if (dir == null) {
      return;
    }
    try {
      Files.deleteIfExists(file(requestId));
    } catch (IOException e) {
      // it runs once more after a restart: a duplicate, which at-least-once allows
      LOG.warnf("Could not remove the finished asynchronous event %s: %s", requestId, e);
    }
  }

  /** Whether events are kept on disk, where a waiting one's payload can be read back. */
  boolean durable() {
    return dir != null;
  }

  /** The payload recorded for the event, or null when it is not recorded (or unreadable). */
  byte[] payload(String requestId) {
    Entry e = read(requestId);
    return e == null ? null : e.payload();
  }

  /** The event as recorded, or null when it is not recorded (or unreadable, which is logged). */
  Entry read(String requestId) {
    if (dir == null) {
      return null;
    }
    try {
      return mapper.readValue(file(requestId).toFile(), Entry.class);
    } catch (IOException e) {
      LOG.warnf("Cannot read the asynchronous event %s: %s", requestId, e.getMessage());
      return null;
    }
  }

  /**
   * The request ids of the events recorded and not finished, as a start finds them, in name order;
   * {@link #read} gives each, one at a time, so that a long queue is not all in memory at once.
   */
  List<String> pending() {
    List<String> out = new ArrayList<>();
    if (dir == null || !Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(SUFFIX)).sorted().toList()) {
        String name = f.getFileName().toString();
        out.add(name.substring(0, name.length() - SUFFIX.length()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the asynchronous events in " + dir, e);
    }
    return out;
  }

  private Path file(String requestId) {
    return dir.resolve(requestId + SUFFIX);
  }
}
