package dev.sluice.stream;

import dev.sluice.log.AppendResult;
import dev.sluice.log.LogBusyException;
import dev.sluice.log.LogEngine;
import dev.sluice.log.NewRecord;
import dev.sluice.log.ShardNotFoundException;
import dev.sluice.log.ShardRef;
import dev.sluice.log.ShardSealedException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Writes records to streams: routes each record to the open shard that owns its hash key, appends
 * each shard's records as one durable batch, and answers per record. A shard sealed by a reshard
 * between routing and appending makes the records route again once the catalog shows the children.
 */
public final class StreamAppender {

  private static final Logger LOG = Logger.getLogger(StreamAppender.class);
  private static final int MAX_REROUTES = 100;
  private static final Executor REROUTE_DELAY =
      CompletableFuture.delayedExecutor(10, TimeUnit.MILLISECONDS);

  private final StreamCatalog catalog;
  private final LogEngine engine;

  /** Appends through {@code engine} to the streams of {@code catalog}. */
  public StreamAppender(StreamCatalog catalog, LogEngine engine) {
    this.catalog = catalog;
    this.engine = engine;
  }

  /**
   * A record to write.
   *
   * @param partitionKey the producer's partition key
   * @param hashKey the explicit hash key, or the partition key's MD5
   * @param data the payload
   */
  public record Entry(String partitionKey, BigInteger hashKey, byte[] data) {}

  /**
   * What became of one record: written (shard and sequence number) or failed (error code and
   * message, as PutRecords reports them).
   *
   * @param shardId the shard it was written to, or null
   * @param sequenceNumber its sequence number, or null
   * @param errorCode null when written, else a PutRecords error code
   * @param errorMessage null when written, else why not
   */
  /** The error code of a record refused because its shard's writes are backed up. */
  public static final String THROUGHPUT_EXCEEDED = "ProvisionedThroughputExceededException";

  public record Outcome(
      String shardId, String sequenceNumber, String errorCode, String errorMessage) {

    /** True when the record was written. */
    public boolean ok() {
      return errorCode == null;
    }
  }

  /**
   * Appends {@code entries} to {@code stream}; the future holds one outcome per entry, in order.
   * Fails with a {@link StreamException} (NOT_FOUND) when the stream takes no records.
   */
  public CompletableFuture<List<Outcome>> append(String stream, List<Entry> entries) {
    Outcome[] outcomes = new Outcome[entries.size()];
    int[] all = new int[entries.size()];
    Arrays.setAll(all, i -> i);
    CompletableFuture<Void> done;
    try {
      done = appendSome(stream, entries, all, outcomes, 0);
    } catch (RuntimeException e) {
      // routing throws when the stream is gone: callers (a mapping's OnFailure send on an event
      // loop) handle a failed future, and an exception thrown at them escaped their callbacks
      return CompletableFuture.failedFuture(e);
    }
    return done.thenApply(v -> Arrays.asList(outcomes));
  }

  private CompletableFuture<Void> appendSome(
      String stream, List<Entry> entries, int[] indexes, Outcome[] outcomes, int attempt) {
    ShardRouter router = catalog.router(stream);
    Map<Shard, List<Integer>> byShard = new LinkedHashMap<>();
    for (int i : indexes) {
      Shard shard = router.routeOrFail(stream, entries.get(i).hashKey());
      byShard.computeIfAbsent(shard, s -> new ArrayList<>()).add(i);
    }
    List<CompletableFuture<Void>> parts = new ArrayList<>();
    for (Map.Entry<Shard, List<Integer>> e : byShard.entrySet()) {
      parts.add(
          appendToShard(
              new Target(stream, router.generation(), e.getKey()),
              e.getValue(),
              entries,
              outcomes,
              attempt));
    }
    return CompletableFuture.allOf(parts.toArray(new CompletableFuture[0]));
  }

  /** Where a group of records goes: a shard of the stream created at {@code generation}. */
  private record Target(String stream, long generation, Shard shard) {}

  private CompletableFuture<Void> appendToShard(
      Target to, List<Integer> indexes, List<Entry> entries, Outcome[] outcomes, int attempt) {
    List<NewRecord> records = new ArrayList<>(indexes.size());
    for (int i : indexes) {
      records.add(new NewRecord(entries.get(i).partitionKey(), entries.get(i).data()));
    }
    ShardRef ref = new ShardRef(to.stream(), to.shard().id());
    return engine
        .append(ref, records)
        .handle(
            (result, error) -> {
              if (error == null) {
                record(to, result, indexes, outcomes);
                catalog.watch().changed(ref);
                return CompletableFuture.<Void>completedFuture(null);
              }
              return retryOrFail(to, indexes, entries, outcomes, attempt, error);
            })
        .thenCompose(f -> f);
  }

  private CompletableFuture<Void> retryOrFail(
      Target to,
      List<Integer> indexes,
      List<Entry> entries,
      Outcome[] outcomes,
      int attempt,
      Throwable error) {
    String stream = to.stream();
    Shard shard = to.shard();
    Throwable cause = error instanceof CompletionException ? error.getCause() : error;
    if (cause instanceof ShardSealedException && attempt < MAX_REROUTES) {
      int[] again = indexes.stream().mapToInt(Integer::intValue).toArray();
      return CompletableFuture.supplyAsync(() -> null, REROUTE_DELAY)
          .thenCompose(v -> appendSome(stream, entries, again, outcomes, attempt + 1));
    }
    if (cause instanceof LogBusyException || cause instanceof ShardSealedException) {
      // Kinesis's answer to a shard written faster than it takes: clients back off and retry.
      // Also for a shard still sealed after the reroutes: another node closed it, and this one
      // has not applied the change yet, so the children are not known here
      for (int i : indexes) {
        outcomes[i] =
            new Outcome(
                null,
                null,
                THROUGHPUT_EXCEEDED,
                "Rate exceeded for shard " + shard.id() + " in stream " + stream + ".");
      }
      return CompletableFuture.completedFuture(null);
    }
    if (cause instanceof ShardNotFoundException) {
      // the stream was deleted since the routing (through another node, say): Kinesis answers
      // the whole call so, and a client retrying an InternalFailure would retry for ever
      return CompletableFuture.failedFuture(
          StreamException.notFound("Stream " + stream + " not found."));
    }
    LOG.warnf(cause, "Append to %s/%s failed", stream, shard.id());
    for (int i : indexes) {
      outcomes[i] = new Outcome(null, null, "InternalFailure", "Internal service failure.");
    }
    return CompletableFuture.completedFuture(null);
  }

  private static void record(
      Target to, AppendResult result, List<Integer> indexes, Outcome[] outcomes) {
    for (int k = 0; k < indexes.size(); k++) {
      String seq = to.shard().sequenceNumber(to.generation(), result.offsetOf(k));
      outcomes[indexes.get(k)] = new Outcome(to.shard().id(), seq, null, null);
    }
  }
}
