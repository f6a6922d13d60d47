package dev.sluice.kinesis;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.stream.Arns;
import dev.sluice.stream.HashKeys;
import dev.sluice.stream.Shard;
import dev.sluice.stream.StreamCatalog;
import dev.sluice.stream.StreamMeta;
import dev.sluice.stream.StreamStatus;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Shard listing and resharding: ListShards, SplitShard, MergeShards, UpdateShardCount. */
final class ShardOperations {

  private final StreamCatalog catalog;
  private final Arns arns;
  private final Tokens tokens;

  ShardOperations(StreamCatalog catalog, Arns arns, Tokens tokens) {
    this.catalog = catalog;
    this.arns = arns;
    this.tokens = tokens;
  }

  void register(Map<String, Operation> ops) {
    ops.put("ListShards", this::listShards);
    ops.put("SplitShard", this::splitShard);
    ops.put("MergeShards", this::mergeShards);
    ops.put("UpdateShardCount", this::updateShardCount);
  }

  /**
   * Whether a StreamCreationTimestamp names the stream created at {@code createdMillis}: to the
   * millisecond, or to the second as the AWS CLI and boto3 send it (whole seconds), though the
   * responses carry milliseconds.
   */
  static boolean sameCreation(long given, long createdMillis) {
    return given == createdMillis || given == createdMillis / 1000 * 1000;
  }

  private CompletionStage<ObjectNode> listShards(KinesisRequest r) {
    // AWS takes up to 10,000 and returns at most 1,000
    int max =
        Math.min(1000, r.integer("MaxResults", 1, 10_000, 1000, KinesisError.ValidationException));
    String token = r.nextToken();
    String streamName;
    String after;
    ShardFilterSpec spec;
    Long tokenCreated = null;
    if (token != null) {
      if (r.node("StreamName") != null || r.node("StreamARN") != null) {
        throw KinesisException.invalid("NextToken and StreamName cannot be provided together.");
      }
      if (r.node("ExclusiveStartShardId") != null
          || r.node("ShardFilter") != null
          || r.node("StreamCreationTimestamp") != null) {
        throw KinesisException.invalid(
            "NextToken and ExclusiveStartShardId, ShardFilter or StreamCreationTimestamp cannot be"
                + " provided together.");
      }
      String[] page = tokens.readShardPage(token);
      streamName = page[0];
      // the token carries the stream's creation time, so that it does not go on into another
      // stream of that name, and the filter: later pages list what the first one selected
      String[] generation = page[1].split(GENERATION_SEPARATOR, 2);
      tokenCreated = generation.length > 1 ? Long.valueOf(generation[0]) : null;
      String[] key = generation[generation.length - 1].split(SPEC_SEPARATOR, 2);
      after = key[0];
      spec = key.length > 1 ? ShardFilterSpec.decode(key[1]) : null;
    } else {
      streamName = r.streamName();
      after = r.shardId("ExclusiveStartShardId", false);
      spec = ShardFilterSpec.of(r);
    }
    Long created = token == null ? r.timestampMillis("StreamCreationTimestamp") : null;
    StreamMeta m = catalog.require(streamName);
    if (m.status() == StreamStatus.CREATING || m.status() == StreamStatus.DELETING) {
      // Kinesis lists shards of an ACTIVE or UPDATING stream only; the KCL waits on this answer,
      // where shards listed before their logs exist would read as ended (ResourceNotFound)
      throw new KinesisException(
          KinesisError.ResourceInUseException,
          "Stream " + streamName + " is " + m.status() + ", not ACTIVE.");
    }
    if (tokenCreated != null && tokenCreated != m.createdMillis()) {
      throw KinesisException.notFound(
          "Stream "
              + streamName
              + " was deleted and created again since this NextToken was issued.");
    }
    if (created != null && !sameCreation(created, m.createdMillis())) {
      // it tells apart streams that had the name one after the other: that one is gone
      throw KinesisException.notFound(
          "Stream " + streamName + " with creation timestamp " + created + " ms not found.");
    }
    Predicate<Shard> filter = spec == null ? s -> true : filter(spec, m);
    List<Shard> page = new ArrayList<>();
    boolean more = false;
    for (Shard s : m.shards()) {
      if ((after != null && s.id().compareTo(after) <= 0) || !filter.test(s)) {
        continue;
      }
      if (page.size() == max) {
        more = true;
        break;
      }
      page.add(s);
    }
    ObjectNode out = KinesisRequest.newObject();
    ArrayNode shards = out.putArray("Shards");
    page.forEach(s -> shards.add(Json.shard(s, m.createdMillis())));
    if (more) {
      String last = page.get(page.size() - 1).id();
      String key =
          m.createdMillis()
              + GENERATION_SEPARATOR
              + (spec == null ? last : last + SPEC_SEPARATOR + spec.encode());
      out.put("NextToken", tokens.shardPage(m.name(), key));
    }
    return StreamOperations.done(out);
  }

  private static final String SPEC_SEPARATOR = "\u0001";
  private static final String GENERATION_SEPARATOR = "\u0002";
  private static final Pattern SHARD_ID = Pattern.compile("[a-zA-Z0-9_.-]{1,128}");

