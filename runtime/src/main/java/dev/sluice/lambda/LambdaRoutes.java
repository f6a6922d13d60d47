package dev.sluice.lambda;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.function.CodeSource;
import dev.sluice.function.FunctionConfig;
import dev.sluice.function.FunctionService;
import dev.sluice.function.InvocationResult;
import dev.sluice.function.LogPage;
import dev.sluice.http.RawBody;
import dev.sluice.node.SluiceNode;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The Lambda REST API on Sluice's port, as the AWS CLI and the SDK v2 LambdaClient call it. Every
 * failure is translated here, and only here, into Lambda's wire error: the HTTP status, header
 * {@code x-amzn-ErrorType} and body {@code {"Type": "User", "message": ...}}. Changes that touch
 * the disk run on worker threads, never on the event loop.
 */
@ApplicationScoped
public class LambdaRoutes {

  /** Lambda's model for a function name, partial ARN or ARN, with an optional qualifier. */
  private static final Pattern FUNCTION_NAME =
      Pattern.compile(
          "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?"
              + "([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?");

  private static final String V = "/2015-03-31/functions";

  /**
   * Lambda's limit for a CreateFunction or UpdateFunctionCode body: a 50 MiB ZipFile in base64
   * (69,905,068 characters), and 256 KiB less one byte for the rest of the request.
   */
  static final long MAX_DEPLOY_BYTES = 70_167_211;

  private static final int LOG_TAIL_BYTES = 4096;

  /** ListFunctions' MasterRegion, as Lambda's model has it. */
  private static final Pattern MASTER_REGION = Pattern.compile("ALL|[a-z]{2}(-gov)?-[a-z]+-\\d{1}");

  /** Where an invocation's body is cut off rather than read and refused by the service. */
  private static final long INVOKE_BODY_BYTES = 16L * 1024 * 1024;

  /** Lambda's limit for Invoke's client context, in bytes of base64. */
  static final int MAX_CLIENT_CONTEXT_BYTES = 3583;

  private final SluiceNode node;

  LambdaRoutes(SluiceNode node) {
    this.node = node;
  }

