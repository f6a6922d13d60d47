package dev.sluice.mapper.kafka;

import dev.sluice.mapper.KafkaSource;
import dev.sluice.mapper.SourceStats;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.jboss.logging.Logger;

/**
 * Learns a source topic's {@code retention.ms} (unless it is only compacted), so that a partition
 * whose oldest record not done is past half of it counts as stuck (its records are about to be
 * deleted unread), as a shard does against its stream's retention. Asked once per runner start, on
 * a thread of its own: the poll loop must not wait for it, and a principal without DESCRIBE_CONFIGS
 * only loses the check.
 */
final class TopicRetention {

  private static final Logger LOG = Logger.getLogger(TopicRetention.class);
  private static final int TIMEOUT_MILLIS = 10_000;

  private TopicRetention() {}

  /** Looks the retention of {@code source}'s topic up and hands it to {@code stats}. */
  static void lookUp(String mapping, KafkaSource source, SourceStats stats) {
    Thread t = new Thread(() -> ask(mapping, source, stats), "kafka-esm-retention-" + mapping);
    t.setDaemon(true);
    t.start();
  }

  private static void ask(String mapping, KafkaSource source, SourceStats stats) {
    ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, source.topic());
    // the settings inside the try: reading a secret or a key store can fail too, and an exception
    // escaping this thread would only be printed to stderr
    try (Admin admin =
        Admin.create(
            KafkaClientProps.admin(source, "sluice-" + mapping + "-retention", TIMEOUT_MILLIS))) {
      Config config =
          admin
              .describeConfigs(List.of(topic))
              .all()
              .get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
              .get(topic);
      ConfigEntry retention = config == null ? null : config.get("retention.ms");
      ConfigEntry policy = config == null ? null : config.get("cleanup.policy");
      // a compacted topic keeps each key's last record whatever its age: nothing expires unread
      boolean deletes = policy == null || String.valueOf(policy.value()).contains("delete");
      if (deletes && retention != null && retention.value() != null) {
        stats.retention(Long.parseLong(retention.value())); // -1: kept for ever
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.debugf(
          "Mapping %s: the retention of topic %s is not known (%s); no partition is stuck by age",
          mapping, source.topic(), e.toString());
    }
  }
}
