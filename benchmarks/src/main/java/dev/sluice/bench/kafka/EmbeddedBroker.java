package dev.sluice.bench.kafka;

import dev.sluice.bench.TempDirs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A single-node Apache Kafka broker (KRaft: broker and controller in one) running inside the
 * benchmark's JVM, on free loopback ports, with a fresh log directory that {@link #close} deletes.
 * A shutdown hook does the same on Ctrl-C.
 */
final class EmbeddedBroker implements AutoCloseable {

  private final KafkaRaftServer server;
  private final Path dir;
  private final String bootstrap;
  private final Thread hook;
  private boolean closed;

  private EmbeddedBroker(KafkaRaftServer server, Path dir, String bootstrap) {
    this.server = server;
    this.dir = dir;
    this.bootstrap = bootstrap;
    this.hook = new Thread(this::stop, "sluice-bench-kafka-stop");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * Formats a log directory and starts the broker with the defaults below overridden by {@code
   * extra}; returns once it serves requests.
   */
  static EmbeddedBroker start(Map<String, String> extra) {
    Path dir = TempDirs.create("sluice-kafka-bench-");
    try {
      int port = freePort();
      int controller = freePort();
      Properties p = properties(dir.resolve("logs"), port, controller);
      p.putAll(extra);
      Path config = dir.resolve("server.properties");
      try (OutputStream out = Files.newOutputStream(config)) {
        p.store(out, null);
      }
      format(config);
      KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(p), Time.SYSTEM);
      server.startup();
      return new EmbeddedBroker(server, dir, "127.0.0.1:" + port);
    } catch (IOException | RuntimeException e) {
      TempDirs.delete(dir);
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  /** host:port of the PLAINTEXT listener. */
  String bootstrap() {
    return bootstrap;
  }

  /** Where the broker keeps its logs. */
  Path dir() {
    return dir;
  }

  /** Stops the broker and deletes its directory. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is exiting: the hook stops the broker
      return;
    }
    stop();
  }

  private synchronized void stop() {
    if (closed) {
      return;
    }
    closed = true;
    server.shutdown();
    server.awaitShutdown();
    TempDirs.delete(dir);
  }

  private static Properties properties(Path logs, int port, int controller) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controller);
    p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", logs.toString());
    // one node: every internal topic has a single replica
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    // each phase uses a fresh group with one member: no waiting for more to join
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "false");
    return p;
  }

  private static void format(Path config) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String[] args = {"format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()};
    int rc = StorageTool.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8));
    if (rc != 0) {
      throw new IllegalStateException("formatting the Kafka log directory failed: " + out);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
