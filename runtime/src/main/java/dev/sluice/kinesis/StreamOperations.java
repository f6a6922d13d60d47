package dev.sluice.kinesis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.stream.Arns;
import dev.sluice.stream.Shard;
import dev.sluice.stream.StreamCatalog;
import dev.sluice.stream.StreamLimits;
import dev.sluice.stream.StreamMeta;
import dev.sluice.stream.StreamMode;
import dev.sluice.stream.StreamStatus;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Stream administration: create, delete, list, describe, retention, tags and limits. */
final class StreamOperations {

  private static final int MAX_TAGS_PER_CALL = 50;
  private static final java.util.regex.Pattern TAG_CHARACTERS =
      java.util.regex.Pattern.compile("[\\p{L}\\p{M}\\p{N}\\p{Zs}_./=+\\-%@:]*");

  private final StreamCatalog catalog;
  private final Arns arns;
  private final Tokens tokens;

  StreamOperations(StreamCatalog catalog, Arns arns, Tokens tokens) {
    this.catalog = catalog;
    this.arns = arns;
    this.tokens = tokens;
  }

  void register(Map<String, Operation> ops) {
    ops.put("CreateStream", this::createStream);
    ops.put("DeleteStream", this::deleteStream);
    ops.put("ListStreams", this::listStreams);
    ops.put("DescribeStream", this::describeStream);
    ops.put("DescribeStreamSummary", this::describeStreamSummary);
    ops.put("IncreaseStreamRetentionPeriod", r -> retention(r, true));
    ops.put("DecreaseStreamRetentionPeriod", r -> retention(r, false));
    ops.put("AddTagsToStream", this::addTags);
    ops.put("ListTagsForStream", this::listTags);
    ops.put("RemoveTagsFromStream", this::removeTags);
    ops.put("DescribeLimits", this::describeLimits);
    ops.put("UpdateStreamMode", this::updateStreamMode);
  }

  private CompletionStage<ObjectNode> createStream(KinesisRequest r) {
    if (r.string("StreamName") == null) { // CreateStream takes no StreamARN
      throw KinesisException.validation("streamName", "null", "Member must not be null");
    }
    String name = r.streamName();
    StreamMode mode = mode(r);
    Integer count = r.integer("ShardCount");
    if (count != null && count < 1) {
      throw KinesisException.validation(
          "shardCount", count, "Member must have value greater than or equal to 1");
    }
    if (mode == null) {
      // Kinesis takes a request that names neither (`aws kinesis create-stream --stream-name x`);
      // only a provisioned stream needs a shard count, so without one the stream is on demand
      mode = count == null ? StreamMode.ON_DEMAND : StreamMode.PROVISIONED;
    }
    if (mode == StreamMode.PROVISIONED && count == null) {
      throw KinesisException.invalid("ShardCount is required for a PROVISIONED stream.");
    }
    int shards = mode == StreamMode.ON_DEMAND ? StreamLimits.ON_DEMAND_SHARDS : count;
    Map<String, String> tags = tags(r.object("Tags"), "Tags", StreamLimits.MAX_TAGS);
    return empty(catalog.create(name, shards, mode, tags));
  }

  /** The mode the request names, or null when it names none. */
  private static StreamMode mode(KinesisRequest r) {
    ObjectNode details = r.object("StreamModeDetails");
    JsonNode mode = details == null ? null : details.get("StreamMode");
    if (mode == null || mode.isNull()) {
      return null;
    }
    try {
      return StreamMode.valueOf(mode.asText());
    } catch (IllegalArgumentException e) {
      throw KinesisException.validation(
          "streamModeDetails.streamMode",
          mode.asText(),
          "Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]");
    }
  }

  /** Takes StreamARN only, as Kinesis does; StreamModeDetails is required. */
  private CompletionStage<ObjectNode> updateStreamMode(KinesisRequest r) {
    r.requireString("StreamARN");
    String arn = r.streamArnShaped("StreamARN");
    String name = arns.streamName(arn);
    if (name == null) {
      throw KinesisException.invalid(
          "StreamARN " + arn + " is not a stream ARN of this account and region.");
    }
    ObjectNode details = r.object("StreamModeDetails");
    if (details == null) {
      throw KinesisException.validation("streamModeDetails", "null", "Member must not be null");
    }
    if (!details.hasNonNull("StreamMode")) {
      // CreateStream infers a missing mode from ShardCount; a switch must name one
      throw KinesisException.validation(
          "streamModeDetails.streamMode", "null", "Member must not be null");
    }
    return empty(catalog.setMode(name, mode(r)));
  }

