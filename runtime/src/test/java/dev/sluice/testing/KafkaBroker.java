package dev.sluice.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node Apache Kafka broker (KRaft, broker and controller in one), started in this JVM
 * on free ports with a fresh temporary log directory. One broker serves every test class of the
 * JVM: {@link #bootstrapServers()} starts it on first use, and a shutdown hook stops it and deletes
 * its directory. The address is also kept in a system property, so that test classes loaded by
 * another class loader (Quarkus tests) reuse the same broker. Besides its PLAINTEXT listener it has
 * a SASL_PLAINTEXT one with SCRAM-SHA-512 ({@link #saslBootstrapServers()}); users are added with
 * the Admin API.
 */
public final class KafkaBroker {

  // Not under "sluice.": the application's config mapping rejects unknown sluice.* properties,
  // and a broker started by a Quarkus test resource exists before the application reads them.
  private static final String PROPERTY = "sluice-test.kafka.bootstrap";
  private static final String SASL_PROPERTY = "sluice-test.kafka.sasl";

  private KafkaBroker() {}

  /** host:port of the shared broker, starting it if this JVM has none yet. */
  public static synchronized String bootstrapServers() {
    if (System.getProperty(PROPERTY) == null) {
      start();
    }
    return System.getProperty(PROPERTY);
  }

  /** host:port of the shared broker's SASL_PLAINTEXT (SCRAM-SHA-512) listener. */
  public static synchronized String saslBootstrapServers() {
    bootstrapServers();
    return System.getProperty(SASL_PROPERTY);
  }

  private static void start() {
    try {
      Path dir = Files.createTempDirectory("sluice-kafka-");
      int port = freePort();
      int sasl = freePort();
      int controller = freePort();
      Path config = dir.resolve("server.properties");
      Properties p = properties(dir.resolve("logs"), port, sasl, controller);
      try (var out = Files.newOutputStream(config)) {
        p.store(out, null);
      }
      format(config);
      KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(p), Time.SYSTEM);
      server.startup();
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    server.shutdown();
                    server.awaitShutdown();
                    deleteTree(dir);
                  }));
      System.setProperty(SASL_PROPERTY, "127.0.0.1:" + sasl);
      System.setProperty(PROPERTY, "127.0.0.1:" + port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Properties properties(Path logs, int port, int sasl, int controller) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controller);
    String plain = "PLAINTEXT://127.0.0.1:" + port + ",SASL://127.0.0.1:" + sasl;
    p.put("listeners", plain + ",CONTROLLER://127.0.0.1:" + controller);
    p.put("advertised.listeners", plain);
    p.put(
        "listener.security.protocol.map",
        "PLAINTEXT:PLAINTEXT,SASL:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("listener.name.sasl.sasl.enabled.mechanisms", "SCRAM-SHA-512");
    p.put(
        "listener.name.sasl.scram-sha-512.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", logs.toString());
    p.put("num.partitions", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    // tests join and leave groups often: no waiting for more members
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "true");
    return p;
  }

  private static void format(Path config) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String[] args = {
      "format", "-t", Uuid.randomUuid().toString(), "-c", config.toString(), "--ignore-formatted"
    };
    int rc = StorageTool.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8));
    if (rc != 0) {
      throw new IllegalStateException("formatting the Kafka log dir failed: " + out);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // best effort at JVM exit
    }
  }
}
