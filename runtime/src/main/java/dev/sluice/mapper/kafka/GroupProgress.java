package dev.sluice.mapper.kafka;

import dev.sluice.mapper.GroupPosition;
import dev.sluice.mapper.MappingConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * A Kafka mapping's progress over its whole consumer group: each partition's committed offset and
 * lag, whichever node reads it, from the source cluster's admin API. With several nodes a node
 * knows the lag of the partitions it reads only; Lambda's OffsetLag is the mapping's. Asked by the
 * status view (a request thread, never the poll thread), at most once a second per mapping; the
 * admin client is made on the first ask and kept until the runner stops.
 */
final class GroupProgress {

  private static final Logger LOG = Logger.getLogger(GroupProgress.class);
  private static final int TIMEOUT_MILLIS = 5_000;
  private static final long FRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final MappingConfig config;
  private Admin admin;
  private boolean closed;
  private Map<String, GroupPosition> last = Map.of();
  private long lastAskedNanos;

  GroupProgress(MappingConfig config) {
    this.config = config;
  }

  /**
   * Partition ({@code topic-N}) → the group's position in it, for the partitions the group has
   * committed an offset for; empty when the cluster does not answer within 5 s. Blocking.
   */
  synchronized Map<String, GroupPosition> positions() {
    long now = System.nanoTime();
    if (closed || (lastAskedNanos != 0 && now - lastAskedNanos < FRESH_NANOS)) {
      return last;
    }
    lastAskedNanos = now;
    try {
      last = ask();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      last = Map.of();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      LOG.debugf("Mapping %s: the group's offsets are not known (%s)", config.uuid(), e);
      last = Map.of();
    }
    return last;
  }

  private Map<String, GroupPosition> ask()
      throws InterruptedException, ExecutionException, TimeoutException {
    if (admin == null) {
      admin = Admin.create(settings());
    }
    String topic = config.kafka().topic();
    Map<TopicPartition, OffsetAndMetadata> committed =
        admin
            .listConsumerGroupOffsets(config.kafka().consumerGroupId())
            .partitionsToOffsetAndMetadata()
            .get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
    committed.forEach(
        (tp, o) -> {
          if (o != null && tp.topic().equals(topic)) {
            ends.put(tp, OffsetSpec.latest());
          }
        });
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> latest =
        ends.isEmpty()
            ? Map.of()
            : admin.listOffsets(ends).all().get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    Map<String, GroupPosition> out = new HashMap<>();
    latest.forEach(
        (tp, end) -> {
          long offset = committed.get(tp).offset();
          out.put(
              tp.topic() + "-" + tp.partition(),
              new GroupPosition(offset, Math.max(0, end.offset() - offset)));
        });
    return Map.copyOf(out);
  }

  private Properties settings() {
    Properties p = KafkaClientProps.of(config.kafka());
    p.put("client.id", "sluice-" + config.uuid() + "-progress");
    p.put("request.timeout.ms", String.valueOf(TIMEOUT_MILLIS));
    p.put("default.api.timeout.ms", String.valueOf(TIMEOUT_MILLIS));
    return p;
  }

  /** Closes the admin client; later asks answer nothing. */
  synchronized void close() {
    closed = true;
    last = Map.of();
    if (admin != null) {
      admin.close(java.time.Duration.ofSeconds(1));
      admin = null;
    }
  }
}
