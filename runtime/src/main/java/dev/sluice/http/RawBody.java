package dev.sluice.http;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Locale;

/**
 * Reads a request's body as raw bytes whatever its Content-Type, as AWS's APIs do. curl's {@code
 * -d} labels a JSON body as a form, and BodyHandler would decode a form instead (failing on a field
 * over 2 KB, or on a '%' that starts no escape), so a form type is dropped before it looks.
 */
public final class RawBody {

  private RawBody() {}

  /** A handler that reads the body raw, failing the request with 413 past {@code limit} bytes. */
  public static Handler<RoutingContext> handler(long limit) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(limit);
    return ctx -> {
      MultiMap headers = ctx.request().headers();
      String type = headers.get(HttpHeaders.CONTENT_TYPE);
      if (type != null && isForm(type)) {
        headers.remove(HttpHeaders.CONTENT_TYPE);
      }
      body.handle(ctx);
    };
  }

  /** The content types BodyHandler (and Vert.x under it) decode as a form. */
  private static boolean isForm(String contentType) {
    String type = contentType.trim().toLowerCase(Locale.ROOT);
    return type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/");
  }
}
