package dev.sluice.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.cli.client.ClientException;
import dev.sluice.cli.client.SluiceClient;
import dev.sluice.template.StreamResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/** Brings one stream to what the template says, through the Kinesis API. */
final class StreamDeployer {

  /** Kinesis takes at most 50 tags in one call, and lists at most 50 in one page. */
  private static final int TAGS_PER_CALL = 50;

  private final SluiceClient client;
  private final Waiter waiter;

  StreamDeployer(SluiceClient client, Waiter waiter) {
    this.client = client;
    this.waiter = waiter;
  }

  /**
   * Creates or updates {@code s}, marked as part of {@code stack}; returns the change. A change
   * refused after some of it was made (a reshard step past the shard limit, a creation whose wait
   * for ACTIVE timed out) tells {@code partial} what was, then fails.
   */
  Change apply(StreamResource s, String stack, Consumer<Change> partial) {
    String resource = "stream " + s.name();
    JsonNode summary = settled(s.name());
    if (summary == null) {
      String size =
          s.shardCount() == null
              ? "on-demand"
              : s.shardCount() + (s.shardCount() == 1 ? " shard" : " shards");
      boolean[] sent = new boolean[1];
      try {
        if (created(s, stack, sent)) {
          return new Change(Change.Action.CREATED, resource, size);
        }
      } catch (RuntimeException refused) {
        if (sent[0]) {
          partial.accept(new Change(Change.Action.CREATED, resource, size + " (then refused)"));
        }
        throw refused;
      }
      // another deploy (through another node, say) created it a moment ago: it is brought to the
      // template as one that existed
      summary = settled(s.name());
      if (summary == null) {
        return apply(s, stack, partial); // and deleted again meanwhile
      }
    }
    List<String> done = new ArrayList<>();
    try {
      return update(s, stack, summary, done);
    } catch (RuntimeException refused) {
      if (!done.isEmpty()) {
        partial.accept(Change.partlyUpdated(resource, done));
      }
      throw refused;
    }
  }

  /** Applies the differences one call at a time; {@code done} names what each made. */
  private Change update(StreamResource s, String stack, JsonNode summary, List<String> done) {
    String resource = "stream " + s.name();
    String mode = summary.path("StreamModeDetails").path("StreamMode").asText("PROVISIONED");
    if (!mode.equals(s.mode())) {
      // in place, as CloudFormation does: the shards stay until a ShardCount changes them
      ObjectNode body = SluiceClient.object().put("StreamARN", summary.path("StreamARN").asText());
      body.putObject("StreamModeDetails").put("StreamMode", s.mode());
      client.kinesis("UpdateStreamMode", body);
      done.add("mode " + mode + " → " + s.mode()); // made, should the wait time out
      waitActive(s.name());
    }
    int open = summary.path("OpenShardCount").asInt();
    if (s.shardCount() != null && open != s.shardCount()) {
      reshard(s.name(), open, s.shardCount(), done);
    }
    int retention = summary.path("RetentionPeriodHours").asInt();
    if (retention != s.retentionHours()) {
      String op = s.retentionHours() > retention ? "Increase" : "Decrease";
      client.kinesis(
          op + "StreamRetentionPeriod",
          named(s.name()).put("RetentionPeriodHours", s.retentionHours()));
      done.add("retention " + retention + " h → " + s.retentionHours() + " h");
    }
    retag(s, stack, done);
    return done.isEmpty()
        ? new Change(Change.Action.UNCHANGED, resource, "")
        : new Change(Change.Action.UPDATED, resource, String.join(", ", done));
  }

  /**
   * Brings the stream from {@code open} to {@code target} shards. One UpdateShardCount may at most
   * double or halve the count, as in Kinesis, so a larger change goes in such steps; {@code done}
   * names the count reached, so a step refused after others says how far it got.
   */
  private void reshard(String stream, int open, int target, List<String> done) {
    int at = done.size();
    for (int now = open; now != target; ) {
      int next = target > now ? Math.min(target, 2 * now) : Math.max(target, (now + 1) / 2);
      ObjectNode body = named(stream).put("TargetShardCount", next);
      client.kinesis("UpdateShardCount", body.put("ScalingType", "UNIFORM_SCALING"));
      String reached = "shards " + open + " → " + next;
      if (done.size() > at) {
        done.set(at, reached);
      } else {
        done.add(reached);
      }
      waitActive(stream);
      now = next;
    }
  }

  /**
   * Creates {@code s}; returns false, creating nothing, when the server says the name exists: it
   * was created after this deploy looked. {@code sent[0]} is set once the server took the creation.
   */
  private boolean created(StreamResource s, String stack, boolean[] sent) {
    ObjectNode body = named(s.name());
    if (s.shardCount() != null) {
      body.put("ShardCount", s.shardCount());
    }
    body.putObject("StreamModeDetails").put("StreamMode", s.mode());
    try {
      client.kinesis("CreateStream", body);
    } catch (ClientException e) {
      if ("ResourceInUseException".equals(e.type()) && describe(s.name()) != null) {
        return false;
      }
      throw e;
    }
    sent[0] = true;
    waitActive(s.name());
    if (s.retentionHours() != 24) {
      client.kinesis(
          "IncreaseStreamRetentionPeriod",
          named(s.name()).put("RetentionPeriodHours", s.retentionHours()));
    }
    retag(s, stack, new ArrayList<>());
    return true;
  }