  void install(@Observes Router router) {
    Handler<RoutingContext> deploy = RawBody.handler(MAX_DEPLOY_BYTES);
    // Payloads a little over 6 MB are read and answered with RequestEntityTooLargeException by the
    // service, naming their size; only far larger ones are cut off.
    Handler<RoutingContext> invoke = RawBody.handler(INVOKE_BODY_BYTES);
    router
        .post(V + "/:name/invocations")
        .handler(invoke)
        .handler(this::invoke)
        .failureHandler(this::failure);
    router
        .routeWithRegex("^" + V + "/?$")
        .handler(deploy)
        .handler(this::collection)
        .failureHandler(this::failure);
    router
        .get(V + "/:name")
        .handler(ctx -> LambdaHttp.blocking(ctx, 200, () -> getFunction(ctx)))
        .failureHandler(this::failure);
    router
        .delete(V + "/:name")
        .handler(ctx -> LambdaHttp.blocking(ctx, 204, () -> delete(ctx)))
        .failureHandler(this::failure);
    router
        .get(V + "/:name/versions")
        .handler(ctx -> LambdaHttp.blocking(ctx, 200, () -> listVersions(ctx)))
        .failureHandler(this::failure);
    router
        .get(V + "/:name/configuration")
        .handler(ctx -> LambdaHttp.blocking(ctx, 200, () -> configuration(name(ctx))))
        .failureHandler(this::failure);
    router
        .put(V + "/:name/configuration")
        .handler(deploy)
        .handler(ctx -> LambdaHttp.blocking(ctx, 200, () -> updateConfiguration(ctx)))
        .failureHandler(this::failure);
    router
        .put(V + "/:name/code")
        .handler(deploy)
        .handler(ctx -> LambdaHttp.blocking(ctx, 200, () -> updateCode(ctx)))
        .failureHandler(this::failure);
    router
        .put("/2017-10-31/functions/:name/concurrency")
        .handler(deploy)
        .handler(ctx -> LambdaHttp.blocking(ctx, 200, () -> putConcurrency(ctx)))
        .failureHandler(this::failure);
    router
        .delete("/2017-10-31/functions/:name/concurrency")
        .handler(ctx -> LambdaHttp.blocking(ctx, 204, () -> deleteConcurrency(ctx)))
        .failureHandler(this::failure);
    router
        .get("/2019-09-30/functions/:name/concurrency")
        .handler(ctx -> LambdaHttp.blocking(ctx, 200, () -> getConcurrency(ctx)))
        .failureHandler(this::failure);
    router
        .get(TAGS + "/:arn")
        .handler(ctx -> LambdaHttp.blocking(ctx, 200, () -> listTags(ctx)))
        .failureHandler(this::failure);
    router
        .post(TAGS + "/:arn")
        .handler(deploy)
        .handler(ctx -> LambdaHttp.blocking(ctx, 204, () -> tagResource(ctx)))
        .failureHandler(this::failure);
    router
        .delete(TAGS + "/:arn")
        .handler(ctx -> LambdaHttp.blocking(ctx, 204, () -> untagResource(ctx)))
        .failureHandler(this::failure);
    router
        .getWithRegex("^/2016-08-19/account-settings/?$")
        .handler(ctx -> LambdaHttp.blocking(ctx, 200, this::accountSettings))
        .failureHandler(this::failure);
    router
        .get("/2020-06-30/functions/:name/code-signing-config")
        .handler(ctx -> LambdaHttp.blocking(ctx, 200, () -> codeSigningConfig(ctx)))
        .failureHandler(this::failure);
    // Last: a path or method under the API's prefixes that no route takes answers in Lambda's
    // error shape, which SDKs and Terraform can read, rather than Vert.x's HTML page.
    router
        .routeWithRegex("^(/\\d{4}-\\d{2}-\\d{2}|/sluice/v1)/.*")
        .last()
        .handler(LambdaRoutes::unknownOperation);
    router
        .get("/sluice/v1/node")
        .handler(ctx -> LambdaHttp.blocking(ctx, 200, this::nodeInfo))
        .failureHandler(this::failure);
    router
        .get("/sluice/v1/functions/:name/logs")
        .handler(ctx -> LambdaHttp.blocking(ctx, 200, () -> logs(ctx)))
        .failureHandler(this::failure);
  }

  /** ListTags, TagResource and UntagResource, which name the function by its ARN. */
  private static final String TAGS = "/2017-03-31/tags";

  private ObjectNode listTags(RoutingContext ctx) {
    ObjectNode out = LambdaJson.MAPPER.createObjectNode();
    out.set("Tags", LambdaJson.tags(functions().get(taggedFunction(ctx))));
    return out;
  }

  private ObjectNode tagResource(RoutingContext ctx) {
    ObjectNode body = LambdaJson.parse(LambdaHttp.bytes(ctx));
    if (!body.path("Tags").isObject()) {
      throw new LambdaException(LambdaError.InvalidParameterValueException, "Tags is required.");
    }
    // with the isolation tag, which the function service refuses as a tag to change
    functions().retag(taggedFunction(ctx), LambdaJson.allTags(body), List.of());
    return null;
  }

  private ObjectNode untagResource(RoutingContext ctx) {
    List<String> keys = ctx.queryParam("tagKeys");
    if (keys.isEmpty()) {
      throw new LambdaException(LambdaError.InvalidParameterValueException, "tagKeys is required.");
    }
    functions().retag(taggedFunction(ctx), Map.of(), keys);
    return null;
  }

