package dev.sluice.log.kafka;

import dev.sluice.log.AppendResult;
import dev.sluice.log.LogBusyException;
import dev.sluice.log.LogException;
import dev.sluice.log.LogListener;
import dev.sluice.log.NewRecord;
import dev.sluice.log.ShardNotFoundException;
import dev.sluice.log.ShardSealedException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Hands one append to the producer, on the shard's writer thread, and completes its future when
 * every record is acknowledged. The records go out back to back so they normally share one batch,
 * hence one broker timestamp and consecutive offsets; an append larger than a batch may get a few
 * timestamps, never decreasing, and other nodes' records between its batches. An append that fails
 * may still have stored some of its records (as a failed Kinesis put may): the producer cannot take
 * back what a broker already has.
 */
final class AppendSend {

  private final KafkaProducer<byte[], byte[]> producer;
  private final LogListener listener;
  private final WriteFence fence;

  AppendSend(KafkaProducer<byte[], byte[]> producer, LogListener listener, WriteFence fence) {
    this.producer = producer;
    this.listener = listener;
    this.fence = fence;
  }

  void send(ShardState shard, List<NewRecord> records, CompletableFuture<AppendResult> result) {
    // in this order: a change read before the view counts as current fenced the shard already
    long sent = fence.now();
    String stale = fence.refusal();
    if (shard.refusesAppends()) {
      result.completeExceptionally(new ShardSealedException(shard.ref));
      return;
    }
    if (shard.isDeleted()) {
      // a stream deleted through another node: the caller answers ResourceNotFound
      result.completeExceptionally(new ShardNotFoundException(shard.ref, "it was deleted"));
      return;
    }
    if (stale != null) {
      result.completeExceptionally(new LogBusyException("shard " + shard.ref + ": " + stale));
      return;
    }
    // read before the first send: once it is out, other nodes' appends after it (or this node's
    // reads of the broker's end) may move the known end past this append's first offset
    long end = shard.offsets().endOffset();
    @SuppressWarnings("unchecked")
    CompletableFuture<RecordMetadata>[] acks = new CompletableFuture[records.size()];
    long bytes = 0;
    try {
      for (int i = 0; i < acks.length; i++) {
        acks[i] = sendOne(shard, records.get(i));
        bytes += records.get(i).size();
        if (acks[i].isCompletedExceptionally()) {
          // refused at once (no metadata in time, say): the rest would wait as long each
          for (int j = i + 1; j < acks.length; j++) {
            acks[j] = acks[i];
          }
          break;
        }
      }
    } catch (RuntimeException e) {
      // e.g. metadata not available in time: nothing more is sent for this append
      result.completeExceptionally(new LogException("append to " + shard.ref + " failed", e));
      return;
    }
    long size = bytes;
    CompletableFuture<Void> all = CompletableFuture.allOf(acks);
    shard.tail = all;
    all.whenComplete((v, e) -> complete(shard, acks, new Sent(size, sent, end), e, result));
  }

  private CompletableFuture<RecordMetadata> sendOne(ShardState shard, NewRecord r) {
    CompletableFuture<RecordMetadata> ack = new CompletableFuture<>();
    byte[] key = r.partitionKey().getBytes(StandardCharsets.UTF_8);
    var record =
        new ProducerRecord<>(shard.partition.topic(), shard.partition.partition(), key, r.data());
    producer.send(
        record,
        (md, e) -> {
          if (e != null) {
            ack.completeExceptionally(e);
          } else {
            ack.complete(md);
          }
        });
    return ack;
  }

  /**
   * What an append was sent with: its size, the fence's time and the shard's end as this node knew
   * it then.
   */
  private record Sent(long bytes, long at, long knownEnd) {}

  private void complete(
      ShardState shard,
      CompletableFuture<RecordMetadata>[] acks,
      Sent sent,
      Throwable error,
      CompletableFuture<AppendResult> result) {
    if (error != null) {
      Throwable cause = error instanceof CompletionException c ? c.getCause() : error;
      result.completeExceptionally(
          cause instanceof org.apache.kafka.common.errors.TimeoutException
              ? new LogBusyException("append to " + shard.ref + " timed out: " + cause.getMessage())
              : new LogException("append to " + shard.ref + " failed", KafkaLogEngine.wrap(error)));
      return;
    }
    RecordMetadata first = acks[0].join();
    RecordMetadata last = acks[acks.length - 1].join();
    if (first.offset() < sent.knownEnd()) {
      // a partition's offsets never go back: this is another partition of the same name, which
      // a broker with auto.create.topics.enable made when the producer asked for the deleted one;
      // its offsets would be sequence numbers issued already. Every later append is refused too:
      // once its offsets passed the old end it would be acknowledged again.
      shard.markDeleted();
      result.completeExceptionally(
          new ShardNotFoundException(
              shard.ref,
              "it was deleted: its topic was made again by the broker's topic auto-creation"
                  + " (auto.create.topics.enable)"));
      return;
    }
    shard.appended(last.offset(), last.timestamp());
    try {
      listener.onAppend(shard.ref, acks.length, sent.bytes(), last.offset());
    } catch (RuntimeException ignored) {
      // listeners must not break appends
    }
    if (tooLate(shard, sent.at())) {
      result.completeExceptionally(
          new LogBusyException(
              "append to "
                  + shard.ref
                  + " was acknowledged too late to be sure it is inside the shard, should another"
                  + " node have sealed it meanwhile; it may be stored: try again"));
      return;
    }
    result.complete(
        new AppendResult(first.offset(), acks.length, first.timestamp(), offsets(acks)));
  }

  /**
   * Whether an append sent at {@code sent} was acknowledged too late to be sure it lies inside the
   * shard's end. Late by the fence's clock, it is still fine while this node's view is current now
   * and it knows of no seal of the shard: a seal published over half the grace ago would be known,
   * and a later one fixes the end more than half the grace from now.
   */
  private boolean tooLate(ShardState shard, long sent) {
    if (!fence.tooLate(sent)) {
      return false;
    }
    String stale = fence.refusal();
    return stale != null || shard.refusesAppends();
  }

  /**
   * Each record's offset, or null when they are consecutive: another node's records can land
   * between the producer batches of an append larger than one.
   */
  private static long[] offsets(CompletableFuture<RecordMetadata>[] acks) {
    long first = acks[0].join().offset();
    if (acks[acks.length - 1].join().offset() - first == acks.length - 1) {
      return null; // offsets never decrease within an append, so the ends tell
    }
    long[] out = new long[acks.length];
    for (int i = 0; i < acks.length; i++) {
      out[i] = acks[i].join().offset();
    }
    return out;
  }
}
