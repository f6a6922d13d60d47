package dev.sluice.function.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.function.InvocationResult.Failure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The failures Lambda reports when a runtime times out, exits or fails, worded as Lambda does. */
final class LambdaErrors {

  static final String INVALID_ENTRYPOINT = "Runtime.InvalidEntrypoint";
  static final String UNKNOWN = "Runtime.Unknown";

  /** Lambda's limit for a synchronous response, in bytes. */
  static final int MAX_RESPONSE_BYTES = Failure.MAX_RESPONSE_BYTES;

  private static final ObjectMapper JSON = new ObjectMapper();

  private LambdaErrors() {}

  /**
   * {@code RequestId: <id> Error: Task timed out after 2.00 seconds}, as Lambda answers and as
   * classloader isolation words it too.
   */
  static Failure timedOut(String requestId, int timeoutSeconds) {
    return Failure.timeout(requestId, timeoutSeconds);
  }

  /** {@code RequestId: <id> Error: Runtime exited with error: exit status 3}. */
  static Failure exited(String requestId, int exitValue) {
    return Failure.exited(requestId, exitValue, exitReason(exitValue));
  }

  /** Go's wording, which Lambda uses: a signal shows as {@code signal: killed}. */
  static String exitReason(int exitValue) {
    if (exitValue > 128 && exitValue < 160) { // the JDK reports death by signal N as 128 + N
      int signal = exitValue - 128;
      return switch (signal) {
        case 9 -> "signal: killed";
        case 15 -> "signal: terminated";
        case 6 -> "signal: aborted";
        case 11 -> "signal: segmentation fault";
        case 2 -> "signal: interrupt";
        default -> "signal: " + signal;
      };
    }
    return "exit status " + exitValue;
  }

  /** The runtime could not be started (e.g. no executable {@code bootstrap}). */
  static Failure invalidEntrypoint(String requestId, String reason) {
    return new Failure(
        INVALID_ENTRYPOINT, "RequestId: " + requestId + " Error: " + reason, List.of(), true);
  }

  static Failure responseTooLarge(long size) {
    return Failure.responseTooLarge(size);
  }

  /**
   * A failure from what a runtime posted to {@code /error} or {@code /init/error}. In Lambda the
   * Invoke payload is exactly the posted body, whatever it holds (Node's {@code trace}, a {@code
   * cause}, or no JSON at all), so the failure keeps those bytes for the caller. Its type and
   * message, for Sluice's log lines, failure records and mappings, come from the body's {@code
   * errorType} and {@code errorMessage} when it is Lambda's error JSON; the type falls back to the
   * {@code Lambda-Runtime-Function-Error-Type} header, then to {@code fallbackType}.
   *
   * @param body what was read of the body: at most {@link #MAX_RESPONSE_BYTES}
   * @param size the full length of the body as posted
   */
  static Failure fromPosted(byte[] body, long size, String typeHeader, String fallbackType) {
    String type = null;
    String message = null;
    List<String> frames = new ArrayList<>();
    try {
      JsonNode node = JSON.readTree(body);
      if (node != null && node.isObject()) {
        type = text(node.get("errorType"));
        message = text(node.get("errorMessage"));
        JsonNode trace = node.get("stackTrace");
        if (trace != null && trace.isArray()) {
          trace.forEach(f -> frames.add(f.isTextual() ? f.asText() : f.toString()));
        }
      }
    } catch (IOException e) {
      message = new String(body, StandardCharsets.UTF_8); // not JSON: keep what was sent
    }
    if (type == null || type.isEmpty()) {
      type = typeHeader != null && !typeHeader.isEmpty() ? typeHeader : fallbackType;
    }
    // Lambda builds the error from the header when no body was posted; a body cut at the size
    // limit is no longer what was posted, so that one is answered in Lambda's shape too.
    byte[] posted = body.length == 0 || size > body.length ? null : body;
    return new Failure(type, message == null ? "" : message, frames, true, posted);
  }

  private static String text(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }
}