  /**
   * The function a tagging call names by ARN. Lambda tags other resources too (event-source
   * mappings, code-signing configurations); Sluice keeps tags on functions only.
   */
  private String taggedFunction(RoutingContext ctx) {
    String arn = ctx.pathParam("arn");
    if (arn == null || !arn.startsWith("arn:") || !arn.contains(":function:")) {
      throw new LambdaException(
          LambdaError.InvalidParameterValueException,
          "Sluice keeps tags on functions only; name one by its ARN"
              + " (arn:aws:lambda:REGION:ACCOUNT:function:NAME), not '"
              + arn
              + "'.");
    }
    String qualifier = FunctionService.qualifierOf(arn);
    if (qualifier != null && !qualifier.equals("$LATEST")) {
      // Lambda keeps tags on the function, not on a version or an alias; dropping the qualifier
      // tagged the function itself
      throw new LambdaException(
          LambdaError.ResourceNotFoundException,
          "Function not found: " + functions().arn(functions().nameOf(arn)) + ":" + qualifier);
    }
    return functions().nameOf(arn);
  }

  private FunctionService functions() {
    return node.functions();
  }

  private void collection(RoutingContext ctx) {
    switch (ctx.request().method().name()) {
      case "POST" -> LambdaHttp.blocking(ctx, 201, () -> create(ctx));
      case "GET" -> LambdaHttp.blocking(ctx, 200, () -> list(ctx));
      default -> ctx.next();
    }
  }

  private ObjectNode create(RoutingContext ctx) {
    ObjectNode body = LambdaJson.parse(LambdaHttp.bytes(ctx));
    String name = LambdaJson.text(body, "FunctionName");
    if (!body.has("Code")) {
      throw new LambdaException(LambdaError.InvalidParameterValueException, "Code is required.");
    }
    FunctionConfig c =
        functions()
            .create(
                name == null ? null : functions().nameOf(name),
                LambdaJson.spec(body),
                LambdaJson.code(body.get("Code")),
                LambdaJson.tags(body));
    return configurationOf(c);
  }

  /**
   * GetAccountSettings: Lambda's code size limits, and this node's concurrency and functions (the
   * node stands for the account).
   */
  private ObjectNode accountSettings() {
    FunctionService.AccountUsage u = functions().accountUsage();
    ObjectNode out = LambdaJson.MAPPER.createObjectNode();
    ObjectNode limit = out.putObject("AccountLimit");
    limit.put("TotalCodeSize", 80_530_636_800L); // Lambda's 75 GB
    limit.put("CodeSizeUnzipped", 262_144_000L);
    limit.put("CodeSizeZipped", 52_428_800L);
    limit.put("ConcurrentExecutions", u.concurrentExecutions());
    limit.put("UnreservedConcurrentExecutions", u.unreservedConcurrentExecutions());
    ObjectNode usage = out.putObject("AccountUsage");
    usage.put("TotalCodeSize", u.totalCodeSize());
    usage.put("FunctionCount", u.functionCount());
    return out;
  }

  private ObjectNode list(RoutingContext ctx) {
    String marker = ctx.request().getParam("Marker");
    // Lambda takes up to 10,000 but answers at most 50 functions a page
    int max = Math.min(50, LambdaHttp.intParam(ctx, "MaxItems", 50, 1, 10_000));
    ObjectNode out = LambdaJson.MAPPER.createObjectNode();
    ArrayNode page = out.putArray("Functions");
    if (edgeReplicasOnly(ctx)) {
      return out; // Sluice has no Lambda@Edge replicas
    }
    String last = null;
    boolean more = false;
    for (FunctionConfig c : functions().list()) {
      if (marker != null && c.name().compareTo(marker) <= 0) {
        continue;
      }
      if (page.size() == max) {
        more = true;
        break;
      }
      page.add(configurationOf(c));
      last = c.name();
    }
    if (more) {
      out.put("NextMarker", last);
    }
    return out;
  }

