package dev.sluice.lambda;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.function.CodeSource;
import dev.sluice.function.FunctionConfig;
import dev.sluice.function.FunctionService;
import dev.sluice.function.FunctionSpec;
import dev.sluice.function.Isolation;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** Lambda's JSON shapes: requests in, FunctionConfiguration and friends out. */
final class LambdaJson {

  /**
   * Takes strings as long as a request body may be: Jackson's default of 20 M characters refused
   * the base64 ZipFile of a package over about 15 MB, which Lambda takes up to 50 MB.
   */
  static final ObjectMapper MAPPER =
      new ObjectMapper(
          com.fasterxml.jackson.core.JsonFactory.builder()
              .streamReadConstraints(
                  com.fasterxml.jackson.core.StreamReadConstraints.builder()
                      .maxStringLength(Integer.MAX_VALUE)
                      .build())
              .build());

  private static final com.fasterxml.jackson.databind.ObjectReader STRICT =
      MAPPER
          .reader()
          .with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** S3Bucket that makes S3Key a local path: Sluice's extension for large packages. */
  static final String LOCAL_BUCKET = "sluice-local";

  /**
   * The Role reported for a function deployed without one (Lambda requires one; Sluice's own
   * deploys from templates send none).
   */
  static final String DEFAULT_ROLE = "arn:aws:iam::000000000000:role/sluice";

  /** Tag that selects the isolation mode at creation (SAM and AWS ignore it). */
  static final String ISOLATION_TAG = dev.sluice.function.FunctionTags.ISOLATION;

  private static final DateTimeFormatter LAST_MODIFIED =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ").withZone(ZoneOffset.UTC);

  private LambdaJson() {}

  static ObjectNode parse(byte[] body) {
    if (body.length == 0) {
      return MAPPER.createObjectNode();
    }
    try {
      // a second value after the object ({...}{"Enabled":false}) would otherwise be dropped
      JsonNode n = STRICT.readTree(body);
      if (n instanceof ObjectNode o) {
        return o;
      }
    } catch (IOException e) {
      throw new LambdaException(
          LambdaError.InvalidRequestContentException,
          "Could not parse request body into json: "
              + e.getMessage().lines().findFirst().orElse(""));
    }
    throw new LambdaException(
        LambdaError.InvalidRequestContentException, "The request body must be a JSON object.");
  }

  /**
   * Refuses an Invoke payload that is not exactly one JSON value, as Lambda does before it invokes
   * anything, with Lambda's message. The payload is only scanned, never built into a tree; an empty
   * one is allowed.
   */
  static void checkPayload(byte[] payload) {
    if (payload.length == 0) {
      return;
    }
    try (JsonParser p = MAPPER.getFactory().createParser(payload)) {
      if (p.nextToken() == null) {
        throw new JsonParseException(p, "No content to map due to end-of-input");
      }
      p.skipChildren();
      JsonToken trailing = p.nextToken();
      if (trailing != null) {
        throw new JsonParseException(
            p, "Trailing token (of type " + trailing + ") found after the JSON value");
      }
    } catch (IOException e) {
      String reason = e.getMessage();
      if (e instanceof JsonProcessingException j && j.getLocation() != null) {
        reason =
            j.getOriginalMessage()
                + " at line "
                + j.getLocation().getLineNr()
                + ", column "
                + j.getLocation().getColumnNr();
      }
      throw new LambdaException(
          LambdaError.InvalidRequestContentException,
          "Could not parse request body into json: Could not parse payload into json: " + reason);
    }
  }

