package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.cli.client.ClientException;
import dev.sluice.cli.client.SluiceClient;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One shard iterator per readable shard, visited round-robin. A closed shard hands over to its
 * children only once all of the child's parents are read to the end, so each key's records print in
 * order across a reshard, as a Kinesis consumer must. An iterator that expired while the reader was
 * stopped (Ctrl-Z, a sleeping laptop) is renewed after the last record read from its shard.
 */
final class ShardCursors {

  record Poll(String shardId, List<JsonNode> records, boolean idleRound) {}

  /** How long a stream may stay CREATING before the tail gives up (a Kafka topic's creation). */
  private static final long CREATING_WAIT_NANOS = TimeUnit.MINUTES.toNanos(2);

  private static final long CREATING_POLL_MILLIS = 200;

  private final SluiceClient client;
  private final String stream;
  private final Map<String, List<String>> parents = new HashMap<>();
  private final Set<String> finished = new HashSet<>();
  private final Set<String> started = new HashSet<>();
  private final Deque<Cursor> cursors = new ArrayDeque<>();
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
    Cursor cursor = cursors.pollFirst();
    JsonNode r;
    try {
      r = getRecords(cursor);
    } catch (ClientException e) {
      if (!"ExpiredIteratorException".equals(e.type())) {
        throw e;
      }
      // Iterators live sluice.kinesis.iterator-ttl (5 min) on the server: a reader stopped longer
      // carries on from its last record rather than dying.
      cursor.iterator = renewed(cursor);
      r = getRecords(cursor);
    }
    List<JsonNode> records = new ArrayList<>();
    r.path("Records").forEach(records::add);
    if (!records.isEmpty()) {
      cursor.lastSequence = records.get(records.size() - 1).path("SequenceNumber").asText();
    }
    String next = r.path("NextShardIterator").asText(null);
    boolean ended = next == null || r.path("NextShardIterator").isNull();
    if (ended) {
      finish(cursor.shardId, r.path("ChildShards"));
    } else {
      cursor.iterator = next;
      cursors.addLast(cursor);
    }
    // a shard read to its end is progress, not quiet: its children are still to be read, and
    // counted against the smaller set of cursors it left, it ended the round before them
    boolean caughtUp = !ended && records.isEmpty() && r.path("MillisBehindLatest").asLong(0) == 0;
    quietInRound = caughtUp ? quietInRound + 1 : 0;
    boolean idle = quietInRound >= Math.max(1, cursors.size());
    if (idle) {
      quietInRound = 0;
    }
    return new Poll(cursor.shardId, records, idle);
  }

  private JsonNode getRecords(Cursor cursor) {
    return client.kinesis(
        "GetRecords",
        SluiceClient.object().put("ShardIterator", cursor.iterator).put("Limit", 1000));
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
    Cursor c = new Cursor(shardId, type, System.currentTimeMillis());
    ObjectNode body = SluiceClient.object().put("StreamName", stream).put("ShardId", shardId);
    c.iterator = iterator(body.put("ShardIteratorType", type));
    cursors.addLast(c);
  }

  /**
   * A new iterator just after the cursor's last record; if it read none, where it started: for a
   * LATEST start, the records that arrived since it opened (a LATEST iterator asked for now would
   * skip what was put during the pause).
   */
  private String renewed(Cursor c) {
    ObjectNode body = SluiceClient.object().put("StreamName", stream).put("ShardId", c.shardId);
    if (c.lastSequence == null && c.startType.equals("LATEST")) {
      body.put("ShardIteratorType", "AT_TIMESTAMP");
      body.put("Timestamp", c.openedMillis / 1000.0);
    } else if (c.lastSequence == null) {
      body.put("ShardIteratorType", c.startType);
    } else {
      body.put("ShardIteratorType", "AFTER_SEQUENCE_NUMBER");
      body.put("StartingSequenceNumber", c.lastSequence);
    }
    return iterator(body);
  }

  private String iterator(ObjectNode getShardIterator) {
    return client.kinesis("GetShardIterator", getShardIterator).path("ShardIterator").asText();
  }

  /** One shard's reading position. */
  private static final class Cursor {
    final String shardId;
    final String startType;
    String iterator;
    String lastSequence;

    /** When it was opened, by this machine's clock: where a LATEST start began. */
    final long openedMillis;

    Cursor(String shardId, String startType, long openedMillis) {
      this.shardId = shardId;
      this.startType = startType;
      this.openedMillis = openedMillis;
    }
  }

  /**
   * The stream's shards, once it is ACTIVE or UPDATING: Kinesis lists no shards while a stream is
   * CREATING, and a tail started right after a deploy or a {@code create-stream} waits for them, as
   * {@code aws kinesis wait stream-exists} does, rather than failing.
   */
  private List<JsonNode> listShards() {
    long deadline = System.nanoTime() + CREATING_WAIT_NANOS;
    while (true) {
      try {
        return listShardsOnce();
      } catch (ClientException e) {
        boolean creating =
            "ResourceInUseException".equals(e.type()) && e.getMessage().contains("CREATING");
        if (!creating || System.nanoTime() > deadline) {
          throw e;
        }
      }
      pause();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(CREATING_POLL_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted while the stream was CREATING");
    }
  }

  private List<JsonNode> listShardsOnce() {
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