  /**
   * ListVersionsByFunction: a Sluice function has no published versions, so its one version is
   * $LATEST, with its qualified ARN as Lambda lists it. Terraform reads it on every refresh.
   */
  private ObjectNode listVersions(RoutingContext ctx) {
    LambdaHttp.intParam(ctx, "MaxItems", 50, 1, 10_000);
    FunctionConfig c = functions().get(name(ctx));
    ObjectNode out = LambdaJson.MAPPER.createObjectNode();
    ArrayNode versions = out.putArray("Versions");
    if (ctx.request().getParam("Marker") == null) { // the one page has no next
      ObjectNode latest = configurationOf(c);
      latest.put("FunctionArn", functions().arn(c.name()) + ":$LATEST");
      versions.add(latest);
    }
    return out;
  }

  private ObjectNode getFunction(RoutingContext ctx) {
    FunctionConfig c = functions().get(name(ctx));
    ObjectNode out = LambdaJson.MAPPER.createObjectNode();
    out.set("Configuration", configurationOf(c));
    ObjectNode code = out.putObject("Code");
    code.put("RepositoryType", "S3");
    code.put("Location", "file://" + node.dataDir().resolve("functions").resolve(c.name()));
    if (c.reservedConcurrency() != null) {
      out.putObject("Concurrency").put("ReservedConcurrentExecutions", c.reservedConcurrency());
    }
    out.set("Tags", LambdaJson.tags(c));
    return out;
  }

  /**
   * GetFunctionCodeSigningConfig, which the Terraform provider reads for every function: Sluice
   * never checks signatures, so no function has a configuration.
   */
  private ObjectNode codeSigningConfig(RoutingContext ctx) {
    FunctionConfig c = functions().get(ctx.pathParam("name"));
    ObjectNode out = LambdaJson.MAPPER.createObjectNode();
    out.put("CodeSigningConfigArn", "");
    out.put("FunctionName", c.name());
    return out;
  }

  private static void unknownOperation(RoutingContext ctx) {
    LambdaHttp.error(
        ctx,
        new LambdaException(
            LambdaError.UnknownOperationException,
            "Unknown operation: "
                + ctx.request().method()
                + " "
                + ctx.request().path()
                + " is not an operation Sluice's Lambda API has."));
  }

  /** Sluice's extension: what a client needs to resolve ARNs the way this node does. */
  private ObjectNode nodeInfo() {
    ObjectNode out = LambdaJson.MAPPER.createObjectNode();
    out.put("Region", node.arns().region());
    out.put("AccountId", node.arns().accountId());
    out.put("DataDir", node.dataDir().toAbsolutePath().toString());
    return out;
  }

  /** A function's configuration as Lambda gives it, in the state it is in on this node. */
  private ObjectNode configurationOf(FunctionConfig c) {
    return LambdaJson.configuration(
        c, functions().arn(c.name()), functions().unrunnable(c.name()).orElse(null));
  }

  private ObjectNode configuration(String name) {
    FunctionConfig c = functions().get(name);
    return configurationOf(c);
  }

  private ObjectNode delete(RoutingContext ctx) {
    if ("$LATEST".equals(qualifier(ctx))) {
      throw new LambdaException(
          LambdaError.InvalidParameterValueException,
          "$LATEST version cannot be deleted without deleting the function.");
    }
    functions().delete(name(ctx));
    return null;
  }

  private ObjectNode updateConfiguration(RoutingContext ctx) {
    ObjectNode body = LambdaJson.parse(LambdaHttp.bytes(ctx));
    FunctionConfig c =
        functions()
            .updateConfiguration(
                name(ctx), LambdaJson.spec(body), LambdaJson.text(body, "RevisionId"));
    return configurationOf(c);
  }

  private ObjectNode updateCode(RoutingContext ctx) {
    ObjectNode body = LambdaJson.parse(LambdaHttp.bytes(ctx));
    CodeSource code = LambdaJson.code(body);
    String revision = LambdaJson.text(body, "RevisionId");
    FunctionConfig c =
        body.path("DryRun").asBoolean(false) // checks the package, changes nothing
            ? functions().checkCode(name(ctx), code, revision)
            : functions().updateCode(name(ctx), code, revision);
    return configurationOf(c);
  }