  /** A ListShards ShardFilter, as the request gave it and a NextToken carries it on. */
  record ShardFilterSpec(String type, String shardId, Long timestampMillis) {

    /** The request's ShardFilter, checked; null when there is none. */
    static ShardFilterSpec of(KinesisRequest r) {
      ObjectNode f = r.object("ShardFilter");
      if (f == null) {
        return null;
      }
      String type = f.path("Type").asText("");
      String id =
          f.path("ShardId").isTextual()
              ? KinesisRequest.fullShardId(f.path("ShardId").asText())
              : f.path("ShardId").asText(null);
      // whatever the type: a page's NextToken carries it, and the model's shape holds for all
      if (id != null && !SHARD_ID.matcher(id).matches()) {
        throw KinesisException.validation(
            "shardFilter.shardId",
            id,
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length"
                + " between 1 and 128");
      }
      Long ts = null;
      switch (type) {
        case "AFTER_SHARD_ID" -> {
          if (id == null) {
            throw KinesisException.invalid("ShardFilter of type AFTER_SHARD_ID needs a ShardId.");
          }
        }
        case "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST" -> {}
        case "AT_TIMESTAMP", "FROM_TIMESTAMP" -> {
          if (f.get("Timestamp") == null || !f.get("Timestamp").isNumber()) {
            throw KinesisException.invalid("ShardFilter of type " + type + " needs a Timestamp.");
          }
          ts = r.wire().timestampMillis(f.get("Timestamp"));
        }
        default ->
            throw KinesisException.validation(
                "shardFilter.type",
                type,
                "Member must satisfy enum value set: [AFTER_SHARD_ID, AT_TRIM_HORIZON,"
                    + " FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP]");
      }
      return new ShardFilterSpec(type, id, ts);
    }

    String encode() {
      return type
          + "\u0000"
          + (shardId == null ? "" : shardId)
          + "\u0000"
          + (timestampMillis == null ? "" : timestampMillis);
    }

    static ShardFilterSpec decode(String text) {
      String[] p = text.split("\u0000", -1);
      return new ShardFilterSpec(
          p[0], p[1].isEmpty() ? null : p[1], p[2].isEmpty() ? null : Long.parseLong(p[2]));
    }
  }

  private static Predicate<Shard> filter(ShardFilterSpec f, StreamMeta m) {
    Set<String> ids = m.shards().stream().map(Shard::id).collect(Collectors.toSet());
    Predicate<Shard> root = s -> !ids.contains(s.parent()) && !ids.contains(s.adjacentParent());
    long ts = f.timestampMillis() == null ? 0 : f.timestampMillis();
    // at or after the timestamp, as Kinesis has it; a shard whose end another node may still
    // extend takes records yet, whatever its closing time says
    Predicate<Shard> openAfter = s -> !s.isClosedForGood() || s.closedMillis() >= ts;
    return switch (f.type()) {
      case "AFTER_SHARD_ID" -> s -> s.id().compareTo(f.shardId()) > 0;
      case "AT_TRIM_HORIZON" -> root;
      case "AT_LATEST" -> Shard::isOpen;
      case "FROM_TIMESTAMP" -> openAfter;
      case "AT_TIMESTAMP" -> openAfter.and(s -> s.createdMillis() <= ts || root.test(s));
      default -> s -> true; // FROM_TRIM_HORIZON
    };
  }

  private CompletionStage<ObjectNode> splitShard(KinesisRequest r) {
    String name = r.streamName();
    String shard = r.shardId("ShardToSplit", true);
    String key = r.requireString("NewStartingHashKey");
    if (!HashKeys.isDecimal(key)) {
      throw KinesisException.validation(
          "newStartingHashKey",
          key,
          "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})");
    }
    BigInteger start = HashKeys.parse(key);
    if (start == null) { // the pattern's 39 digits reach past 2^128 - 1
      throw KinesisException.invalid(
          "NewStartingHashKey " + key + " must be an integer in the range [0, 2^128-1].");
    }
    return StreamOperations.empty(catalog.split(name, shard, start));
  }

  private CompletionStage<ObjectNode> mergeShards(KinesisRequest r) {
    String name = r.streamName();
    String a = r.shardId("ShardToMerge", true);
    String b = r.shardId("AdjacentShardToMerge", true);
    return StreamOperations.empty(catalog.merge(name, a, b));
  }

  private CompletionStage<ObjectNode> updateShardCount(KinesisRequest r) {
    String name = r.streamName();
    Integer target = r.integer("TargetShardCount");
    if (target == null) {
      throw KinesisException.validation("targetShardCount", "null", "Member must not be null");
    }
    r.integer("TargetShardCount", 1, 10_000, 1, KinesisError.ValidationException);
    String scaling = r.requireString("ScalingType");
    if (!scaling.equals("UNIFORM_SCALING")) {
      throw KinesisException.validation(
          "scalingType", scaling, "Member must satisfy enum value set: [UNIFORM_SCALING]");
    }
    return catalog
        .updateShardCount(name, target)
        .thenApply(
            current -> {
              ObjectNode out = KinesisRequest.newObject();
              out.put("StreamName", name);
              out.put("StreamARN", arns.stream(name));
              out.put("CurrentShardCount", current);
              out.put("TargetShardCount", target);
              return out;
            });
  }
}
