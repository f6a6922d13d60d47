package dev.sluice.kinesis;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.config.SluiceConfig;
import dev.sluice.http.RawBody;
import dev.sluice.log.LogException;
import dev.sluice.log.ShardNotFoundException;
import dev.sluice.node.SluiceNode;
import dev.sluice.stream.StreamException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import org.jboss.logging.Logger;

/**
 * The Kinesis-compatible edge: {@code POST /} with {@code X-Amz-Target:
 * Kinesis_20131202.<Operation>}, in JSON or CBOR. Every failure is translated here, and only here,
 * into Kinesis's wire error: {@code {"__type": ..., "message": ...}} in the request's encoding.
 */
@ApplicationScoped
public class KinesisRoutes {

  private static final Logger LOG = Logger.getLogger(KinesisRoutes.class);
  private static final String TARGET_PREFIX = "Kinesis_20131202.";

  private final Map<String, Operation> operations = new HashMap<>();

  /** Enhanced fan-out: KCL 2.x uses it unless told to poll, so its operations get a hint. */
  private static final Set<String> FAN_OUT =
      Set.of(
          "RegisterStreamConsumer",
          "DeregisterStreamConsumer",
          "DescribeStreamConsumer",
          "ListStreamConsumers",
          "SubscribeToShard");

  private final SluiceNode node;
  private final long maxRequestBytes;

  KinesisRoutes(SluiceNode node, SluiceConfig config) {
    this.node = node;
    this.maxRequestBytes = config.kinesis().maxRequestBytes();
    Tokens tokens =
        new Tokens(
            new Signer(node.tokenKey()), node.clock(), config.kinesis().iteratorTtl().toMillis());
    new StreamOperations(node.catalog(), node.arns(), tokens).register(operations);
    new ShardOperations(node.catalog(), node.arns(), tokens).register(operations);
    new RecordOperations(
            node.catalog(), node.appender(), node.engine(), tokens, node.metrics(), node.clock())
        .register(operations);
  }

  void install(@Observes Router router) {
    // a form Content-Type (curl -d) is read as JSON by Wire, as any type other than CBOR
    router
        .post("/")
        .handler(RawBody.handler(maxRequestBytes))
        .handler(this::handle)
        .failureHandler(this::failure);
  }

  private void handle(RoutingContext ctx) {
    Wire wire = Wire.of(ctx.request().getHeader("Content-Type"));
    Context context = Vertx.currentContext();
    try {
      Operation op = operation(ctx.request().getHeader("X-Amz-Target"));
      Buffer body = ctx.body().buffer();
      byte[] bytes = body == null ? new byte[0] : body.getBytes();
      KinesisRequest request =
          new KinesisRequest(
              wire.parse(bytes), wire, node.arns(), task -> context.runOnContext(v -> task.run()));
      op.handle(request)
          .whenComplete(
              (response, error) -> context.runOnContext(v -> answer(ctx, wire, response, error)));
    } catch (RuntimeException e) {
      answer(ctx, wire, null, e);
    }
  }

  private Operation operation(String target) {
    Operation op =
        target != null && target.startsWith(TARGET_PREFIX)
            ? operations.get(target.substring(TARGET_PREFIX.length()))
            : null;
    if (op == null) {
      String name = target == null ? null : target.substring(target.lastIndexOf('.') + 1);
      throw new KinesisException(
          KinesisError.UnknownOperationException,
          name != null && FAN_OUT.contains(name)
              ? name
                  + " is not supported: Sluice has no enhanced fan-out consumers. Read with"
                  + " GetRecords (with the KCL: a PollingConfig retrieval)."
              : "Unknown operation "
                  + (target == null ? "(no X-Amz-Target header)" : target)
                  + ".");
    }
    return op;
  }

  /**
   * Answers every request, even one whose answer cannot be encoded (say a string CBOR refuses):
   * thrown on the event loop, that failure would leave the client waiting until its timeout.
   */
  private void answer(RoutingContext ctx, Wire wire, ObjectNode response, Throwable error) {
    try {
      if (error == null) {
        send(ctx, wire, 200, response);
        return;
      }
      KinesisException e = translate(error);
      int status = e.type() == KinesisError.InternalFailureException ? 500 : 400;
      send(ctx, wire, status, errorBody(e));
    } catch (RuntimeException e) {
      LOG.errorf(e, "The answer to a Kinesis request could not be encoded");
      KinesisException failure =
          new KinesisException(
              KinesisError.InternalFailureException, "The answer could not be encoded.");
      send(ctx, wire, 500, errorBody(failure));
    }
  }

  private void failure(RoutingContext ctx) {
    Wire wire = Wire.of(ctx.request().getHeader("Content-Type"));
    if (ctx.statusCode() == 413) {
      ctx.response().putHeader("Connection", "close");
      KinesisException e =
          KinesisException.validation(
              "body",
              ctx.request().getHeader("Content-Length") + " bytes",
              "Request body must be at most " + maxRequestBytes + " bytes");
      // The client may still be sending the body: answer, then drop the connection rather
      // than read what is left of it.
      send(ctx, wire, 413, errorBody(e)).onComplete(v -> ctx.request().connection().close());
      return;
    }
    answer(ctx, wire, null, ctx.failure() != null ? ctx.failure() : bodyFailure(ctx.statusCode()));
  }

  /**
   * What a request that failed without an exception gets: the body handler refuses a body it cannot
   * read with a 4xx status, which is the client's to fix, not an internal failure to retry.
   */
  private static Throwable bodyFailure(int status) {
    if (status >= 400 && status < 500) {
      return new KinesisException(
          KinesisError.SerializationException,
          "The request body could not be read (HTTP " + status + ").");
    }
    return new IllegalStateException("request failed with HTTP " + status);
  }

  private static KinesisException translate(Throwable error) {
    Throwable e =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (e instanceof KinesisException k) {
      return k;
    }
    if (e instanceof StreamException s) {
      return new KinesisException(
          switch (s.kind()) {
            case NOT_FOUND -> KinesisError.ResourceNotFoundException;
            case IN_USE -> KinesisError.ResourceInUseException;
            case INVALID_ARGUMENT -> KinesisError.InvalidArgumentException;
            case LIMIT_EXCEEDED -> KinesisError.LimitExceededException;
          },
          s.getMessage());
    }
    if (e instanceof ShardNotFoundException) {
      // the stream is being deleted: its logs go before the catalog forgets it
      return new KinesisException(KinesisError.ResourceNotFoundException, e.getMessage());
    }
    if (e instanceof dev.sluice.log.LogBusyException) {
      // storage that cannot take or confirm it now (a broker not answering): a limit to retry
      return new KinesisException(
          KinesisError.ProvisionedThroughputExceededException, e.getMessage());
    }
    if (!(e instanceof LogException)) {
      LOG.error("Unexpected failure in a Kinesis request", e);
    }
    return new KinesisException(
        KinesisError.InternalFailureException, "Internal service failure: " + e.getMessage());
  }

  private static ObjectNode errorBody(KinesisException e) {
    ObjectNode body = KinesisRequest.newObject();
    body.put("__type", e.type().name());
    body.put("message", e.getMessage());
    return body;
  }

  private static Future<Void> send(RoutingContext ctx, Wire wire, int status, ObjectNode body) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return Future.succeededFuture();
    }
    byte[] bytes = wire.write(body);
    return ctx.response()
        .setStatusCode(status)
        .putHeader("Content-Type", wire.contentType())
        .putHeader("x-amzn-RequestId", UUID.randomUUID().toString())
        .end(Buffer.buffer(bytes));
  }
}
