package dev.sluice.mapper;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * A mapping's progress over its whole consumer group: each partition's committed offset and lag,
 * whichever node reads it, from the cluster's admin API. With several nodes a node knows the lag of
 * the partitions it reads only. For a SelfManagedKafka mapping the group is the user's, on the
 * source cluster, and Lambda's OffsetLag is the mapping's; for a stream's mapping on Kafka storage
 * it is the mapping's own group, whose partitions are the stream's shards.
 *
 * <p>Asked by the status view, on request threads. The admin client's calls run in its own thread:
 * a request starts an ask when the last answer is over a second old and none is under way, waits
 * for it {@link #WAIT_MILLIS} at most, and answers with the latest known positions. So a cluster
 * that does not answer slows a status request by that much, not by the calls' 5 s timeouts, and
 * stopping the runner never waits for an ask. The admin client is made on the first ask and kept
 * until the runner stops.
 */
public final class GroupProgress {

  private static final Logger LOG = Logger.getLogger(GroupProgress.class);

  /** The bound of the admin client's calls, for its settings. */
  public static final int TIMEOUT_MILLIS = 5_000;

  private static final long WAIT_MILLIS = 500;
  private static final long FRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final String uuid;
  private final Supplier<Admin> admins;
  private final String group;
  private final String topic;
  private final IntFunction<String> name;
  private final Predicate<OffsetAndMetadata> counts;
  private volatile boolean closed;
  private volatile Map<String, GroupPosition> last = Map.of();

  /** When the last ask ended (System.nanoTime), 0 before any; guarded by this. */
  private long answeredNanos;

  private CompletableFuture<Void> asking;
  private Admin admin;

  /**
   * The progress of consumer {@code group} in {@code topic} ({@code uuid} names the mapping in log
   * lines), asked through an admin client {@code admins} makes on the first ask (its calls should
   * time out within {@link #TIMEOUT_MILLIS}), naming partition N {@code name.apply(N)} and leaving
   * out the partitions whose committed offset {@code counts} rejects.
   */
  public GroupProgress(
      String uuid,
      Supplier<Admin> admins,
      String group,
      String topic,
      IntFunction<String> name,
      Predicate<OffsetAndMetadata> counts) {
    this.uuid = uuid;
    this.admins = admins;
    this.group = group;
    this.topic = topic;
    this.name = name;
    this.counts = counts;
  }

  /**
   * Partition (by its name) → the group's position in it, for the partitions the group has
   * committed an offset for; empty when the cluster did not answer. Blocks half a second at most.
   */
  public Map<String, GroupPosition> positions() {
    CompletableFuture<Void> ask = askIfStale();
    if (ask != null) {
      try {
        ask.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        // the latest known positions answer meanwhile
      }
    }
    return closed ? Map.of() : last;
  }

  /**
   * The ask under way, or a new one when the last answer is stale; null when none is to wait for.
   */
  private synchronized CompletableFuture<Void> askIfStale() {
    if (closed) {
      return null;
    }
    if (asking != null && !asking.isDone()) {
      return asking;
    }
    if (answeredNanos != 0 && System.nanoTime() - answeredNanos < FRESH_NANOS) {
      return null;
    }
    try {
      if (admin == null) {
        admin = admins.get(); // makes no call yet: reads the secrets, if any
      }
      asking = ask(admin).handle(this::answered);
    } catch (RuntimeException e) {
      answered(null, e);
      return null;
    }
    return asking;
  }

  private synchronized Void answered(Map<String, GroupPosition> positions, Throwable e) {
    answeredNanos = System.nanoTime();
    if (e != null) {
      LOG.debugf("Mapping %s: the group's offsets are not known (%s)", uuid, e);
    }
    last = e == null ? positions : Map.of();
    return null;
  }

  private CompletableFuture<Map<String, GroupPosition>> ask(Admin admin) {
    return admin
        .listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata()
        .toCompletionStage()
        .thenCompose(
            committed -> {
              Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
              committed.forEach(
                  (tp, o) -> {
                    if (o != null && tp.topic().equals(topic) && counts.test(o)) {
                      ends.put(tp, OffsetSpec.latest());
                    }
                  });
              CompletionStage<Map<TopicPartition, ListOffsetsResultInfo>> latest =
                  ends.isEmpty()
                      ? CompletableFuture.completedFuture(Map.of())
                      : admin.listOffsets(ends).all().toCompletionStage();
              return latest.thenCombine(hosts(admin), (l, hosts) -> positions(committed, l, hosts));
            })
        .toCompletableFuture();
  }

  /** Partition → the host of the member that holds it, as the group's coordinator tells. */
  private CompletionStage<Map<TopicPartition, String>> hosts(Admin admin) {
    return admin
        .describeConsumerGroups(List.of(group))
        .all()
        .toCompletionStage()
        .thenApply(
            groups -> {
              Map<TopicPartition, String> out = new HashMap<>();
              ConsumerGroupDescription g = groups.get(group);
              if (g != null) {
                for (MemberDescription m : g.members()) {
                  m.assignment().topicPartitions().forEach(tp -> out.put(tp, m.host()));
                }
              }
              return out;
            });
  }

  private Map<String, GroupPosition> positions(
      Map<TopicPartition, OffsetAndMetadata> committed,
      Map<TopicPartition, ListOffsetsResultInfo> latest,
      Map<TopicPartition, String> hosts) {
    Map<String, GroupPosition> out = new HashMap<>();
    latest.forEach(
        (tp, end) -> {
          long offset = committed.get(tp).offset();
          out.put(
              name.apply(tp.partition()),
              new GroupPosition(offset, Math.max(0, end.offset() - offset), hosts.get(tp)));
        });
    return Map.copyOf(out);
  }

  /** Closes the admin client without waiting for an ask under way; later asks answer nothing. */
  public void close() {
    closed = true;
    Admin a;
    synchronized (this) {
      a = admin;
      admin = null;
    }
    if (a != null) {
      a.close(Duration.ZERO);
    }
  }
}
