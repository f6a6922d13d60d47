package dev.sluice.bench.kinesis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/** The stream a load run writes to and reads from: created fresh, deleted at the end. */
public final class BenchStream {

  private static final Duration ACTIVE_TIMEOUT = Duration.ofSeconds(60);
  private static final long CALL_TIMEOUT_SECONDS = 30;

  private final KinesisAsyncClient client;
  private final String name;
  private final List<String> shardIds;

  private BenchStream(KinesisAsyncClient client, String name, List<String> shardIds) {
    this.client = client;
    this.name = name;
    this.shardIds = shardIds;
  }

  /** Creates a stream with {@code shards} shards and waits until it is ACTIVE. */
  public static BenchStream create(KinesisAsyncClient client, String name, int shards) {
    await(client.createStream(r -> r.streamName(name).shardCount(shards)));
    long deadline = System.nanoTime() + ACTIVE_TIMEOUT.toNanos();
    while (true) {
      StreamStatus status =
          await(client.describeStreamSummary(r -> r.streamName(name)))
              .streamDescriptionSummary()
              .streamStatus();
      if (status == StreamStatus.ACTIVE) {
        break;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(name + " not ACTIVE within 60 s: " + status);
      }
      sleep(100);
    }
    List<String> ids =
        await(client.listShards(r -> r.streamName(name))).shards().stream()
            .map(Shard::shardId)
            .toList();
    return new BenchStream(client, name, ids);
  }

  public String name() {
    return name;
  }

  public List<String> shardIds() {
    return shardIds;
  }

  /** Deletes the stream; reports rather than throws a failure. */
  public void delete() {
    try {
      await(client.deleteStream(r -> r.streamName(name).enforceConsumerDeletion(true)));
    } catch (RuntimeException e) {
      System.err.println("could not delete stream " + name + ": " + e);
    }
  }

  /** Waits for an SDK call, bounded; unwraps its failure. */
  public static <T> T await(java.util.concurrent.CompletableFuture<T> call) {
    try {
      return call.get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e);
    } catch (TimeoutException e) {
      call.cancel(true);
      throw new IllegalStateException("call timed out after " + CALL_TIMEOUT_SECONDS + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
