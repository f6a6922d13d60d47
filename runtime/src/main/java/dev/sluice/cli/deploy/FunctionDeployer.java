package dev.sluice.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.cli.client.ClientException;
import dev.sluice.cli.client.SluiceClient;
import dev.sluice.function.CodeDigest;
import dev.sluice.template.FunctionResource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Brings one function to what the template says, through Lambda's API. Code goes by local path
 * (Sluice's {@code sluice-local} bucket), and is sent only when its digest differs from the
 * deployed CodeSha256.
 */
final class FunctionDeployer {

  static final String LOCAL_BUCKET = "sluice-local";
  static final String ISOLATION_TAG = "sluice:isolation";
  private static final String FUNCTIONS = "/2015-03-31/functions/";
  private final SluiceClient client;

  FunctionDeployer(SluiceClient client) {
    this.client = client;
  }

  Change apply(FunctionResource f, Path artifact) {
    String resource = "function " + f.name();
    JsonNode current = get(f.name());
    if (current == null) {
      create(f, artifact);
      concurrency(f, null);
      return new Change(Change.Action.CREATED, resource, f.runtime() + ", " + f.isolation());
    }
    List<String> done = new ArrayList<>();
    JsonNode c = current.path("Configuration");
    ObjectNode update = settingsDiff(f, c, current.path("Tags"), done);
    if (!update.isEmpty()) {
      client.rest("PUT", FUNCTIONS + SluiceClient.encode(f.name()) + "/configuration", update);
    }
    if (!CodeDigest.of(artifact).equals(c.path("CodeSha256").asText())) {
      client.rest("PUT", FUNCTIONS + SluiceClient.encode(f.name()) + "/code", code(artifact));
      done.add(0, "code");
    }
    JsonNode reserved = current.path("Concurrency").path("ReservedConcurrentExecutions");
    if (concurrency(f, reserved.isMissingNode() ? null : reserved.asInt())) {
      done.add("ReservedConcurrentExecutions");
    }
    return done.isEmpty()
        ? new Change(Change.Action.UNCHANGED, resource, "")
        : new Change(Change.Action.UPDATED, resource, String.join(", ", done));
  }

  /** Sends new code only, for {@code --watch}; answers whether the code changed. */
  boolean updateCode(String function, Path artifact) {
    JsonNode c = get(function);
    if (c != null
        && CodeDigest.of(artifact).equals(c.path("Configuration").path("CodeSha256").asText())) {
      return false;
    }
    client.rest("PUT", FUNCTIONS + SluiceClient.encode(function) + "/code", code(artifact));
    return true;
  }

  private void create(FunctionResource f, Path artifact) {
    ObjectNode body = settings(f);
    body.put("FunctionName", f.name());
    body.set("Code", code(artifact));
    body.putObject("Tags").put(ISOLATION_TAG, f.isolation());
    client.rest("POST", "/2015-03-31/functions", body);
  }

  private ObjectNode settingsDiff(
      FunctionResource f, JsonNode current, JsonNode tags, List<String> done) {
    ObjectNode wanted = settings(f);
    ObjectNode update = SluiceClient.object();
    wanted
        .fields()
        .forEachRemaining(
            e -> {
              if (!same(e.getValue(), current.get(e.getKey()))) {
                update.set(e.getKey(), e.getValue());
                done.add(e.getKey());
              }
            });
    if (!f.isolation().equals(tags.path(ISOLATION_TAG).asText("classloader"))) {
      update.putObject("Tags").put(ISOLATION_TAG, f.isolation());
      done.add("isolation");
    }
    return update;
  }

  private static boolean same(JsonNode wanted, JsonNode current) {
    if (current == null || current.isNull()) {
      return wanted.isNull() || (wanted.isTextual() && wanted.asText().isEmpty());
    }
    return Objects.equals(wanted, current);
  }

  private static ObjectNode settings(FunctionResource f) {
    ObjectNode body = SluiceClient.object();
    body.put("Runtime", f.runtime());
    if (f.handler() != null) {
      body.put("Handler", f.handler());
    }
    body.put("MemorySize", f.memorySize());
    body.put("Timeout", f.timeoutSeconds());
    body.put("Description", f.description() == null ? "" : f.description());
    ObjectNode vars = body.putObject("Environment").putObject("Variables");
    f.environment().forEach(vars::put);
    return body;
  }

  private boolean concurrency(FunctionResource f, Integer current) {
    if (Objects.equals(f.reservedConcurrency(), current)) {
      return false;
    }
    String path = "/2017-10-31/functions/" + SluiceClient.encode(f.name()) + "/concurrency";
    if (f.reservedConcurrency() == null) {
      client.rest("DELETE", path, null);
    } else {
      client.rest(
          "PUT",
          path,
          SluiceClient.object().put("ReservedConcurrentExecutions", f.reservedConcurrency()));
    }
    return true;
  }

  private static ObjectNode code(Path artifact) {
    return SluiceClient.object()
        .put("S3Bucket", LOCAL_BUCKET)
        .put("S3Key", artifact.toAbsolutePath().toString());
  }

  private JsonNode get(String name) {
    try {
      return client.rest("GET", FUNCTIONS + SluiceClient.encode(name), null);
    } catch (ClientException e) {
      if (e.notFound()) {
        return null;
      }
      throw e;
    }
  }
}
