package dev.sluice.log.kafka;

import dev.sluice.log.ShardRef;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The engine's threads: single-threaded writers (one per shard, by hash, so a shard's appends and
 * seals keep their order), one admin thread, and readers that each own a {@link PartitionReader}.
 */
final class EngineThreads {

  private static final Logger LOG = Logger.getLogger(EngineThreads.class);

  /** Work done with the calling reader thread's consumer. */
  @FunctionalInterface
  interface ReadAction<T> {
    T run(PartitionReader reader, ShardState shard);
  }

  /** How long closing waits for each pool's queued work. */
  private static final long CLOSE_SECONDS = 30;

  private final KafkaLogOptions options;
  private final ExecutorService[] writers;
  private final ExecutorService admin;
  private final ExecutorService readers;
  private final ScheduledExecutorService refresh;
  private final List<PartitionReader> readerClients = new ArrayList<>();
  private final ThreadLocal<PartitionReader> reader = new ThreadLocal<>();
  private final AtomicInteger readerIds = new AtomicInteger();

  EngineThreads(KafkaLogOptions options) {
    this.options = options;
    this.writers = new ExecutorService[options.writerThreads()];
    for (int i = 0; i < writers.length; i++) {
      writers[i] = Executors.newSingleThreadExecutor(named("sluice-kafka-writer-" + i, null));
    }
    this.admin = Executors.newSingleThreadExecutor(named("sluice-kafka-admin", null));
    this.readers =
        Executors.newFixedThreadPool(
            options.readerThreads(), named("sluice-kafka-reader-", new AtomicInteger()));
    this.refresh = Executors.newSingleThreadScheduledExecutor(named("sluice-kafka-refresh", null));
  }

  /**
   * Runs {@code task} once on the refresh thread after {@code delay}; fails with {@link
   * java.util.concurrent.RejectedExecutionException} once stopped.
   */
  void after(java.time.Duration delay, Runnable task) {
    refresh.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Runs {@code round} every {@code interval} on the refresh thread, rounds never overlapping. */
  void refreshEvery(java.time.Duration interval, Runnable round) {
    long millis = interval.toMillis();
    refresh.scheduleWithFixedDelay(round, millis, millis, TimeUnit.MILLISECONDS);
  }

  private static ThreadFactory named(String name, AtomicInteger counter) {
    return r -> {
      Thread t = new Thread(r, counter == null ? name : name + counter.getAndIncrement());
      t.setDaemon(true);
      return t;
    };
  }

  ExecutorService writer(ShardRef shard) {
    int h = shard.hashCode();
    return writers[Math.floorMod(h ^ (h >>> 16), writers.length)];
  }

  <T> CompletableFuture<T> onAdmin(Callable<T> action) {
    return submit(admin, action);
  }

  <T> CompletableFuture<T> onReader(java.util.function.Function<PartitionReader, T> action) {
    return submit(readers, () -> action.apply(readerClient()));
  }

  private PartitionReader readerClient() {
    PartitionReader r = reader.get();
    if (r == null) {
      String id = "sluice-kafka-reader-" + readerIds.getAndIncrement();
      r = new PartitionReader(KafkaClients.consumer(options, id));
      reader.set(r);
      synchronized (readerClients) {
        readerClients.add(r);
      }
    }
    return r;
  }

  private static <T> CompletableFuture<T> submit(ExecutorService pool, Callable<T> action) {
    CompletableFuture<T> f = new CompletableFuture<>();
    try {
      pool.execute(
          () -> {
            try {
              f.complete(action.call());
            } catch (Exception e) {
              f.completeExceptionally(KafkaLogEngine.wrap(e));
            }
          });
    } catch (RejectedExecutionException e) {
      f.completeExceptionally(KafkaLogEngine.closed());
    }
    return f;
  }

  /** Lets queued work finish, then closes the readers' consumers. */
  void stop() {
    refresh.shutdownNow(); // periodic: nothing queued is worth waiting for
    for (ExecutorService w : writers) {
      drain(w);
    }
    drain(admin);
    drain(readers);
    synchronized (readerClients) {
      readerClients.forEach(EngineThreads::closeQuietly);
      readerClients.clear();
    }
  }

  /**
   * A reader still busy past the drain (a long offsetsForTimes, say) makes its consumer refuse the
   * close from this thread: that must not skip the rest of the engine's close.
   */
  private static void closeQuietly(PartitionReader reader) {
    try {
      reader.close();
    } catch (RuntimeException e) {
      LOG.warnf(e, "A Kafka reader did not close cleanly");
    }
  }

  private static void drain(ExecutorService pool) {
    pool.shutdown();
    try {
      if (!pool.awaitTermination(CLOSE_SECONDS, TimeUnit.SECONDS)) {
        pool.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