  private ObjectNode putConcurrency(RoutingContext ctx) {
    Integer n =
        LambdaJson.integer(LambdaJson.parse(LambdaHttp.bytes(ctx)), "ReservedConcurrentExecutions");
    if (n == null) {
      throw new LambdaException(
          LambdaError.InvalidParameterValueException, "ReservedConcurrentExecutions is required.");
    }
    functions().putConcurrency(name(ctx), n);
    ObjectNode out = LambdaJson.MAPPER.createObjectNode();
    out.put("ReservedConcurrentExecutions", n);
    return out;
  }

  private ObjectNode deleteConcurrency(RoutingContext ctx) {
    functions().putConcurrency(name(ctx), null);
    return null;
  }

  private ObjectNode getConcurrency(RoutingContext ctx) {
    FunctionConfig c = functions().get(name(ctx));
    ObjectNode out = LambdaJson.MAPPER.createObjectNode();
    if (c.reservedConcurrency() != null) {
      out.put("ReservedConcurrentExecutions", c.reservedConcurrency());
    }
    return out;
  }

  private ObjectNode logs(RoutingContext ctx) {
    int lines = LambdaHttp.intParam(ctx, "lines", 200, 1, 100_000);
    String after = ctx.request().getParam("after");
    Long position = null;
    if (after != null) {
      try {
        position = Long.parseLong(after);
      } catch (NumberFormatException e) {
        position = -1L;
      }
      if (position < 0) {
        throw new LambdaException(
            LambdaError.InvalidParameterValueException,
            "after must be a NextToken from an earlier answer, not '" + after + "'.");
      }
    }
    LogPage page = functions().logPage(name(ctx), position, lines);
    ObjectNode out = LambdaJson.MAPPER.createObjectNode();
    page.lines().forEach(out.putArray("Lines")::add);
    out.put("NextToken", Long.toString(page.next()));
    return out;
  }

  /**
   * Checks ListFunctions' FunctionVersion (only ALL) and MasterRegion, which asks for the
   * Lambda@Edge replicas of a region's functions and needs FunctionVersion ALL; true when it is
   * given.
   */
  private static boolean edgeReplicasOnly(RoutingContext ctx) {
    String version = ctx.request().getParam("FunctionVersion");
    if (version != null) {
      checkEnum(version, "functionVersion", List.of("ALL"));
    }
    String region = ctx.request().getParam("MasterRegion");
    if (region == null) {
      return false;
    }
    LambdaHttp.checkPattern(region, "masterRegion", MASTER_REGION);
    if (version == null) {
      throw new LambdaException(
          LambdaError.InvalidParameterValueException,
          "MasterRegion requires FunctionVersion to be set to ALL.");
    }
    return true;
  }

  private static void checkEnum(String value, String member, List<String> allowed) {
    if (!allowed.contains(value)) {
      throw LambdaHttp.validation(value, member, "Member must satisfy enum value set: " + allowed);
    }
  }

  /** Payloads up to this size are checked for JSON on the event loop: microseconds. */
  private static final int INLINE_CHECK_BYTES = 64 * 1024;

  private void invoke(RoutingContext ctx) {
    Context context = Vertx.currentContext();
    try {
      byte[] payload = LambdaHttp.bytes(ctx);
      String type = header(ctx, "X-Amz-Invocation-Type", "RequestResponse");
      // the model's enums are checked before anything else, as Lambda does
      checkEnum(type, "invocationType", List.of("Event", "RequestResponse", "DryRun"));
      checkEnum(header(ctx, "X-Amz-Log-Type", "None"), "logType", List.of("None", "Tail"));
      checkFunctionName(ctx.pathParam("name")); // a model constraint too: before the payload's
      // a payload over its type's limit is refused as too large by the service, unread
      if (payload.length > FunctionService.maxPayloadBytes("Event".equals(type))) {
        dispatch(ctx, context, payload, type);
      } else if (payload.length <= INLINE_CHECK_BYTES) {
        LambdaJson.checkPayload(payload);
        dispatch(ctx, context, payload, type);
      } else {
        // up to 6 MB of JSON to scan: not on the event loop
        context
            .<Void>executeBlocking(
                () -> {
                  LambdaJson.checkPayload(payload);
                  return null;
                },
                false)
            .onComplete(
                checked -> {
                  if (checked.failed()) {
                    LambdaHttp.error(ctx, checked.cause());
                  } else {
                    dispatch(ctx, context, payload, type);
                  }
                });
      }
    } catch (RuntimeException e) {
      LambdaHttp.error(ctx, e);
    }
  }

