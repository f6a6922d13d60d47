package dev.sluice.lambda;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.function.FunctionException;
import dev.sluice.mapper.MappingException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * What the Lambda API routes share: running changes on worker threads, and the one place where
 * failures become Lambda's wire errors (status, {@code x-amzn-ErrorType}, {@code {"Type":"User",
 * "message":...}}).
 */
final class LambdaHttp {

  private static final Logger LOG = Logger.getLogger(LambdaHttp.class);

  private LambdaHttp() {}

  static void blocking(RoutingContext ctx, int status, Callable<ObjectNode> work) {
    ctx.vertx()
        .executeBlocking(work, false)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                error(ctx, ar.cause());
              } else if (ar.result() == null) {
                ctx.response().setStatusCode(status == 200 ? 204 : status).end();
              } else {
                ctx.response()
                    .setStatusCode(status)
                    .putHeader("Content-Type", "application/json")
                    .putHeader("x-amzn-RequestId", UUID.randomUUID().toString())
                    .end(ar.result().toString());
              }
            });
  }

  /**
   * Answers a request that failed before its handler answered: a body over the route's limit (413,
   * answered with {@code tooLarge}, then the connection is dropped since the client may still be
   * sending) or an unexpected failure, both in Lambda's error shape rather than Vert.x's page.
   */
  static void failed(RoutingContext ctx, LambdaError tooLargeType, String tooLarge) {
    if (ctx.statusCode() == 413) {
      error(ctx, new LambdaException(tooLargeType, tooLarge))
          .onComplete(v -> ctx.request().connection().close());
      return;
    }
    error(
        ctx,
        ctx.failure() != null
            ? ctx.failure()
            : new IllegalStateException("status " + ctx.statusCode()));
  }

  static Future<Void> error(RoutingContext ctx, Throwable error) {
    LambdaException e = translate(error);
    if (ctx.response().ended()) {
      return Future.succeededFuture();
    }
    ObjectNode body = LambdaJson.MAPPER.createObjectNode();
    body.put("Type", "User");
    body.put("message", e.getMessage());
    if (e.reason != null) {
      body.put("Reason", e.reason);
    }
    return ctx.response()
        .setStatusCode(e.type.status)
        .putHeader("x-amzn-ErrorType", e.type.name())
        .putHeader("Content-Type", "application/json")
        .end(body.toString());
  }

  private static LambdaException translate(Throwable error) {
    Throwable e =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (e instanceof LambdaException l) {
      return l;
    }
    if (e instanceof MappingException m) {
      return new LambdaException(
          switch (m.kind()) {
            case NOT_FOUND -> LambdaError.ResourceNotFoundException;
            case INVALID_PARAMETER -> LambdaError.InvalidParameterValueException;
            case VALIDATION -> LambdaError.ValidationException;
            case CONFLICT -> LambdaError.ResourceConflictException;
            case IN_USE -> LambdaError.ResourceInUseException;
          },
          m.getMessage());
    }
    if (e instanceof FunctionException f) {
      return new LambdaException(
          switch (f.kind()) {
            case NOT_FOUND -> LambdaError.ResourceNotFoundException;
            case CONFLICT -> LambdaError.ResourceConflictException;
            case INVALID_PARAMETER -> LambdaError.InvalidParameterValueException;
            case VALIDATION -> LambdaError.ValidationException;
            case TOO_MANY_REQUESTS -> LambdaError.TooManyRequestsException;
            case TOO_LARGE -> LambdaError.RequestEntityTooLargeException;
            case PRECONDITION_FAILED -> LambdaError.PreconditionFailedException;
            case SERVICE -> LambdaError.ServiceException;
          },
          f.getMessage(),
          f.reason());
    }
    LOG.error("Unexpected failure in a Lambda API request", e);
    return new LambdaException(LambdaError.ServiceException, "Internal failure: " + e.getMessage());
  }

  static byte[] bytes(RoutingContext ctx) {
    Buffer b = ctx.body().buffer();
    return b == null ? new byte[0] : b.getBytes();
  }

  /**
   * Query parameter {@code name} as an int, {@code dflt} when absent: one out of [{@code min},
   * {@code max}] breaks Lambda's model (ValidationException), one that is no integer is a bad
   * value.
   */
  /**
   * Lambda's answer to a value that breaks a constraint of its API model: {@code 1 validation error
   * detected: Value 'V' at 'member' failed to satisfy constraint: ...}.
   */
  static LambdaException validation(Object value, String member, String constraint) {
    return new LambdaException(
        LambdaError.ValidationException,
        "1 validation error detected: Value '"
            + value
            + "' at '"
            + member
            + "' failed to satisfy constraint: "
            + constraint);
  }

  /** Fails with {@link #validation} unless {@code value} matches {@code pattern}. */
  static void checkPattern(String value, String member, Pattern pattern) {
    if (!pattern.matcher(value).matches()) {
      throw validation(
          value, member, "Member must satisfy regular expression pattern: " + pattern.pattern());
    }
  }

  static int intParam(RoutingContext ctx, String name, int dflt, int min, int max) {
    String v = ctx.request().getParam(name);
    if (v == null) {
      return dflt;
    }
    int n;
    try {
      n = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new LambdaException(
          LambdaError.InvalidParameterValueException,
          name + " must be an integer between " + min + " and " + max + ".");
    }
    if (n < min || n > max) {
      throw validation(
          n,
          Character.toLowerCase(name.charAt(0)) + name.substring(1),
          "Member must have value "
              + (n < min ? "greater than or equal to " + min : "less than or equal to " + max));
    }
    return n;
  }
}
