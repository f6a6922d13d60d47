package dev.sluice.lambda;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.http.RawBody;
import dev.sluice.mapper.MappingService;
import dev.sluice.node.SluiceNode;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;

/**
 * Lambda's event-source-mapping API ({@code /2015-03-31/event-source-mappings/}), and Sluice's
 * extensions under {@code /sluice/v1/event-source-mappings/}: a status view with checkpoints, and
 * rewinding a mapping in place.
 */
@ApplicationScoped
public class MappingRoutes {

  private static final String V = "/2015-03-31/event-source-mappings";
  private static final String X = "/sluice/v1/event-source-mappings";

  /** Mapping requests are small: a FilterCriteria of five 4 KB patterns is the largest part. */
  private static final int MAX_BODY_BYTES = 1024 * 1024;

  private final SluiceNode node;

  MappingRoutes(SluiceNode node) {
    this.node = node;
  }

  void install(@Observes Router router) {
    Handler<RoutingContext> body = RawBody.handler(MAX_BODY_BYTES);
    router
        .routeWithRegex("^" + V + "/?$")
        .handler(body)
        .handler(this::collection)
        .failureHandler(MappingRoutes::failure);
    router.get(V + "/:uuid").handler(ctx -> LambdaHttp.blocking(ctx, 200, () -> view(ctx, false)));
    router
        .put(V + "/:uuid")
        .handler(body)
        .handler(ctx -> LambdaHttp.blocking(ctx, 202, () -> update(ctx)))
        .failureHandler(MappingRoutes::failure);
    router.delete(V + "/:uuid").handler(ctx -> LambdaHttp.blocking(ctx, 202, () -> delete(ctx)));
    router.get(X + "/:uuid").handler(ctx -> LambdaHttp.blocking(ctx, 200, () -> view(ctx, true)));
    router
        .post(X + "/:uuid/rewind")
        .handler(body)
        .handler(ctx -> LambdaHttp.blocking(ctx, 200, () -> rewind(ctx)))
        .failureHandler(MappingRoutes::failure);
  }

  private static void failure(RoutingContext ctx) {
    LambdaHttp.failed(
        ctx,
        LambdaError.RequestEntityTooLargeException,
        "Request must be smaller than "
            + MAX_BODY_BYTES
            + " bytes for the event source mapping operations");
  }

  private MappingService mappings() {
    return node.mappings();
  }

  private void collection(RoutingContext ctx) {
    switch (ctx.request().method().name()) {
      case "POST" -> LambdaHttp.blocking(ctx, 202, () -> create(ctx));
      case "GET" -> LambdaHttp.blocking(ctx, 200, () -> list(ctx));
      default -> ctx.next();
    }
  }

  private ObjectNode create(RoutingContext ctx) {
    ObjectNode body = LambdaJson.parse(LambdaHttp.bytes(ctx));
    return MappingJson.configuration(mappings().create(MappingJson.request(body)), mappings());
  }

  private ObjectNode update(RoutingContext ctx) {
    ObjectNode body = LambdaJson.parse(LambdaHttp.bytes(ctx));
    return MappingJson.configuration(
        mappings().update(uuid(ctx), MappingJson.request(body)), mappings());
  }

  private ObjectNode delete(RoutingContext ctx) {
    return MappingJson.configuration(mappings().delete(uuid(ctx)), mappings());
  }

  private ObjectNode view(RoutingContext ctx, boolean status) {
    MappingService.View v = mappings().get(uuid(ctx));
    return status ? MappingJson.status(v, mappings()) : MappingJson.configuration(v, mappings());
  }

  private ObjectNode rewind(RoutingContext ctx) {
    ObjectNode body = LambdaJson.parse(LambdaHttp.bytes(ctx));
    Long ts = LambdaJson.epochMillis(body, "Timestamp");
    String to = LambdaJson.text(body, "To");
    // a Timestamp alone can only mean AT_TIMESTAMP
    MappingService.View v =
        mappings()
            .rewind(
                uuid(ctx),
                to == null && ts != null ? "AT_TIMESTAMP" : to,
                ts,
                LambdaJson.text(body, "SequenceNumber"));
    return MappingJson.status(v, mappings());
  }

  private ObjectNode list(RoutingContext ctx) {
    String marker = ctx.request().getParam("Marker");
    // Lambda takes up to 10,000 but answers at most 100 mappings a page
    int max = Math.min(100, LambdaHttp.intParam(ctx, "MaxItems", 100, 1, 10_000));
    List<MappingService.View> all =
        mappings()
            .list(ctx.request().getParam("FunctionName"), ctx.request().getParam("EventSourceArn"));
    ObjectNode out = LambdaJson.MAPPER.createObjectNode();
    ArrayNode page = out.putArray("EventSourceMappings");
    String last = null;
    for (MappingService.View v : all) {
      if (marker != null && v.config().uuid().compareTo(marker) <= 0) {
        continue;
      }
      if (page.size() == max) {
        out.put("NextMarker", last);
        break;
      }
      page.add(MappingJson.configuration(v, mappings()));
      last = v.config().uuid();
    }
    return out;
  }

  private static String uuid(RoutingContext ctx) {
    return ctx.pathParam("uuid");
  }
}