  private void dispatch(RoutingContext ctx, Context context, byte[] payload, String type) {
    try {
      String name = name(ctx);
      String clientContext = clientContext(ctx);
      switch (type) {
        case "DryRun" -> {
          FunctionService.checkPayload(payload); // a call that would be refused fails here too
          functions().checkInvocable(name);
          ctx.response().setStatusCode(204).end();
        }
        case "Event" ->
            // off the event loop: the event is written durably before the 202
            context
                .<String>executeBlocking(() -> functions().invokeAsync(name, payload), false)
                .onComplete(
                    queued -> {
                      if (queued.failed()) {
                        LambdaHttp.error(ctx, queued.cause());
                      } else {
                        ctx.response()
                            .setStatusCode(202)
                            .putHeader("x-amzn-RequestId", queued.result())
                            .end();
                      }
                    });
        case "RequestResponse" -> {
          boolean tail = "Tail".equals(header(ctx, "X-Amz-Log-Type", "None"));
          functions()
              .invoke(qualified(ctx, name), payload, clientContext)
              .whenComplete((r, e) -> context.runOnContext(v -> answerInvoke(ctx, r, e, tail)));
        }
        default -> throw new IllegalStateException("unchecked invocation type " + type);
      }
    } catch (RuntimeException | Error e) {
      // an Error too (no thread left for a cold start): run from a callback of the payload's
      // check, nothing else would answer the request
      LambdaHttp.error(ctx, e);
    }
  }

  private void answerInvoke(
      RoutingContext ctx, FunctionService.Invoked r, Throwable e, boolean tail) {
    if (e != null) {
      LambdaHttp.error(ctx, e);
      return;
    }
    HttpServerResponse res = ctx.response().setStatusCode(200);
    res.putHeader("X-Amz-Executed-Version", "$LATEST").putHeader("x-amzn-RequestId", r.requestId());
    if (tail) {
      byte[] log = r.log().getBytes(StandardCharsets.UTF_8);
      byte[] last = Arrays.copyOfRange(log, Math.max(0, log.length - LOG_TAIL_BYTES), log.length);
      res.putHeader("X-Amz-Log-Result", Base64.getEncoder().encodeToString(last));
    }
    byte[] body;
    if (r.report().result() instanceof InvocationResult.Failure f) {
      res.putHeader("X-Amz-Function-Error", f.unhandled() ? "Unhandled" : "Handled");
      body = f.toPayload();
    } else {
      body = ((InvocationResult.Success) r.report().result()).payload();
    }
    res.putHeader("Content-Type", "application/json").end(Buffer.buffer(body));
  }

  private void failure(RoutingContext ctx) {
    if (ctx.request().path().endsWith("/invocations")) {
      LambdaHttp.failed(
          ctx,
          LambdaError.RequestEntityTooLargeException,
          "Request must be smaller than "
              + FunctionService.maxPayloadBytes(false)
              + " bytes for the InvokeFunction operation");
      return;
    }
    LambdaHttp.failed(
        ctx,
        LambdaError.RequestEntityTooLargeException,
        "Request must be smaller than "
            + MAX_DEPLOY_BYTES
            + " bytes for the "
            + operation(ctx)
            + " operation");
  }