  private CompletionStage<ObjectNode> deleteStream(KinesisRequest r) {
    return empty(catalog.delete(r.streamName()));
  }

  private CompletionStage<ObjectNode> listStreams(KinesisRequest r) {
    // AWS takes up to 10,000 and returns at most 100
    int limit = Math.min(100, r.integer("Limit", 1, 10_000, 100, KinesisError.ValidationException));
    String token = r.nextToken();
    String after =
        token != null
            ? tokens.readStreamPage(token)
            : r.streamNameShaped("ExclusiveStartStreamName");
    List<StreamMeta> page = new ArrayList<>();
    boolean more = false;
    for (StreamMeta m : catalog.list()) {
      if (after != null && m.name().compareTo(after) <= 0) {
        continue;
      }
      if (page.size() == limit) {
        more = true;
        break;
      }
      page.add(m);
    }
    ObjectNode out = KinesisRequest.newObject();
    ArrayNode names = out.putArray("StreamNames");
    ArrayNode summaries = out.putArray("StreamSummaries");
    for (StreamMeta m : page) {
      names.add(m.name());
      ObjectNode s = summaries.addObject();
      s.put("StreamName", m.name());
      s.put("StreamARN", arns.stream(m.name()));
      s.put("StreamStatus", m.status().name());
      s.set("StreamModeDetails", Json.mode(m));
      s.set("StreamCreationTimestamp", r.wire().timestamp(m.createdMillis()));
    }
    out.put("HasMoreStreams", more);
    if (more) {
      out.put("NextToken", tokens.streamPage(page.get(page.size() - 1).name()));
    }
    return done(out);
  }

  private CompletionStage<ObjectNode> describeStream(KinesisRequest r) {
    // the request's members are checked before the stream is looked up, as Kinesis does
    String name = r.streamName();
    int limit = Math.min(100, r.integer("Limit", 1, 10_000, 100, KinesisError.ValidationException));
    String after = r.shardId("ExclusiveStartShardId", false);
    StreamMeta m = catalog.require(name);
    ObjectNode d = Json.streamBasics(m, arns, r.wire());
    ArrayNode shards = d.putArray("Shards");
    boolean more = false;
    // a CREATING stream lists no shards in Kinesis; here their logs may not exist yet either
    List<Shard> listed = m.status() == StreamStatus.CREATING ? List.of() : m.shards();
    for (Shard s : listed) {
      if (after != null && s.id().compareTo(after) <= 0) {
        continue;
      }
      if (shards.size() == limit) {
        more = true;
        break;
      }
      shards.add(Json.shard(s, m.createdMillis()));
    }
    d.put("HasMoreShards", more);
    ObjectNode out = KinesisRequest.newObject();
    out.set("StreamDescription", d);
    return done(out);
  }

  private CompletionStage<ObjectNode> describeStreamSummary(KinesisRequest r) {
    StreamMeta m = catalog.require(r.streamName());
    ObjectNode d = Json.streamBasics(m, arns, r.wire());
    d.put("OpenShardCount", m.openShards().size());
    d.put("ConsumerCount", 0);
    ObjectNode out = KinesisRequest.newObject();
    out.set("StreamDescriptionSummary", d);
    return done(out);
  }

  private CompletionStage<ObjectNode> retention(KinesisRequest r, boolean increase) {
    String name = r.streamName();
    Integer hours = r.integer("RetentionPeriodHours");
    if (hours == null) {
      throw KinesisException.validation("retentionPeriodHours", "null", "Member must not be null");
    }
    if (hours < StreamLimits.MIN_RETENTION_HOURS || hours > StreamLimits.MAX_RETENTION_HOURS) {
      throw KinesisException.invalid(
          "Minimum allowed retention period is "
              + StreamLimits.MIN_RETENTION_HOURS
              + " hours and maximum is "
              + StreamLimits.MAX_RETENTION_HOURS
              + " hours. Requested retention period ("
              + hours
              + " hours) is out of range.");
    }
    return empty(catalog.setRetention(name, hours, increase));
  }

