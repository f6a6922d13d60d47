package dev.sluice.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.cli.client.ClientException;
import dev.sluice.cli.client.SluiceClient;
import dev.sluice.function.CodeDigest;
import dev.sluice.function.FunctionTags;
import dev.sluice.template.FunctionResource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Brings one function to what the template says, through Lambda's API. Code goes by local path
 * (Sluice's {@code sluice-local} bucket), and is sent only when its digest differs from the
 * deployed CodeSha256.
 */
final class FunctionDeployer {

  static final String LOCAL_BUCKET = "sluice-local";
  static final String ISOLATION_TAG = FunctionTags.ISOLATION;
  private static final String FUNCTIONS = "/2015-03-31/functions/";
  private static final String TAGS = "/2017-03-31/tags/";
  private final SluiceClient client;

  FunctionDeployer(SluiceClient client) {
    this.client = client;
  }

  /**
   * Creates or updates {@code f}, marked as part of {@code stack}; returns the change. An update
   * refused after some of it was made tells {@code partial} what was, then fails.
   */
  Change apply(
      FunctionResource f,
      Path artifact,
      String stack,
      java.util.function.Consumer<Change> partial) {
    String resource = "function " + f.name();
    JsonNode current = get(f.name());
    if (current == null) {
      create(f, artifact, stack);
      try {
        concurrency(f, null);
      } catch (RuntimeException refused) {
        // the step fails whole, so that the deploy's "nothing was changed before it" holds: a
        // function left without the reservation it asked for would run unbounded
        try {
          client.rest("DELETE", FUNCTIONS + SluiceClient.encode(f.name()), null);
        } catch (RuntimeException stays) {
          refused.addSuppressed(stays); // the refusal is what the user must see
        }
        throw refused;
      }
      return new Change(Change.Action.CREATED, resource, f.runtime() + ", " + f.isolation());
    }
    List<String> done = new ArrayList<>();
    try {
      return update(f, artifact, stack, current, done);
    } catch (RuntimeException refused) {
      if (!done.isEmpty()) {
        partial.accept(Change.partlyUpdated(resource, done));
      }
      throw refused;
    }
  }

  /** Applies the differences one call at a time; {@code done} names what each made. */
  private Change update(
      FunctionResource f, Path artifact, String stack, JsonNode current, List<String> done) {
    String resource = "function " + f.name();
    JsonNode c = current.path("Configuration");
    List<String> settings = new ArrayList<>();
    ObjectNode update = settingsDiff(f, c, current.path("Tags"), settings);
    // a node that lost the package refuses settings until it has code again: code goes first
    boolean packageLost = "InvalidZipFileException".equals(c.path("StateReasonCode").asText());
    if (packageLost) {
      putCode(f.name(), artifact);
      done.add("code");
    }
    if (!update.isEmpty()) {
      client.rest("PUT", FUNCTIONS + SluiceClient.encode(f.name()) + "/configuration", update);
      done.addAll(settings);
    }
    if (!packageLost && !CodeDigest.of(artifact).equals(c.path("CodeSha256").asText())) {
      putCode(f.name(), artifact);
      done.add(0, "code");
    }
    Map<String, String> want = wantedTags(f, stack);
    if (stack == null) { // a deploy without a stack untracks nothing: an earlier stack's marks stay
      for (String mark : StackPruner.MARKS) {
        JsonNode had = current.path("Tags").path(mark);
        if (had.isTextual()) {
          want.put(mark, had.asText());
        }
      }
    }
    if (retag(want, c.path("FunctionArn").asText(), current.path("Tags"))) {
      done.add("Tags");
    }
    JsonNode reserved = current.path("Concurrency").path("ReservedConcurrentExecutions");
    if (concurrency(f, reserved.isMissingNode() ? null : reserved.asInt())) {
      done.add("ReservedConcurrentExecutions");
    }
    if (done.isEmpty() && "Failed".equals(c.path("State").asText())) {
      // nothing to change, yet it cannot run where it was deployed: say why, not "unchanged"
      return new Change(
          Change.Action.SKIPPED,
          resource,
          "unchanged, but Failed on this node: " + c.path("StateReason").asText());
    }
    return done.isEmpty()
        ? new Change(Change.Action.UNCHANGED, resource, "")
        : new Change(Change.Action.UPDATED, resource, String.join(", ", done));
  }

  /** The stack whose deploys made the function, or null (none, or no such function). */
  String stackOf(String function) {
    JsonNode current = get(function);
    JsonNode stack = current == null ? null : current.path("Tags").path(StackPruner.STACK);
    return stack != null && stack.isTextual() ? stack.asText() : null;
  }

  /** Sends new code only, for {@code --watch}; answers whether the code changed. */
  boolean updateCode(String function, Path artifact) {
    JsonNode c = get(function);
    if (c != null
        && CodeDigest.of(artifact).equals(c.path("Configuration").path("CodeSha256").asText())) {
      return false;
    }
    putCode(function, artifact);
    return true;
  }

  /** Sends {@code artifact} as the code of {@code function}. */
  private void putCode(String function, Path artifact) {
    client.rest("PUT", FUNCTIONS + SluiceClient.encode(function) + "/code", code(artifact));
  }

  private void create(FunctionResource f, Path artifact, String stack) {
    ObjectNode body = settings(f);
    body.put("FunctionName", f.name());
    body.set("Code", code(artifact));
    ObjectNode tags = body.putObject("Tags");
    wantedTags(f, stack).forEach(tags::put);
    tags.put(ISOLATION_TAG, f.isolation());
    client.rest("POST", "/2015-03-31/functions", body);
  }

  private static Map<String, String> wantedTags(FunctionResource f, String stack) {
    Map<String, String> want = new TreeMap<>(f.tags());
    if (stack != null) {
      want.put(StackPruner.STACK, stack);
      want.put(StackPruner.LOGICAL_ID, f.logicalId());
      if (f.retain()) {
        want.put(StackPruner.DELETION_POLICY, "Retain");
      }
      if (f.retainOnReplace()) {
        want.put(StackPruner.REPLACE_POLICY, f.logicalId());
      }
    }
    return want;
  }

  /**
   * Makes the function's tags {@code wanted}: changed and new ones through TagResource, others
   * through UntagResource (its isolation is a setting, not a tag). Answers whether any changed.
   */
  private boolean retag(Map<String, String> wanted, String arn, JsonNode current) {
    Map<String, String> have = new TreeMap<>();
    current.fields().forEachRemaining(e -> have.put(e.getKey(), e.getValue().asText()));
    have.remove(ISOLATION_TAG);
    TagDiff diff = TagDiff.of(have, wanted);
    String path = TAGS + SluiceClient.encode(arn);
    if (!diff.gone().isEmpty()) {
      StringBuilder q = new StringBuilder(path);
      for (int i = 0; i < diff.gone().size(); i++) {
        q.append(i == 0 ? '?' : '&').append("tagKeys=");
        q.append(SluiceClient.encode(diff.gone().get(i)));
      }
      client.rest("DELETE", q.toString(), null);
    }
    if (!diff.set().isEmpty()) {
      ObjectNode body = SluiceClient.object();
      diff.set().forEach(body.putObject("Tags")::put);
      client.rest("POST", path, body);
    }
    return diff.changes();
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
