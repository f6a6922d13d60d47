package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.cli.client.SluiceClient;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One shard iterator per readable shard, visited round-robin. A closed shard hands over to its
 * children only once all of the child's parents are read to the end, so each key's records print in
 * order across a reshard, as a Kinesis consumer must.
 */
final class ShardCursors {

  record Poll(String shardId, List<JsonNode> records, boolean idleRound) {}

  private final SluiceClient client;
  private final String stream;
  private final Map<String, List<String>> parents = new HashMap<>();
  private final Set<String> finished = new HashSet<>();
  private final Set<String> started = new HashSet<>();
  private final Deque<String[]> cursors = new ArrayDeque<>();
  private int quietInRound;

  private ShardCursors(SluiceClient client, String stream) {
    this.client = client;
    this.stream = stream;
  }

  /** Cursors at the start of the stream's lineage, or at the tip of its open shards. */
  static ShardCursors open(SluiceClient client, String stream, boolean trimHorizon) {
    ShardCursors c = new ShardCursors(client, stream);
    List<JsonNode> shards = c.listShards();
    Set<String> known = new HashSet<>();
    shards.forEach(s -> known.add(s.path("ShardId").asText()));
    for (JsonNode s : shards) {
      String id = s.path("ShardId").asText();
      List<String> ps = new ArrayList<>();
      for (String p : List.of("ParentShardId", "AdjacentParentShardId")) {
        if (s.hasNonNull(p) && known.contains(s.get(p).asText())) {
          ps.add(s.get(p).asText());
        }
      }
      c.parents.put(id, ps);
      boolean open = !s.path("SequenceNumberRange").hasNonNull("EndingSequenceNumber");
      if (trimHorizon ? ps.isEmpty() : open) {
        c.start(id, trimHorizon ? "TRIM_HORIZON" : "LATEST");
      }
    }
    return c;
  }

  /** Reads the next shard in turn; {@code idleRound} is true after a full round with nothing. */
  Poll poll() {
    if (cursors.isEmpty()) {
      return new Poll("", List.of(), true);
    }
    String[] cursor = cursors.pollFirst();
    JsonNode r =
        client.kinesis(
            "GetRecords", SluiceClient.object().put("ShardIterator", cursor[1]).put("Limit", 1000));
    List<JsonNode> records = new ArrayList<>();
    r.path("Records").forEach(records::add);
    String next = r.path("NextShardIterator").asText(null);
    if (next == null || r.path("NextShardIterator").isNull()) {
      finish(cursor[0], r.path("ChildShards"));
    } else {
      cursors.addLast(new String[] {cursor[0], next});
    }
    boolean caughtUp = records.isEmpty() && r.path("MillisBehindLatest").asLong(0) == 0;
    quietInRound = caughtUp ? quietInRound + 1 : 0;
    boolean idle = quietInRound >= Math.max(1, cursors.size());
    if (idle) {
      quietInRound = 0;
    }
    return new Poll(cursor[0], records, idle);
  }

  private void finish(String shardId, JsonNode children) {
    finished.add(shardId);
    for (JsonNode child : children) {
      String id = child.path("ShardId").asText();
      List<String> ps = new ArrayList<>();
      child.path("ParentShards").forEach(p -> ps.add(p.asText()));
      parents.putIfAbsent(id, ps);
    }
    for (Map.Entry<String, List<String>> e : parents.entrySet()) {
      if (!started.contains(e.getKey())
          && !e.getValue().isEmpty()
          && finished.containsAll(e.getValue())) {
        start(e.getKey(), "TRIM_HORIZON");
      }
    }
  }

  private void start(String shardId, String type) {
    started.add(shardId);
    ObjectNode body = SluiceClient.object().put("StreamName", stream);
    body.put("ShardId", shardId).put("ShardIteratorType", type);
    String it = client.kinesis("GetShardIterator", body).path("ShardIterator").asText();
    cursors.addLast(new String[] {shardId, it});
  }

  private List<JsonNode> listShards() {
    List<JsonNode> out = new ArrayList<>();
    ObjectNode body = SluiceClient.object().put("StreamName", stream);
    while (true) {
      JsonNode r = client.kinesis("ListShards", body);
      r.path("Shards").forEach(out::add);
      if (!r.hasNonNull("NextToken")) {
        return out;
      }
      body = SluiceClient.object().put("NextToken", r.get("NextToken").asText());
    }
  }
}
