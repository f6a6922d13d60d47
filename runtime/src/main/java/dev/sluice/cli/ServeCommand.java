package dev.sluice.cli;

import dev.sluice.node.DataDirLock;
import io.quarkus.runtime.Quarkus;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Starts the server alone and runs until Ctrl-C or SIGTERM. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Start the server.")
final class ServeCommand implements Callable<Integer> {

  // Options left out keep what the configuration says (-Dkey, the KEY's environment variable,
  // application.properties), so they have no defaults of their own here. The storage checks below
  // see system properties and environment variables only: what application.properties sets is
  // checked by the node as it starts.

  @Option(
      names = "--port",
      converter = Numbers.Port.class,
      description = "HTTP port (default: quarkus.http.port, 4566).")
  Integer port;

  @Option(names = "--data-dir", description = "Data directory (default: sluice.data-dir, .sluice).")
  String dataDir;

  @Option(
      names = "--bind",
      description = "Address to listen on (default: quarkus.http.host, 127.0.0.1: loopback only).")
  String bind;

  @Option(
      names = "--storage",
      description =
          "Where stream records live: file or kafka (default: sluice.storage.type, file).")
  String storage;

  @Option(
      names = "--kafka-bootstrap",
      paramLabel = "HOST:PORT",
      description = "Kafka bootstrap servers, for --storage kafka.")
  String kafkaBootstrap;

  @Option(
      names = "--kafka-client-config",
      paramLabel = "FILE",
      description =
          "Kafka client properties for every storage client, for a secured cluster:"
              + " security.protocol, sasl.mechanism, sasl.jaas.config, ssl.* (as Kafka's tools"
              + " take --command-config).")
  String kafkaClientConfig;

  @Option(
      names = "--kafka-topic-prefix",
      paramLabel = "PREFIX",
      description =
          "Prefix of the topics of this Sluice on Kafka (default: sluice.); nodes with the same"
              + " cluster and prefix share streams, functions and mappings.")
  String kafkaTopicPrefix;

  @Option(names = "--exit-with-parent", hidden = true, description = "Stop when this pid exits.")
  Long parentPid;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    String type = or(storage, configured("sluice.storage.type"), "file");
    if (!type.equals("file") && !type.equals("kafka")) {
      throw new ParameterException(spec.commandLine(), "--storage must be file or kafka");
    }
    if (type.equals("kafka")
        && or(kafkaBootstrap, configured("sluice.storage.kafka.bootstrap"), null) == null) {
      throw new ParameterException(spec.commandLine(), "--storage kafka needs --kafka-bootstrap");
    }
    if (kafkaClientConfig != null && !type.equals("kafka")) {
      throw new ParameterException(
          spec.commandLine(), "--kafka-client-config needs --storage kafka");
    }
    String dirProblem =
        dataDirProblem(Path.of(or(dataDir, configured("sluice.data-dir"), ".sluice")));
    if (dirProblem != null) {
      throw new ParameterException(spec.commandLine(), dirProblem);
    }
    // Quarkus reads these when it starts; they cannot change afterwards.
    set("quarkus.http.port", port == null ? null : port.toString());
    set("quarkus.http.host", bind);
    set("sluice.data-dir", dataDir);
    set("sluice.storage.type", storage);
    set("sluice.storage.kafka.bootstrap", kafkaBootstrap);
    set("sluice.storage.kafka.topic-prefix", kafkaTopicPrefix);
    set("sluice.storage.kafka.client-config", kafkaClientConfig);
    if (parentPid != null) {
      watchParent(parentPid);
    }
    Quarkus.run();
    return 0;
  }

  /**
   * Why the node could not take {@code dir}, or null. Checked here because the node's own failure
   * comes out of Quarkus's start as a 60-line stack trace; the node still checks (and locks) it.
   */
  static String dataDirProblem(Path dir) {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      return "--data-dir " + dir + " is not a directory";
    }
    if (!Files.exists(dir)) {
      Path existing = dir.toAbsolutePath().getParent();
      while (existing != null && !Files.exists(existing)) {
        existing = existing.getParent();
      }
      if (existing != null && (!Files.isDirectory(existing) || !Files.isWritable(existing))) {
        return "cannot create --data-dir " + dir + ": " + existing + " is not a writable directory";
      }
      return null;
    }
    try {
      return DataDirLock.inUse(dir);
    } catch (UncheckedIOException e) {
      return "cannot use --data-dir " + dir + ": " + e.getCause();
    }
  }

  /** Makes an option given on the command line win over the configuration; null leaves it. */
  private static void set(String key, String value) {
    if (value != null) {
      System.setProperty(key, value);
    }
  }

  /**
   * What the configuration says for {@code key} before Quarkus starts: a system property, else the
   * environment variable MicroProfile Config maps it to ({@code sluice.storage.type} → {@code
   * SLUICE_STORAGE_TYPE}).
   */
  static String configured(String key) {
    String v = System.getProperty(key);
    return v != null
        ? v
        : System.getenv(key.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "_"));
  }

  private static String or(String option, String configured, String dflt) {
    return option != null ? option : configured != null ? configured : dflt;
  }

  /**
   * A server started by {@code sluice up} stops cleanly when that command dies, even by SIGKILL,
   * instead of living on unseen.
   */
  private static void watchParent(long pid) {
    Thread t =
        new Thread(
            () -> {
              ProcessHandle parent = ProcessHandle.of(pid).orElse(null);
              while (parent != null && parent.isAlive()) {
                try {
                  Thread.sleep(1000);
                } catch (InterruptedException e) {
                  return;
                }
              }
              Quarkus.asyncExit(0);
            },
            "sluice-parent-watch");
    t.setDaemon(true);
    t.start();
  }
}
