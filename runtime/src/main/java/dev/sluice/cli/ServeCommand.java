package dev.sluice.cli;

import io.quarkus.runtime.Quarkus;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Starts the server alone and runs until Ctrl-C or SIGTERM. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Start the server.")
final class ServeCommand implements Callable<Integer> {

  @Option(names = "--port", description = "HTTP port (default: ${DEFAULT-VALUE}).")
  int port = 4566;

  @Option(names = "--data-dir", description = "Data directory (default: ${DEFAULT-VALUE}).")
  String dataDir = ".sluice";

  @Option(
      names = "--bind",
      description = "Address to listen on (default: ${DEFAULT-VALUE}, loopback only).")
  String bind = "127.0.0.1";

  @Option(
      names = "--storage",
      description = "Where stream records live: file or kafka (default: ${DEFAULT-VALUE}).")
  String storage = "file";

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
    if (!storage.equals("file") && !storage.equals("kafka")) {
      throw new ParameterException(spec.commandLine(), "--storage must be file or kafka");
    }
    if (storage.equals("kafka") && kafkaBootstrap == null) {
      throw new ParameterException(spec.commandLine(), "--storage kafka needs --kafka-bootstrap");
    }
    if (kafkaClientConfig != null && !storage.equals("kafka")) {
      throw new ParameterException(
          spec.commandLine(), "--kafka-client-config needs --storage kafka");
    }
    // Quarkus reads these when it starts; they cannot change afterwards.
    System.setProperty("quarkus.http.port", Integer.toString(port));
    System.setProperty("quarkus.http.host", bind);
    System.setProperty("sluice.data-dir", dataDir);
    System.setProperty("sluice.storage.type", storage);
    if (kafkaBootstrap != null) {
      System.setProperty("sluice.storage.kafka.bootstrap", kafkaBootstrap);
    }
    if (kafkaTopicPrefix != null) {
      System.setProperty("sluice.storage.kafka.topic-prefix", kafkaTopicPrefix);
    }
    if (kafkaClientConfig != null) {
      System.setProperty("sluice.storage.kafka.client-config", kafkaClientConfig);
    }
    if (parentPid != null) {
      watchParent(parentPid);
    }
    Quarkus.run();
    return 0;
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