  private CompletionStage<ObjectNode> addTags(KinesisRequest r) {
    String name = r.streamName();
    ObjectNode given = r.object("Tags");
    if (given == null) {
      throw KinesisException.validation("tags", "null", "Member must not be null");
    }
    if (given.isEmpty()) {
      throw KinesisException.validation("tags", "{}", "Member must have at least 1 entry");
    }
    return empty(catalog.addTags(name, tags(given, "Tags", MAX_TAGS_PER_CALL)));
  }

  private CompletionStage<ObjectNode> removeTags(KinesisRequest r) {
    String name = r.streamName();
    ArrayNode keys = r.array("TagKeys");
    if (keys == null || keys.isEmpty() || keys.size() > MAX_TAGS_PER_CALL) {
      throw KinesisException.validation(
          "tagKeys",
          keys == null ? "null" : keys.size() + " keys",
          "Member must have length between 1 and " + MAX_TAGS_PER_CALL);
    }
    List<String> list = new ArrayList<>();
    for (JsonNode k : keys) {
      if (!k.isTextual()) {
        throw new KinesisException(
            KinesisError.SerializationException, "Expected TagKeys to hold strings.");
      }
      list.add(checkTagCharacters(KinesisRequest.unicode(k.textValue(), "TagKeys")));
    }
    return empty(catalog.removeTags(name, list));
  }

  private CompletionStage<ObjectNode> listTags(KinesisRequest r) {
    String name = r.streamName();
    int limit = r.integer("Limit", 1, 50, 50, KinesisError.ValidationException);
    String after = r.string("ExclusiveStartTagKey");
    StreamMeta m = catalog.require(name);
    ObjectNode out = KinesisRequest.newObject();
    ArrayNode tags = out.putArray("Tags");
    boolean more = false;
    for (Map.Entry<String, String> t : m.tags().entrySet()) {
      if (after != null && t.getKey().compareTo(after) <= 0) {
        continue;
      }
      if (tags.size() == limit) {
        more = true;
        break;
      }
      tags.addObject().put("Key", t.getKey()).put("Value", t.getValue());
    }
    out.put("HasMoreTags", more);
    return done(out);
  }

  private CompletionStage<ObjectNode> describeLimits(KinesisRequest r) {
    ObjectNode out = KinesisRequest.newObject();
    out.put("ShardLimit", catalog.limits().shardLimit());
    out.put("OpenShardCount", catalog.openShardCount());
    out.put("OnDemandStreamCount", catalog.onDemandStreamCount());
    out.put("OnDemandStreamCountLimit", catalog.limits().onDemandStreamLimit());
    return done(out);
  }

  private static Map<String, String> tags(ObjectNode node, String field, int max) {
    Map<String, String> tags = new LinkedHashMap<>();
    if (node == null) {
      return tags;
    }
    if (node.size() > max) {
      throw KinesisException.validation(
          KinesisRequest.lower(field),
          node.size() + " tags",
          "Member must have at most " + max + " entries");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = KinesisRequest.unicode(e.getKey(), field);
      JsonNode v = e.getValue();
      if (!v.isNull() && !v.isTextual()) {
        throw new KinesisException(
            KinesisError.SerializationException,
            "Expected the values of " + field + " to be strings.");
      }
      String value = v.isNull() ? "" : KinesisRequest.unicode(v.textValue(), field);
      if (key.isEmpty() || key.length() > 128 || value.length() > 256) {
        throw KinesisException.invalid(
            "Tag keys must be 1 to 128 characters and values at most 256 characters: " + key);
      }
      checkTagCharacters(key);
      checkTagCharacters(value);
      tags.put(key, value);
    }
    return tags;
  }

  /**
   * Refuses a tag key or value with a character Kinesis does not take, a tab, a newline or a
   * semicolon say. The colon passes: AWS puts it in its own tags (aws:cloudformation:stack-name)
   * and Sluice in its {@code sluice:} ones.
   */
  private static String checkTagCharacters(String s) {
    if (!TAG_CHARACTERS.matcher(s).matches()) {
      throw KinesisException.invalid(
          "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white"
              + " space, _ . / = + - % @.");
    }
    return s;
  }

  static CompletionStage<ObjectNode> done(ObjectNode body) {
    return CompletableFuture.completedFuture(body);
  }

  static CompletionStage<ObjectNode> empty(CompletableFuture<Void> change) {
    return change.thenApply(v -> KinesisRequest.newObject());
  }
}
