package dev.sluice.kinesis;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.stream.Arns;
import dev.sluice.stream.Shard;
import dev.sluice.stream.StreamMeta;

/** Kinesis's response shapes for shards and streams. */
final class Json {

  private Json() {}

  /**
   * A shard of the stream created at {@code streamCreatedMillis}, as DescribeStream and ListShards
   * show it.
   */
  static ObjectNode shard(Shard s, long streamCreatedMillis) {
    ObjectNode n = KinesisRequest.newObject();
    n.put("ShardId", s.id());
    if (s.parent() != null) {
      n.put("ParentShardId", s.parent());
    }
    if (s.adjacentParent() != null) {
      n.put("AdjacentParentShardId", s.adjacentParent());
    }
    n.set("HashKeyRange", hashKeyRange(s));
    ObjectNode seq = n.putObject("SequenceNumberRange");
    seq.put("StartingSequenceNumber", s.startingSequenceNumber(streamCreatedMillis));
    // not while the end may still grow (a reshard's grace with shared storage): Kinesis never
    // moves a shown EndingSequenceNumber, and readers stop there
    if (s.isClosedForGood()) {
      seq.put("EndingSequenceNumber", s.endingSequenceNumber(streamCreatedMillis));
    }
    return n;
  }

  static ObjectNode hashKeyRange(Shard s) {
    ObjectNode r = KinesisRequest.newObject();
    r.put("StartingHashKey", s.range().start().toString());
    r.put("EndingHashKey", s.range().end().toString());
    return r;
  }

  static ObjectNode childShard(Shard child) {
    ObjectNode n = KinesisRequest.newObject();
    n.put("ShardId", child.id());
    ArrayNode parents = n.putArray("ParentShards");
    parents.add(child.parent());
    if (child.adjacentParent() != null) {
      parents.add(child.adjacentParent());
    }
    n.set("HashKeyRange", hashKeyRange(child));
    return n;
  }

  static ObjectNode mode(StreamMeta m) {
    ObjectNode n = KinesisRequest.newObject();
    n.put("StreamMode", m.mode().name());
    return n;
  }

  /** The members DescribeStream and DescribeStreamSummary share. */
  static ObjectNode streamBasics(StreamMeta m, Arns arns, Wire wire) {
    ObjectNode n = KinesisRequest.newObject();
    n.put("StreamName", m.name());
    n.put("StreamARN", arns.stream(m.name()));
    n.put("StreamStatus", m.status().name());
    n.set("StreamModeDetails", mode(m));
    n.put("RetentionPeriodHours", m.retentionHours());
    n.set("StreamCreationTimestamp", wire.timestamp(m.createdMillis()));
    n.putArray("EnhancedMonitoring").addObject().putArray("ShardLevelMetrics");
    n.put("EncryptionType", "NONE");
    return n;
  }
}