  /** The operation a request over the deploy limit was for, by its path and method. */
  private static String operation(RoutingContext ctx) {
    String path = ctx.request().path();
    HttpMethod method = ctx.request().method();
    if (path.startsWith(TAGS)) {
      return "TagResource";
    }
    if (path.endsWith("/concurrency")) {
      return "PutFunctionConcurrency";
    }
    if (path.endsWith("/configuration")) {
      return "UpdateFunctionConfiguration";
    }
    if (path.endsWith("/code")) {
      return "UpdateFunctionCode";
    }
    return HttpMethod.POST.equals(method) ? "CreateFunction" : "ListFunctions";
  }

  /**
   * The function named in the path. Sluice has only $LATEST: a request for another version or an
   * alias ({@code Qualifier}, or {@code name:qualifier} in the path) is for a function version that
   * does not exist, as Lambda answers; it used to act on $LATEST, and a DeleteFunction of an old
   * version deleted the whole function.
   */
  private String name(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    checkFunctionName(name);
    String qualifier = qualifier(ctx);
    if (qualifier != null && !qualifier.equals("$LATEST")) {
      throw new LambdaException(
          LambdaError.ResourceNotFoundException,
          "Function not found: " + functions().arn(functions().nameOf(name)) + ":" + qualifier);
    }
    return name;
  }

  /**
   * Lambda checks a function name or ARN in a path against its model before looking it up: a name
   * that could never exist ({@code my fn}, {@code a/b}) is a ValidationException, not a 404.
   */
  static void checkFunctionName(String name) {
    if (name == null || name.isEmpty() || name.length() > 170) {
      throw LambdaHttp.validation(
          name, "functionName", "Member must have length less than or equal to 170");
    }
    LambdaHttp.checkPattern(name, "functionName", FUNCTION_NAME);
  }

  /** {@code name} with the request's qualifier, when the Qualifier parameter gave it. */
  private static String qualified(RoutingContext ctx, String name) {
    String q = qualifier(ctx);
    return q == null || FunctionService.qualifierOf(name) != null ? name : name + ":" + q;
  }

  /** The qualifier of the request: the Qualifier parameter, or one in the path's name or ARN. */
  private static String qualifier(RoutingContext ctx) {
    String given = ctx.request().getParam("Qualifier");
    String inName = FunctionService.qualifierOf(ctx.pathParam("name"));
    if (given == null || given.isEmpty()) {
      return inName;
    }
    if (inName != null && !inName.equals(given)) {
      throw new LambdaException(
          LambdaError.InvalidParameterValueException,
          "The derived qualifier from the function name does not match the specified qualifier.");
    }
    return given;
  }

  /**
   * Invoke's X-Amz-Client-Context, checked for every invocation type: at most 3,583 bytes of base64
   * of JSON (Lambda's documented limit; InvalidRequestContentException otherwise, with Lambda's
   * message for a bad value); null when absent. Both isolation modes then only see a context Lambda
   * would pass on.
   */
  static String clientContext(RoutingContext ctx) {
    String value = ctx.request().getHeader("X-Amz-Client-Context");
    if (value == null || value.isEmpty()) {
      return null;
    }
    int bytes = value.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_CLIENT_CONTEXT_BYTES) {
      throw new LambdaException(
          LambdaError.InvalidRequestContentException,
          "Client context must be at most "
              + MAX_CLIENT_CONTEXT_BYTES
              + " bytes of base64, not "
              + bytes
              + ".");
    }
    JsonNode json;
    try {
      json =
          LambdaJson.MAPPER
              .reader()
              .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
              .readTree(Base64.getDecoder().decode(value));
    } catch (IllegalArgumentException | IOException e) {
      json = null;
    }
    if (json == null || json.isMissingNode()) {
      throw new LambdaException(
          LambdaError.InvalidRequestContentException,
          "Client context must be a valid Base64-encoded JSON object.");
    }
    return value;
  }

  private static String header(RoutingContext ctx, String name, String dflt) {
    String v = ctx.request().getHeader(name);
    return v == null || v.isEmpty() ? dflt : v;
  }
}
