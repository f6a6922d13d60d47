package dev.sluice.log.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * How every Kafka client of Sluice's storage reaches the cluster: the bootstrap servers and the
 * client properties a secured cluster asks for ({@code security.protocol}, {@code sasl.*}, {@code
 * ssl.*}, timeouts), read from a properties file as Kafka's own tools read {@code
 * --command-config}. One connection serves the log engine, the shared node state and the shard
 * leases, so that each builds its clients from the same place.
 *
 * @param bootstrap bootstrap servers, {@code host:port[,host:port...]}
 * @param properties client properties added to every client; none of {@link #OWNED}
 */
public record KafkaConnection(String bootstrap, Map<String, String> properties) {

  /**
   * Settings Sluice sets itself because its guarantees rest on them (acknowledgement, ordering,
   * offsets, byte handling) or because each client names its own: a client config may not set them.
   */
  public static final Set<String> OWNED =
      Set.of(
          "bootstrap.servers",
          "client.id",
          "group.id",
          "group.instance.id",
          "transactional.id",
          "acks",
          "enable.idempotence",
          "enable.auto.commit",
          "auto.offset.reset",
          "isolation.level",
          "key.serializer",
          "value.serializer",
          "key.deserializer",
          "value.deserializer");

  /** Validates the connection and keeps its own sorted copy of the properties. */
  public KafkaConnection {
    if (bootstrap == null || bootstrap.isBlank()) {
      throw new IllegalArgumentException("Kafka storage needs bootstrap servers");
    }
    properties = Map.copyOf(new TreeMap<>(properties));
    for (String key : properties.keySet()) {
      if (OWNED.contains(key)) {
        throw new IllegalArgumentException(
            "the Kafka client config may not set "
                + key
                + ": Sluice sets it itself (bootstrap servers come from --kafka-bootstrap)");
      }
    }
  }

  /** A connection to a cluster that needs no client properties (plaintext, no authentication). */
  public static KafkaConnection of(String bootstrap) {
    return new KafkaConnection(bootstrap, Map.of());
  }

  /**
   * A connection with the client properties of {@code file}, a Java properties file such as {@code
   * security.protocol=SASL_SSL}; a missing or unreadable file is an error that names it.
   */
  public static KafkaConnection withClientConfig(String bootstrap, Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("cannot read the Kafka client config " + file + ": " + e);
    }
    Map<String, String> properties = new HashMap<>();
    p.stringPropertyNames().forEach(k -> properties.put(k, p.getProperty(k).strip()));
    try {
      return new KafkaConnection(bootstrap, properties);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * A fresh client configuration: the client properties, the bootstrap servers and {@code
   * clientId}; the caller adds the settings it owns.
   */
  public Map<String, Object> clientConfig(String clientId) {
    Map<String, Object> c = new HashMap<>(properties);
    c.put("bootstrap.servers", bootstrap);
    c.put("client.id", clientId);
    return c;
  }

  /**
   * A fresh admin client configuration ({@link #clientConfig}) whose requests give up after {@code
   * requestMillis} and whose calls, retries included, after {@code apiMillis}: so that an
   * unreachable cluster fails them instead of holding the caller.
   */
  public Map<String, Object> adminConfig(String clientId, int requestMillis, int apiMillis) {
    Map<String, Object> c = clientConfig(clientId);
    c.put("request.timeout.ms", requestMillis);
    c.put("default.api.timeout.ms", apiMillis);
    return c;
  }

  /** The bootstrap servers and the property names (not their values: they hold secrets). */
  @Override
  public String toString() {
    return bootstrap + (properties.isEmpty() ? "" : " " + properties.keySet());
  }
}
