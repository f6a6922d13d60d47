package dev.sluice.mapper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.files.AtomicFiles;
import dev.sluice.function.InvocationResult;
import dev.sluice.stream.HashKeys;
import dev.sluice.stream.StreamAppender;
import dev.sluice.stream.StreamLimits;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * What the failure records of Kinesis and Kafka mappings share: Lambda's envelope (requestContext,
 * responseContext, version, timestamp), the error, and the delivery to a {@code file://} directory
 * or a destination stream, which takes a record without its bulky part when the whole one is over
 * the stream's record limit.
 */
public final class FailureRecords {

  private FailureRecords() {}

  /**
   * The envelope of a record for a batch skipped for {@code condition} after some invocations, the
   * last of them {@code requestId}; null when the batch never reached the function, which gets it a
   * fresh id.
   */
  public static ObjectNode envelope(
      String functionArn,
      String condition,
      int invokeCount,
      String requestId,
      InvocationResult.Failure failure,
      long nowMillis) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    ObjectNode request = n.putObject("requestContext");
    request.put("requestId", requestId != null ? requestId : UUID.randomUUID().toString());
    request.put("functionArn", functionArn);
    request.put("condition", condition);
    request.put("approximateInvokeCount", invokeCount);
    ObjectNode response = n.putObject("responseContext");
    response.put("statusCode", 200);
    response.put("executedVersion", "$LATEST");
    response.put("functionError", failure == null ? null : "Unhandled");
    n.put("version", "1.0");
    n.put("timestamp", Instant.ofEpochMilli(nowMillis).toString());
    return n;
  }

  /** Adds the function's error to {@code n}, if the batch failed with one. */
  public static void putError(ObjectNode n, InvocationResult.Failure failure) {
    if (failure == null) {
      return;
    }
    ObjectNode error = n.putObject("error");
    error.put("errorType", failure.errorType());
    error.put("errorMessage", failure.errorMessage());
    ArrayNode frames = error.putArray("stackTrace");
    failure.stackTrace().forEach(frames::add);
  }

  /** The record's JSON bytes. */
  public static byte[] json(ObjectNode record) {
    return record.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The record without its member {@code bulky}, marked {@code "payloadOmitted": true}, and with
   * the function's error message and stack trace cut short: a handler may put its whole event into
   * its message (up to Lambda's 6 MB response), and the slim form must fit where the whole did not.
   */
  public static byte[] without(ObjectNode record, String bulky) {
    ObjectNode slim = record.deepCopy();
    slim.remove(bulky);
    slim.put("payloadOmitted", true);
    if (slim.get("error") instanceof ObjectNode error) {
      error.put("errorMessage", cut(error.path("errorMessage").asText(), MAX_MESSAGE_CHARS));
      ArrayNode frames = JsonNodeFactory.instance.arrayNode();
      JsonNode trace = error.path("stackTrace");
      for (int i = 0; i < Math.min(MAX_FRAMES, trace.size()); i++) {
        frames.add(cut(trace.get(i).asText(), MAX_FRAME_CHARS));
      }
      error.set("stackTrace", frames);
    }
    return json(slim);
  }

  /** At most 6 bytes a character as JSON (escapes): well under 1 MiB together. */
  static final int MAX_MESSAGE_CHARS = 32 * 1024;

  static final int MAX_FRAMES = 50;
  static final int MAX_FRAME_CHARS = 1024;

  private static String cut(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    return text.substring(0, max) + "... (" + (text.length() - max) + " more characters)";
  }

  /**
   * Writes the record as file {@code name} of the {@code file://} directory, on {@code blocking}.
   */
  public static CompletableFuture<Void> toFile(
      String destination, String name, ObjectNode record, Executor blocking) {
    Path dir = directory(destination);
    if (dir == null) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("not a file:// directory: " + destination));
    }
    return CompletableFuture.runAsync(
        () -> AtomicFiles.write(dir.resolve(name), json(record)), blocking);
  }

  /**
   * The directory a {@code file://} destination names, or null when it names none: {@code
   * file://./dir} and {@code file://dir} have a host part, a space must be {@code %20}, and the
   * path must be absolute.
   */
  public static Path directory(String destination) {
    if (!destination.startsWith("file://")) {
      return null;
    }
    try {
      Path dir = Path.of(URI.create(destination));
      return dir.isAbsolute() ? dir : null;
    } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
      return null;
    }
  }

  /**
   * Appends the record to {@code stream} under {@code key}; without its member {@code bulky} when
   * the whole one is over the 1 MiB record limit: the stream's readers (Kinesis clients, mappings)
   * count on that limit, and Kafka storage refuses records over 8 MiB, which would be retried
   * forever and hold the skipped batch's shard or partition.
   */
  public static CompletableFuture<Void> toStream(
      StreamAppender appender, String stream, String key, ObjectNode record, String bulky) {
    byte[] whole = json(record);
    byte[] data =
        whole.length + key.length() > StreamLimits.MAX_RECORD_BYTES
            ? without(record, bulky)
            : whole;
    return appender
        .append(stream, List.of(new StreamAppender.Entry(key, HashKeys.ofPartitionKey(key), data)))
        .thenAccept(
            outcomes -> {
              if (!outcomes.get(0).ok()) {
                throw new IllegalStateException(
                    "destination stream refused the record: " + outcomes.get(0).errorMessage());
              }
            });
  }
}
