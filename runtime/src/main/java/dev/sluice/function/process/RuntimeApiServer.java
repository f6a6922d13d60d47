package dev.sluice.function.process;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * The Lambda Runtime API of one instance, on its own loopback port so that {@code
 * AWS_LAMBDA_RUNTIME_API} is a plain {@code 127.0.0.1:port} and every request is known to come from
 * that instance. Parses and renders HTTP only; {@link Api} decides.
 */
final class RuntimeApiServer {

  static final String PREFIX = "/2018-06-01/runtime/";
  static final String REQUEST_ID = "Lambda-Runtime-Aws-Request-Id";
  static final String DEADLINE = "Lambda-Runtime-Deadline-Ms";
  static final String FUNCTION_ARN = "Lambda-Runtime-Invoked-Function-Arn";
  static final String TRACE_ID = "Lambda-Runtime-Trace-Id";
  static final String CLIENT_CONTEXT = "Lambda-Runtime-Client-Context";
  static final String ERROR_TYPE = "Lambda-Runtime-Function-Error-Type";

  /** What the instance does with each call; every method answers its request. */
  interface Api {
    /** {@code GET invocation/next}: answer when an invocation is there (long poll). */
    void next(HttpServerRequest request);

    /** {@code POST invocation/{id}/response}; {@code size} is the full body length. */
    void response(HttpServerRequest request, String requestId, Buffer body, long size);

    /** {@code POST invocation/{id}/error}; {@code size} is the full body length. */
    void error(
        HttpServerRequest request, String requestId, Buffer body, long size, String errorType);

    /** {@code POST init/error}; {@code size} is the full body length. */
    void initError(HttpServerRequest request, Buffer body, long size, String errorType);
  }

  /** Room for headers as Lambda allows them: about 1 MB. */
  static final int MAX_HEADER_BYTES = 1024 * 1024 + 64 * 1024;

  private final HttpServer server;

  private RuntimeApiServer(HttpServer server) {
    this.server = server;
  }

  /** Listens on an ephemeral loopback port. */
  static Future<RuntimeApiServer> listen(Vertx vertx, Api api) {
    HttpServer server =
        vertx.createHttpServer(
            new HttpServerOptions()
                .setHost("127.0.0.1")
                .setPort(0)
                .setTcpNoDelay(true)
                // the Java runtime client sends an error's whole stack trace in an X-Ray header
                .setMaxHeaderSize(MAX_HEADER_BYTES)
                // curl asks before sending a body over 1 MiB, and waits a second for no answer
                .setHandle100ContinueAutomatically(true));
    server.requestHandler(request -> route(request, api));
    return server.listen().map(RuntimeApiServer::new);
  }

  int port() {
    return server.actualPort();
  }

  /** Stops listening and closes every connection, a parked {@code /next} included. */
  Future<Void> close() {
    return server.close();
  }

  private static void route(HttpServerRequest request, Api api) {
    String path = request.path();
    if (!path.startsWith(PREFIX)) {
      notFound(request);
      return;
    }
    String rest = path.substring(PREFIX.length());
    if (rest.equals("invocation/next")) {
      if (request.method() != HttpMethod.GET) {
        methodNotAllowed(request);
        return;
      }
      api.next(request);
      return;
    }
    if (request.method() != HttpMethod.POST) {
      if (rest.equals("init/error") || rest.startsWith("invocation/")) {
        methodNotAllowed(request);
      } else {
        notFound(request);
      }
      return;
    }
    String errorType = request.getHeader(ERROR_TYPE);
    if (rest.equals("init/error")) {
      readBody(
          request,
          LambdaErrors.MAX_RESPONSE_BYTES,
          (body, size) -> api.initError(request, body, size, errorType));
      return;
    }
    if (rest.startsWith("invocation/")) {
      String tail = rest.substring("invocation/".length());
      int slash = tail.indexOf('/');
      if (slash > 0) {
        String id = tail.substring(0, slash);
        String action = tail.substring(slash + 1);
        if (action.equals("response")) {
          readBody(
              request,
              LambdaErrors.MAX_RESPONSE_BYTES,
              (body, size) -> api.response(request, id, body, size));
          return;
        }
        if (action.equals("error")) {
          readBody(
              request,
              LambdaErrors.MAX_RESPONSE_BYTES,
              (body, size) -> api.error(request, id, body, size, errorType));
          return;
        }
      }
    }
    notFound(request);
  }

  interface BodyHandler {
    void accept(Buffer body, long size);
  }

  /** Collects at most {@code max} bytes but counts them all, so oversize posts can be reported. */
  private static void readBody(HttpServerRequest request, int max, BodyHandler handler) {
    Buffer body = Buffer.buffer();
    long[] size = {0};
    request.handler(
        chunk -> {
          size[0] += chunk.length();
          if (size[0] <= max) {
            body.appendBuffer(chunk);
          }
        });
    request.endHandler(v -> handler.accept(body, size[0]));
  }

  /** 202 with Lambda's {@code {"status":"OK"}}. */
  static void accepted(HttpServerRequest request) {
    json(request, 202, new JsonObject().put("status", "OK"));
  }

  /** 400 InvalidRequestID: not the invocation this instance is working on. */
  static void invalidRequestId(HttpServerRequest request) {
    error(request, 400, "InvalidRequestID", "Invalid request ID");
  }

  /** 403 InvalidStateTransition: a call the runtime's state does not allow. */
  static void invalidState(HttpServerRequest request, String message) {
    error(request, 403, "InvalidStateTransition", message);
  }

  static void tooLarge(HttpServerRequest request) {
    error(
        request,
        413,
        "RequestEntityTooLarge",
        "Exceeded maximum allowed payload size (" + LambdaErrors.MAX_RESPONSE_BYTES + " bytes).");
  }

  private static void notFound(HttpServerRequest request) {
    error(request, 404, "NotFound", "No such Runtime API path: " + request.path());
  }

  private static void methodNotAllowed(HttpServerRequest request) {
    error(
        request,
        405,
        "MethodNotAllowed",
        request.method() + " is not allowed on " + request.path());
  }

  static void error(HttpServerRequest request, int status, String type, String message) {
    json(request, status, new JsonObject().put("errorMessage", message).put("errorType", type));
  }

  private static void json(HttpServerRequest request, int status, JsonObject body) {
    if (request.response().ended() || request.response().closed()) {
      return;
    }
    request
        .response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(body.encode());
  }
}
