package dev.sluice.log.kafka;

import dev.sluice.log.LogException;
import dev.sluice.log.LogRecord;
import dev.sluice.log.ReadResult;
import dev.sluice.log.ShardOffsets;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Reads one partition at a time with a consumer of its own ({@code assign} and {@code seek}, no
 * group). Not thread-safe: each reader thread has one. Reads stay below the end offset cached when
 * they start, which only acknowledged appends and refreshed end offsets (the high watermark) move:
 * both are replicated, hence visible.
 */
final class PartitionReader implements AutoCloseable {

  private static final Duration POLL = Duration.ofMillis(100);
  private static final long READ_TIMEOUT_NANOS = Duration.ofSeconds(10).toNanos();

  private final KafkaConsumer<byte[], byte[]> consumer;

  PartitionReader(KafkaConsumer<byte[], byte[]> consumer) {
    this.consumer = consumer;
  }

  ReadResult read(ShardState shard, long fromOffset, int maxRecords, long maxBytes) {
    ShardOffsets o = shard.offsets();
    long next = Math.max(fromOffset, o.startOffset());
    List<LogRecord> out = new ArrayList<>();
    if (next < o.endOffset() && maxRecords > 0) {
      next = fetch(shard.partition, next, o.endOffset(), out, maxRecords, maxBytes);
    }
    return new ReadResult(out, next, o.endOffset(), o.lastArrivalMillis());
  }

  /** Polls until the budget is used or the end is reached; returns the next offset to read. */
  private long fetch(
      TopicPartition tp, long from, long end, List<LogRecord> out, int maxRecords, long maxBytes) {
    consumer.assign(List.of(tp));
    consumer.seek(tp, from);
    long next = from;
    long bytes = 0;
    long deadline = System.nanoTime() + READ_TIMEOUT_NANOS;
    while (next < end) {
      if (System.nanoTime() > deadline) {
        if (out.isEmpty()) {
          throw new LogException("no records fetched from " + tp + " at offset " + from);
        }
        return next; // a partial page is still progress
      }
      List<ConsumerRecord<byte[], byte[]>> batch = consumer.poll(POLL).records(tp);
      if (batch.isEmpty()) {
        next = Math.max(next, Math.min(position(tp, next), end));
      }
      for (ConsumerRecord<byte[], byte[]> r : batch) {
        if (r.offset() < next || r.offset() >= end) {
          continue;
        }
        LogRecord rec = toLogRecord(r);
        if (!out.isEmpty() && bytes + rec.size() > maxBytes) {
          return next;
        }
        out.add(rec);
        bytes += rec.size();
        next = r.offset() + 1;
        if (out.size() >= maxRecords) {
          return next;
        }
      }
    }
    return next;
  }

  /**
   * Where the consumer stands: past {@code next} when records were deleted under the read (a trim)
   * and it reset to the new start. Looking the start up may take longer than a poll on a busy
   * broker; the read then polls again rather than failing.
   */
  private long position(TopicPartition tp, long next) {
    try {
      return consumer.position(tp, POLL);
    } catch (TimeoutException e) {
      return next;
    }
  }

  private static LogRecord toLogRecord(ConsumerRecord<byte[], byte[]> r) {
    String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
    byte[] data = r.value() == null ? new byte[0] : r.value();
    return new LogRecord(r.offset(), r.timestamp(), key, data);
  }

  /** The first offset at or after the time, or the cached end offset when there is none. */
  long offsetForTimestamp(ShardState shard, long timestampMillis) {
    ShardOffsets o = shard.offsets();
    // bounded as a read is: the consumer's default (a minute) held this reader thread that long
    Map<TopicPartition, OffsetAndTimestamp> found =
        consumer.offsetsForTimes(
            Map.of(shard.partition, Math.max(0, timestampMillis)),
            Duration.ofNanos(READ_TIMEOUT_NANOS));
    OffsetAndTimestamp hit = found.get(shard.partition);
    if (hit == null) {
      return o.endOffset();
    }
    return Math.min(Math.max(hit.offset(), o.startOffset()), o.endOffset());
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
