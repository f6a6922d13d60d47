package dev.sluice.testing;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A fresh data directory plus Kafka storage on the shared test broker ({@link KafkaBroker}), with a
 * topic prefix of its own so that no other test's topics look like this application's streams.
 */
public class KafkaStorage extends FreshDataDir {

  @Override
  public Map<String, String> start() {
    Map<String, String> config = new HashMap<>(super.start());
    config.put("sluice.storage.type", "kafka");
    config.put("sluice.storage.kafka.bootstrap", KafkaBroker.bootstrapServers());
    String prefix = "sluice-test-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    config.put("sluice.storage.kafka.topic-prefix", prefix);
    // a closed parent's end settles this long after a reshard: short, but the path is the same;
    // half of it bounds how old the node's view of the state topic may be when it takes records
    config.put("sluice.storage.kafka.seal-grace", "2s");
    return config;
  }
}
