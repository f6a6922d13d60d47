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
 * a SASL_PLAINTEXT one with SCRAM-SHA-512 ({@link #saslBootstrapServers()}) and a SASL_SSL one with
 * SCRAM-SHA-512 ({@link #saslSslBootstrapServers()}) whose certificate, made by the JDK's keytool
 * for 127.0.0.1 and signed by itself, is {@link #certificatePem()}; users are added with the Admin
 * API.
 */
public final class KafkaBroker {

  // Not under "sluice.": the application's config mapping rejects unknown sluice.* properties,
  // and a broker started by a Quarkus test resource exists before the application reads them.
  private static final String PROPERTY = "sluice-test.kafka.bootstrap";
  private static final String SASL_PROPERTY = "sluice-test.kafka.sasl";
  private static final String SASL_SSL_PROPERTY = "sluice-test.kafka.sasl-ssl";
  private static final String CERTIFICATE_PROPERTY = "sluice-test.kafka.certificate";
  private static final String STORE_PASSWORD = "broker-store";

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

  /** host:port of the shared broker's SASL_SSL (SCRAM-SHA-512) listener. */
  public static synchronized String saslSslBootstrapServers() {
    bootstrapServers();
    return System.getProperty(SASL_SSL_PROPERTY);
  }

  /** The SASL_SSL listener's self-signed certificate, PEM. */
  public static synchronized String certificatePem() {
    bootstrapServers();
    return System.getProperty(CERTIFICATE_PROPERTY);
  }

  /**
   * A broker of its own, apart from the shared one, whose clients reach it only through {@link
   * Relayed#relay}: it advertises the relay's port, so that a test can make the broker hang for its
   * clients ({@link TcpForwarder#freeze}). Closing it stops the broker and deletes its files.
   */
  public static Relayed startRelayed() {
    try {
      Path dir = Files.createTempDirectory("sluice-kafka-relayed-");
      int port = freePort();
      int relayPort = freePort();
      int controller = freePort();
      Properties p = properties(dir.resolve("logs"), port, freePort(), controller);
      p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller);
      p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + relayPort);
      p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
      KafkaRaftServer server = startServer(dir, p);
      TcpForwarder relay = TcpForwarder.start(relayPort, "127.0.0.1:" + port);
      return new Relayed("127.0.0.1:" + relayPort, relay, server, dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A broker reached through {@code relay}.
   *
   * @param bootstrapServers the relay's address, the only one its clients learn
   */
  public record Relayed(
      String bootstrapServers, TcpForwarder relay, KafkaRaftServer server, Path dir)
      implements AutoCloseable {

    @Override
    public void close() throws IOException {
      relay.thaw();
      server.shutdown();
      server.awaitShutdown();
      relay.close();
      deleteTree(dir);
    }
  }

  private static void start() {
    try {
      Path dir = Files.createTempDirectory("sluice-kafka-");
      int port = freePort();
      int sasl = freePort();
      int saslSsl = freePort();
      int controller = freePort();
      Path keystore = dir.resolve("broker.p12");
      String certificate = selfSignedKeystore(keystore);
      Properties p = properties(dir.resolve("logs"), port, sasl, controller);
      saslSslListener(p, saslSsl, keystore);
      KafkaRaftServer server = startServer(dir, p);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    server.shutdown();
                    server.awaitShutdown();
                    deleteTree(dir);
                  }));
      System.setProperty(SASL_PROPERTY, "127.0.0.1:" + sasl);
      System.setProperty(SASL_SSL_PROPERTY, "127.0.0.1:" + saslSsl);
      System.setProperty(CERTIFICATE_PROPERTY, certificate);
      System.setProperty(PROPERTY, "127.0.0.1:" + port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Formats a log directory for {@code p}, its config kept in {@code dir}, and starts a broker. */
  private static KafkaRaftServer startServer(Path dir, Properties p) throws IOException {
    Path config = dir.resolve("server.properties");
    try (var out = Files.newOutputStream(config)) {
      p.store(out, null);
    }
    format(config);
    KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(p), Time.SYSTEM);
    server.startup();
    return server;
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

  /** Adds the SASL_SSL listener to the PLAINTEXT and SASL ones {@link #properties} set. */
  private static void saslSslListener(Properties p, int port, Path keystore) {
    String listener = ",SASLSSL://127.0.0.1:" + port;
    p.put("listeners", p.getProperty("listeners") + listener);
    p.put("advertised.listeners", p.getProperty("advertised.listeners") + listener);
    p.put(
        "listener.security.protocol.map",
        p.getProperty("listener.security.protocol.map") + ",SASLSSL:SASL_SSL");
    p.put("listener.name.saslssl.sasl.enabled.mechanisms", "SCRAM-SHA-512");
    p.put(
        "listener.name.saslssl.scram-sha-512.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    p.put("listener.name.saslssl.ssl.keystore.type", "PKCS12");
    p.put("listener.name.saslssl.ssl.keystore.location", keystore.toString());
    p.put("listener.name.saslssl.ssl.keystore.password", STORE_PASSWORD);
    p.put("listener.name.saslssl.ssl.key.password", STORE_PASSWORD);
  }

  /**
   * A key pair and a certificate for 127.0.0.1 signed by itself, made with the JDK's keytool (the
   * JDK has no public API that signs a certificate); the certificate as PEM.
   */
  private static String selfSignedKeystore(Path keystore) throws IOException {
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    String store = keystore.toString();
    keytool(
        keytool,
        "-genkeypair",
        "-alias",
        "broker",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-validity",
        "30",
        "-dname",
        "CN=localhost",
        "-ext",
        "SAN=IP:127.0.0.1,DNS:localhost",
        "-storetype",
        "PKCS12",
        "-keystore",
        store,
        "-storepass",
        STORE_PASSWORD);
    Path pem = keystore.resolveSibling("broker.pem");
    keytool(
        keytool,
        "-exportcert",
        "-rfc",
        "-alias",
        "broker",
        "-keystore",
        store,
        "-storepass",
        STORE_PASSWORD,
        "-file",
        pem.toString());
    return Files.readString(pem);
  }

  private static void keytool(String... command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (p.waitFor() != 0) {
        throw new IllegalStateException("keytool failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while keytool ran", e);
    }
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
