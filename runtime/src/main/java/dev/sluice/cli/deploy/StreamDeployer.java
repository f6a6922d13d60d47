package dev.sluice.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.cli.client.ClientException;
import dev.sluice.cli.client.SluiceClient;
import dev.sluice.template.StreamResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Brings one stream to what the template says, through the Kinesis API. */
final class StreamDeployer {

  private final SluiceClient client;
  private final Waiter waiter;

  StreamDeployer(SluiceClient client, Waiter waiter) {
    this.client = client;
    this.waiter = waiter;
  }

  Change apply(StreamResource s) {
    String resource = "stream " + s.name();
    JsonNode summary = describe(s.name());
    if (summary == null) {
      create(s);
      String size =
          s.shardCount() == null
              ? "on-demand"
              : s.shardCount() + (s.shardCount() == 1 ? " shard" : " shards");
      return new Change(Change.Action.CREATED, resource, size);
    }
    List<String> done = new ArrayList<>();
    String mode = summary.path("StreamModeDetails").path("StreamMode").asText("PROVISIONED");
    if (!mode.equals(s.mode())) {
      // in place, as CloudFormation does: the shards stay until a ShardCount changes them
      ObjectNode body = SluiceClient.object().put("StreamARN", summary.path("StreamARN").asText());
      body.putObject("StreamModeDetails").put("StreamMode", s.mode());
      client.kinesis("UpdateStreamMode", body);
      waitActive(s.name());
      done.add("mode " + mode + " → " + s.mode());
    }
    int open = summary.path("OpenShardCount").asInt();
    if (s.shardCount() != null && open != s.shardCount()) {
      reshard(s.name(), open, s.shardCount());
      done.add("shards " + open + " → " + s.shardCount());
    }
    int retention = summary.path("RetentionPeriodHours").asInt();
    if (retention != s.retentionHours()) {
      String op = s.retentionHours() > retention ? "Increase" : "Decrease";
      client.kinesis(
          op + "StreamRetentionPeriod",
          named(s.name()).put("RetentionPeriodHours", s.retentionHours()));
      done.add("retention " + retention + " h → " + s.retentionHours() + " h");
    }
    if (addTags(s)) {
      done.add("tags");
    }
    return done.isEmpty()
        ? new Change(Change.Action.UNCHANGED, resource, "")
        : new Change(Change.Action.UPDATED, resource, String.join(", ", done));
  }

  /**
   * Brings the stream from {@code open} to {@code target} shards. One UpdateShardCount may at most
   * double or halve the count, as in Kinesis, so a larger change goes in such steps.
   */
  private void reshard(String stream, int open, int target) {
    for (int now = open; now != target; ) {
      int next = target > now ? Math.min(target, 2 * now) : Math.max(target, (now + 1) / 2);
      ObjectNode body = named(stream).put("TargetShardCount", next);
      client.kinesis("UpdateShardCount", body.put("ScalingType", "UNIFORM_SCALING"));
      waitActive(stream);
      now = next;
    }
  }

  private void create(StreamResource s) {
    ObjectNode body = named(s.name());
    if (s.shardCount() != null) {
      body.put("ShardCount", s.shardCount());
    }
    body.putObject("StreamModeDetails").put("StreamMode", s.mode());
    client.kinesis("CreateStream", body);
    waitActive(s.name());
    if (s.retentionHours() != 24) {
      client.kinesis(
          "IncreaseStreamRetentionPeriod",
          named(s.name()).put("RetentionPeriodHours", s.retentionHours()));
    }
    addTags(s);
  }

  private boolean addTags(StreamResource s) {
    if (s.tags().isEmpty()) {
      return false;
    }
    JsonNode current = client.kinesis("ListTagsForStream", named(s.name())).path("Tags");
    ObjectNode missing = SluiceClient.object();
    for (Map.Entry<String, String> t : s.tags().entrySet()) {
      if (!t.getValue().equals(valueOf(current, t.getKey()))) {
        missing.put(t.getKey(), t.getValue());
      }
    }
    if (missing.isEmpty()) {
      return false;
    }
    ObjectNode body = named(s.name());
    body.set("Tags", missing);
    client.kinesis("AddTagsToStream", body);
    return true;
  }

  private static String valueOf(JsonNode tags, String key) {
    for (JsonNode t : tags) {
      if (key.equals(t.path("Key").asText())) {
        return t.path("Value").asText();
      }
    }
    return null;
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
        () -> "ACTIVE".equals(describe(name).path("StreamStatus").asText()));
  }

  private static ObjectNode named(String name) {
    return SluiceClient.object().put("StreamName", name);
  }
}