  /**
   * Makes the stream's tags the template's plus the stack's marks, as CloudFormation does: new and
   * changed ones through AddTagsToStream, those no longer wanted through RemoveTagsFromStream;
   * notes "tags" in {@code done} once a call changed them.
   */
  private void retag(StreamResource s, String stack, List<String> done) {
    Map<String, String> want = new TreeMap<>(s.tags());
    if (stack != null) {
      want.putAll(StackPruner.streamMarks(s, stack));
    }
    Map<String, String> have = tagsOf(s.name());
    if (stack == null) {
      // a deploy without a stack untracks nothing: the marks of an earlier stack deploy stay
      have.forEach(
          (k, v) -> {
            if (StackPruner.MARKS.contains(k)) {
              want.put(k, v);
            }
          });
    }
    TagDiff diff = TagDiff.of(have, want);
    // at most 50 keys a call: the template's 50 and the stack's marks make more
    for (List<String> keys : chunks(diff.gone())) {
      ObjectNode body = named(s.name());
      keys.forEach(body.putArray("TagKeys")::add);
      client.kinesis("RemoveTagsFromStream", body);
      changedTags(done);
    }
    for (List<String> keys : chunks(List.copyOf(diff.set().keySet()))) {
      ObjectNode body = named(s.name());
      ObjectNode tags = body.putObject("Tags");
      keys.forEach(k -> tags.put(k, diff.set().get(k)));
      client.kinesis("AddTagsToStream", body);
      changedTags(done);
    }
  }

  /** Notes in {@code done} that the tags changed, once. */
  private static void changedTags(List<String> done) {
    if (!done.contains("tags")) {
      done.add("tags");
    }
  }

  private static List<List<String>> chunks(List<String> keys) {
    List<List<String>> out = new ArrayList<>();
    for (int i = 0; i < keys.size(); i += TAGS_PER_CALL) {
      out.add(keys.subList(i, Math.min(keys.size(), i + TAGS_PER_CALL)));
    }
    return out;
  }

  private Map<String, String> tagsOf(String stream) {
    return tagsOf(client, stream);
  }

  /** Every tag of the stream, page by page: with the stack's marks there can be over 50. */
  static Map<String, String> tagsOf(SluiceClient client, String stream) {
    Map<String, String> have = new TreeMap<>();
    String after = null;
    boolean more = true;
    while (more) {
      ObjectNode request = named(stream).put("Limit", TAGS_PER_CALL);
      if (after != null) {
        request.put("ExclusiveStartTagKey", after);
      }
      JsonNode page = client.kinesis("ListTagsForStream", request);
      for (JsonNode t : page.path("Tags")) {
        after = t.path("Key").asText();
        have.put(after, t.path("Value").asText());
      }
      more = page.path("HasMoreTags").asBoolean() && page.path("Tags").size() > 0;
    }
    return have;
  }

  /** The stack whose deploys made the stream, or null (none, or no such stream). */
  String stackOf(String stream) {
    return describe(stream) == null ? null : tagsOf(stream).get(StackPruner.STACK);
  }

  /**
   * The stream's summary once no change of it is under way, or null when there is no stream: one
   * still DELETING (an earlier deploy pruned it a moment ago) is gone once that ends, and one still
   * CREATING or UPDATING (an earlier deploy timed out waiting) takes no change until it is ACTIVE.
   */
  private JsonNode settled(String name) {
    JsonNode summary = describe(name);
    String status = summary == null ? "" : summary.path("StreamStatus").asText();
    if (status.equals("DELETING")) {
      waiter.until("stream " + name + " to be deleted", () -> describe(name) == null);
      return null;
    }
    if (status.equals("CREATING") || status.equals("UPDATING")) {
      waitActive(name);
      return describe(name);
    }
    return summary;
  }

  private JsonNode describe(String name) {
    try {
      return client.kinesis("DescribeStreamSummary", named(name)).path("StreamDescriptionSummary");
    } catch (ClientException e) {
      if (e.notFound()) {
        return null;
      }
      throw e;
    }
  }

  private void waitActive(String name) {
    waiter.until(
        "stream " + name + " to become ACTIVE",
        () -> {
          JsonNode d = describe(name);
          if (d == null) {
            throw new DeployException("stream " + name + " was deleted while the deploy waited");
          }
          return "ACTIVE".equals(d.path("StreamStatus").asText());
        });
  }

  private static ObjectNode named(String name) {
    return SluiceClient.object().put("StreamName", name);
  }
}
