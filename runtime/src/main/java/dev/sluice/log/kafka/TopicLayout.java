package dev.sluice.log.kafka;

import dev.sluice.log.LogException;
import dev.sluice.log.ShardRef;
import org.apache.kafka.common.TopicPartition;

/**
 * Where a shard lives in Kafka: stream {@code s} is topic {@code <prefix>s}, and shard {@code
 * shardId-N} is partition N of it. Shard ids must have the Kinesis form; their ordinals are dense
 * within a stream (children take the next numbers), so a stream's partitions are 0..max ordinal.
 */
final class TopicLayout {

  private static final String SHARD_PREFIX = "shardId-";
  private static final int MAX_TOPIC_LENGTH = 249;

  private final String prefix;

  TopicLayout(String prefix) {
    this.prefix = prefix;
  }

  String topic(String stream) {
    String topic = prefix + stream;
    if (topic.length() > MAX_TOPIC_LENGTH) {
      throw new LogException("topic name too long for stream " + stream);
    }
    return topic;
  }

  TopicPartition partition(ShardRef shard) {
    return new TopicPartition(topic(shard.stream()), ordinal(shard));
  }

  /** True when the topic is one of this layout's streams. */
  boolean owns(String topic) {
    return topic.startsWith(prefix) && topic.length() > prefix.length();
  }

  /** The stream a topic holds; only for topics this layout {@link #owns}. */
  String stream(String topic) {
    return topic.substring(prefix.length());
  }

  static ShardRef shard(String stream, int partition) {
    return new ShardRef(stream, String.format("shardId-%012d", partition));
  }

  /** The partition number of a shard: the number in its id. */
  static int ordinal(ShardRef shard) {
    String id = shard.shard();
    if (!id.startsWith(SHARD_PREFIX) || id.length() == SHARD_PREFIX.length()) {
      throw new LogException("shard id " + id + " has no ordinal; Kafka storage needs shardId-N");
    }
    try {
      int n = Integer.parseInt(id.substring(SHARD_PREFIX.length()));
      if (n < 0) {
        throw new NumberFormatException(id);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new LogException("shard id " + id + " has no ordinal; Kafka storage needs shardId-N");
    }
  }
}
