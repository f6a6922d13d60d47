package dev.sluice.testing;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link KafkaStorage} reached the way a secured cluster is: through the test broker's
 * SASL_PLAINTEXT listener as a SCRAM-SHA-512 user of its own, with the login in a client config
 * file ({@code sluice.storage.kafka.client-config}) in the data directory.
 */
public class SecuredKafkaStorage extends KafkaStorage {

  @Override
  public Map<String, String> start() {
    Map<String, String> config = new HashMap<>(super.start());
    String password = "pw-" + System.nanoTime();
    String user = ScramUsers.create(password);
    Path file = ScramUsers.clientConfig(Path.of(config.get("sluice.data-dir")), user, password);
    config.put("sluice.storage.kafka.bootstrap", KafkaBroker.saslBootstrapServers());
    config.put("sluice.storage.kafka.client-config", file.toString());
    return config;
  }
}
