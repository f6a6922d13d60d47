package dev.sluice.function;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What an invocation came to. A failure of the user's code is a value, never an exception that
 * escapes the runner.
 */
public sealed interface InvocationResult {

  /** The handler returned; {@code payload} is its output as JSON bytes (may be empty). */
  record Success(byte[] payload) implements InvocationResult {}

  /**
   * The handler failed: it threw, timed out, crashed or could not be loaded.
   *
   * @param errorType the exception class or Lambda's error type (e.g. {@code Sandbox.Timedout})
   * @param errorMessage the message
   * @param stackTrace the frames, as Lambda lists them
   * @param unhandled true for errors Lambda reports as {@code Unhandled} (all in Java runtimes)
   * @param posted the error body exactly as a runtime posted it, which Lambda answers Invoke with;
   *     null when the payload is built from the fields
   */
  record Failure(
      String errorType,
      String errorMessage,
      List<String> stackTrace,
      boolean unhandled,
      byte[] posted)
      implements InvocationResult {

    /** Copies the frames. */
    public Failure {
      stackTrace = List.copyOf(stackTrace);
    }

    /** A failure whose payload is built from its fields. */
    public Failure(
        String errorType, String errorMessage, List<String> stackTrace, boolean unhandled) {
      this(errorType, errorMessage, stackTrace, unhandled, null);
    }

    /**
     * A failure from a throwable, as Lambda's Java runtime reports one: the class name stands in
     * for a missing message, and the frames end at the handler's own, without the frames of
     * Sluice's bridge that called it or the instance's class loader name.
     */
    public static Failure of(Throwable t) {
      String message = t.getMessage() != null ? t.getMessage() : t.getClass().getName();
      return new Failure(t.getClass().getName(), message, handlerFrames(t), true);
    }

    private static final String BRIDGE = "dev.sluice.function.classloader.bridge.";

    private static List<String> handlerFrames(Throwable t) {
      StackTraceElement[] all = t.getStackTrace();
      int end = all.length;
      for (int i = 0; i < all.length; i++) {
        if (all[i].getClassName().startsWith(BRIDGE)) {
          end = i;
          break;
        }
      }
      while (end > 0 && reflective(all[end - 1].getClassName())) {
        end--; // the reflective call from the bridge into the handler
      }
      List<String> frames = new java.util.ArrayList<>(end);
      for (int i = 0; i < end; i++) {
        StackTraceElement e = all[i];
        // rebuilt without the class loader's name, which toString() puts first ("fn-x//a.B.m")
        frames.add(
            new StackTraceElement(
                    null,
                    e.getModuleName(),
                    e.getModuleVersion(),
                    e.getClassName(),
                    e.getMethodName(),
                    e.getFileName(),
                    e.getLineNumber())
                .toString());
      }
      return frames;
    }

    private static boolean reflective(String className) {
      return className.startsWith("jdk.internal.reflect.")
          || className.startsWith("java.lang.reflect.")
          || className.startsWith("java.lang.invoke.");
    }

    /** Lambda's answer to an invocation that ran past the function's timeout. */
    public static Failure timeout(String requestId, int timeoutSeconds) {
      return new Failure(
          "Sandbox.Timedout",
          "RequestId: "
              + requestId
              + " Error: Task timed out after "
              + String.format(java.util.Locale.ROOT, "%.2f", (double) timeoutSeconds)
              + " seconds",
          List.of(),
          true);
    }

    /**
     * Lambda's answer when the runtime ended during an invocation: {@code RequestId: <id> Error:
     * Runtime exited with error: exit status 3}, or for status 0 {@code Runtime exited without
     * providing a reason}.
     */
    public static Failure exited(String requestId, int status, String reason) {
      if (status == 0) { // Lambda's words for a runtime that ended without an error status
        return new Failure(
            "Runtime.ExitError",
            "RequestId: " + requestId + " Error: Runtime exited without providing a reason",
            List.of(),
            true);
      }
      return exited(requestId, reason);
    }

    /** As {@link #exited(String, int, String)}, for an exit that was not a plain 0. */
    public static Failure exited(String requestId, String reason) {
      return new Failure(
          "Runtime.ExitError",
          "RequestId: " + requestId + " Error: Runtime exited with error: " + reason,
          List.of(),
          true);
    }

    /** Lambda's limit for a synchronous response, in bytes. */
    public static final int MAX_RESPONSE_BYTES = 6_291_556;

    /** Lambda's answer to a handler whose response is over {@link #MAX_RESPONSE_BYTES}. */
    public static Failure responseTooLarge(long size) {
      return new Failure(
          "Function.ResponseSizeTooLarge",
          "Response payload size ("
              + size
              + " bytes) exceeded maximum allowed payload size ("
              + MAX_RESPONSE_BYTES
              + " bytes).",
          List.of(),
          true);
    }

    private boolean platformError() {
      return stackTrace.isEmpty()
          && (errorType.startsWith("Runtime.")
              || errorType.startsWith("Sandbox.")
              || errorType.startsWith("Function."));
    }

    /**
     * The Invoke payload: the body a runtime posted, as is, or else Lambda's error body: {@code
     * {"errorMessage", "errorType", "stackTrace"}}.
     */
    public byte[] toPayload() {
      if (posted != null) {
        return posted;
      }
      ObjectMapper mapper = new ObjectMapper();
      ObjectNode body = mapper.createObjectNode();
      body.put("errorMessage", errorMessage);
      body.put("errorType", errorType);
      if (!platformError()) { // Lambda's own errors (timeouts, exits, sizes) carry no frames
        ArrayNode frames = body.putArray("stackTrace");
        stackTrace.forEach(frames::add);
      }
      return body.toString().getBytes(StandardCharsets.UTF_8);
    }
  }
}