  /**
   * A function's configuration as Lambda gives it; {@code unrunnable} says why it is in the Failed
   * state on this node, null when it is Active.
   */
  static ObjectNode configuration(
      FunctionConfig c, String arn, FunctionService.Unrunnable unrunnable) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("FunctionName", c.name());
    n.put("FunctionArn", arn);
    n.put("Runtime", c.runtime());
    n.put("Role", c.role() != null ? c.role() : DEFAULT_ROLE);
    n.put("Handler", c.handler());
    n.put("CodeSize", c.codeSize());
    n.put("Description", c.description());
    n.put("Timeout", c.timeoutSeconds());
    n.put("MemorySize", c.memorySize());
    n.put("LastModified", LAST_MODIFIED.format(Instant.ofEpochMilli(c.lastModifiedMillis())));
    n.put("CodeSha256", c.codeSha256());
    n.put("Version", "$LATEST");
    ObjectNode vars = n.putObject("Environment").putObject("Variables");
    c.environment().forEach(vars::put);
    n.putObject("TracingConfig").put("Mode", "PassThrough");
    n.put("RevisionId", c.revisionId());
    if (unrunnable == null) {
      n.put("State", "Active");
      n.put("LastUpdateStatus", "Successful");
    } else {
      n.put("State", "Failed");
      n.put("StateReason", unrunnable.reason());
      n.put("StateReasonCode", unrunnable.reasonCode());
      n.put("LastUpdateStatus", "Failed");
      n.put("LastUpdateStatusReason", unrunnable.reason());
      n.put("LastUpdateStatusReasonCode", unrunnable.reasonCode());
    }
    n.put("PackageType", "Zip");
    n.putArray("Architectures").add("x86_64");
    n.putObject("EphemeralStorage").put("Size", 512);
    ObjectNode logging = n.putObject("LoggingConfig");
    logging.put("LogFormat", "Text");
    logging.put("LogGroup", "/aws/lambda/" + c.name());
    return n;
  }

  static FunctionSpec spec(ObjectNode body) {
    JsonNode env = body.path("Environment").path("Variables");
    Map<String, String> vars = null;
    if (env.isObject()) {
      vars = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) env::fields) {
        if (!e.getValue().isTextual()) { // a number was stringified, an object became ""
          throw new LambdaException(
              LambdaError.InvalidParameterValueException,
              "Environment variable " + e.getKey() + " must have a string value.");
        }
        vars.put(e.getKey(), e.getValue().textValue());
      }
    }
    return new FunctionSpec(
        text(body, "Handler"),
        text(body, "Runtime"),
        integer(body, "MemorySize"),
        integer(body, "Timeout"),
        vars,
        text(body, "Description"),
        isolation(body.path("Tags").path(ISOLATION_TAG)),
        text(body, "Role"));
  }

  /**
   * A request's {@code Tags} map (CreateFunction, TagResource), without the isolation tag, which is
   * a setting; values must be strings, as in Lambda's model.
   */
  static Map<String, String> tags(JsonNode body) {
    Map<String, String> tags = allTags(body);
    tags.remove(ISOLATION_TAG);
    return tags;
  }

  /** A request's {@code Tags} map as given. */
  static Map<String, String> allTags(JsonNode body) {
    JsonNode tags = body.path("Tags");
    if (tags.isMissingNode() || tags.isNull()) {
      return new LinkedHashMap<>();
    }
    if (!tags.isObject()) {
      throw new LambdaException(
          LambdaError.InvalidParameterValueException, "Tags must be a map of strings.");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) tags::fields) {
      if (!e.getValue().isTextual()) {
        throw new LambdaException(
            LambdaError.InvalidParameterValueException,
            "Tag " + e.getKey() + " must have a string value.");
      }
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }

  /** A function's tags as GetFunction and ListTags report them: its own plus its isolation. */
  static ObjectNode tags(FunctionConfig c) {
    ObjectNode out = MAPPER.createObjectNode();
    c.tags().forEach(out::put);
    out.put(ISOLATION_TAG, c.isolation().name().toLowerCase(java.util.Locale.ROOT));
    return out;
  }

  private static Isolation isolation(JsonNode tag) {
    if (tag.isMissingNode() || tag.isNull()) {
      return null;
    }
    try {
      return Isolation.valueOf(tag.asText().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new LambdaException(
          LambdaError.InvalidParameterValueException,
          "Tag "
              + ISOLATION_TAG
              + " must be 'classloader' or 'process', not '"
              + tag.asText()
              + "'.");
    }
  }

  /** The package of a CreateFunction Code member or an UpdateFunctionCode body. */
  static CodeSource code(JsonNode code) {
    String zip = text(code, "ZipFile");
    if (zip != null) {
      try {
        return new CodeSource.Upload(Base64.getDecoder().decode(zip));
      } catch (IllegalArgumentException e) {
        throw new LambdaException(
            LambdaError.InvalidParameterValueException, "ZipFile is not valid base64.");
      }
    }
    String bucket = text(code, "S3Bucket");
    if (LOCAL_BUCKET.equals(bucket) && text(code, "S3Key") != null) {
      try {
        return new CodeSource.Local(Path.of(text(code, "S3Key")));
      } catch (java.nio.file.InvalidPathException e) {
        throw new LambdaException(
            LambdaError.InvalidParameterValueException, "S3Key is not a path: " + e.getMessage());
      }
    }
    throw new LambdaException(
        LambdaError.InvalidParameterValueException,
        "Code must be given as ZipFile, or as S3Bucket '"
            + LOCAL_BUCKET
            + "' with S3Key the absolute path of a"
            + " jar, zip or directory on the Sluice host. S3 and image packages are not supported.");
  }

  static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new LambdaException(
          LambdaError.InvalidParameterValueException, field + " must be a string.");
    }
    return v.textValue();
  }

  /**
   * An epoch-seconds timestamp (a number, fractions allowed) in milliseconds, or null when absent;
   * text (an ISO date, say) is refused rather than read as 0, which is 1970.
   */
  static Long epochMillis(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isNumber()) {
      throw new LambdaException(
          LambdaError.InvalidParameterValueException,
          field + " must be a number of seconds since the epoch.");
    }
    return Math.round(v.asDouble() * 1000);
  }

  static Integer integer(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) { // 2^32 + 100 must not pass as 100
      throw new LambdaException(
          LambdaError.InvalidParameterValueException, field + " must be a 32-bit integer.");
    }
    return v.intValue();
  }
}
