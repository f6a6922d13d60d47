package dev.sluice.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;

/** SCRAM-SHA-512 users on the test broker, and Kafka client config files that log in as them. */
public final class ScramUsers {

  private ScramUsers() {}

  /** Adds a fresh user with {@code password}; returns its name. */
  public static String create(String password) {
    String user = "u-" + UUID.randomUUID().toString().substring(0, 8);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", KafkaBroker.bootstrapServers()))) {
      admin
          .alterUserScramCredentials(
              List.of(
                  new UserScramCredentialUpsertion(
                      user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password)))
          .all()
          .get();
    } catch (Exception e) {
      throw new IllegalStateException("cannot add SCRAM user " + user, e);
    }
    awaitLogin(user, password);
    return user;
  }

  /**
   * Waits until the broker takes the new credential: the controller has it when the call returns,
   * the broker's SASL listener a moment later, and a login before that fails.
   */
  private static void awaitLogin(String user, String password) {
    Map<String, Object> config =
        Map.of(
            "bootstrap.servers",
            KafkaBroker.saslBootstrapServers(),
            "security.protocol",
            "SASL_PLAINTEXT",
            "sasl.mechanism",
            "SCRAM-SHA-512",
            "sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user
                + "\" password=\""
                + password
                + "\";");
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (true) {
      try (Admin admin = Admin.create(config)) {
        admin.describeCluster().nodes().get(5, java.util.concurrent.TimeUnit.SECONDS);
        return;
      } catch (Exception e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("SCRAM user " + user + " cannot log in", e);
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(interrupted);
        }
      }
    }
  }

  /**
   * A client config file in {@code dir}, as a user of a SASL_PLAINTEXT SCRAM-SHA-512 cluster writes
   * it, logging in as {@code user} with {@code password}.
   */
  public static Path clientConfig(Path dir, String user, String password) {
    String text =
        String.join(
            "\n",
            "# the test broker's SASL listener",
            "security.protocol=SASL_PLAINTEXT",
            "sasl.mechanism=SCRAM-SHA-512",
            "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\",
            "    username=\"" + user + "\" password=\"" + password + "\";",
            "");
    try {
      return Files.writeString(dir.resolve("client-" + user + ".properties"), text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
