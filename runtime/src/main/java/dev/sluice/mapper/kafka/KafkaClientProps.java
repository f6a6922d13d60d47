package dev.sluice.mapper.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.mapper.KafkaSource;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * Turns a mapping's SourceAccessConfigurations into kafka-clients settings. Where Lambda names a
 * Secrets Manager secret, Sluice takes a {@code file://} URI of a local JSON file with the same
 * members as Lambda's secret: {@code {"username", "password"}} for SASL, {@code {"certificate",
 * "privateKey", "privateKeyPassword"}} (PEM text) for a client certificate, and {@code
 * {"certificate"}} (PEM text) for the server's root CA. VPC entries do not apply and are ignored.
 *
 * <p>As on Lambda, SASL (SCRAM or PLAIN) always runs over TLS (SASL_SSL): Lambda has no
 * SASL_PLAINTEXT, and a template written for it names no TLS entry when the brokers' certificates
 * come from a public CA. The server's certificate is then checked against the JVM's trusted CAs, or
 * against the root CA entry when there is one.
 */
public final class KafkaClientProps {

  private static final ObjectMapper JSON = new ObjectMapper();
  static final List<String> TYPES =
      List.of(
          "BASIC_AUTH",
          "SASL_SCRAM_256_AUTH",
          "SASL_SCRAM_512_AUTH",
          "CLIENT_CERTIFICATE_TLS_AUTH",
          "SERVER_ROOT_CA_CERTIFICATE",
          "VPC_SUBNET",
          "VPC_SECURITY_GROUP");

  private KafkaClientProps() {}

  /**
   * Checks the entries without reading their files (they may be written after the mapping).
   *
   * @throws IllegalArgumentException naming the entry that is wrong
   */
  public static void validate(List<KafkaSource.Access> access) {
    int sasl = 0;
    for (KafkaSource.Access a : access) {
      if (a.type() == null || !TYPES.contains(a.type())) {
        throw new IllegalArgumentException(
            "SourceAccessConfigurations.Type must be one of " + TYPES + ", not " + a.type() + ".");
      }
      if (a.type().startsWith("VPC_")) {
        continue;
      }
      if (a.uri() == null || !a.uri().startsWith("file:/")) {
        throw new IllegalArgumentException(
            "SourceAccessConfigurations.URI of "
                + a.type()
                + " must be a file:// URI of a local JSON secret, not "
                + a.uri()
                + ".");
      }
      sasl += isSasl(a.type()) ? 1 : 0;
    }
    if (sasl > 1) {
      throw new IllegalArgumentException(
          "SourceAccessConfigurations may name one SASL authentication only.");
    }
  }

  /** The client settings for {@code source}: bootstrap servers plus security. */
  static Properties of(KafkaSource source) {
    Properties p = new Properties();
    p.put("bootstrap.servers", String.join(",", source.bootstrapServers()));
    p.putAll(security(source.sourceAccess()));
    return p;
  }

  /**
   * The settings of an admin client for {@code source}, named {@code clientId}, whose calls give up
   * after {@code timeoutMillis}.
   */
  static Properties admin(KafkaSource source, String clientId, int timeoutMillis) {
    Properties p = of(source);
    p.put("client.id", clientId);
    p.put("request.timeout.ms", String.valueOf(timeoutMillis));
    p.put("default.api.timeout.ms", String.valueOf(timeoutMillis));
    return p;
  }

  /** Security settings only; reads the secrets named. */
  static Properties security(List<KafkaSource.Access> access) {
    Properties p = new Properties();
    String sasl = null;
    boolean tls = false;
    for (KafkaSource.Access a : access) {
      switch (a.type()) {
        case "BASIC_AUTH", "SASL_SCRAM_256_AUTH", "SASL_SCRAM_512_AUTH" -> {
          sasl = a.type();
          saslLogin(p, a);
        }
        case "CLIENT_CERTIFICATE_TLS_AUTH" -> {
          tls = true;
          clientCertificate(p, read(a));
        }
        case "SERVER_ROOT_CA_CERTIFICATE" -> {
          tls = true;
          p.put("ssl.truststore.type", "PEM");
          p.put("ssl.truststore.certificates", member(read(a), "certificate", a));
        }
        default -> {} // VPC settings have no meaning here
      }
    }
    if (sasl != null) {
      p.put("security.protocol", "SASL_SSL");
    } else if (tls) {
      p.put("security.protocol", "SSL");
    }
    return p;
  }

  private static boolean isSasl(String type) {
    return type.equals("BASIC_AUTH") || type.startsWith("SASL_");
  }

  private static void saslLogin(Properties p, KafkaSource.Access a) {
    JsonNode secret = read(a);
    String user = member(secret, "username", a);
    String password = member(secret, "password", a);
    String module;
    if (a.type().equals("BASIC_AUTH")) {
      p.put("sasl.mechanism", "PLAIN");
      module = "org.apache.kafka.common.security.plain.PlainLoginModule";
    } else {
      p.put("sasl.mechanism", a.type().contains("256") ? "SCRAM-SHA-256" : "SCRAM-SHA-512");
      module = "org.apache.kafka.common.security.scram.ScramLoginModule";
    }
    p.put(
        "sasl.jaas.config",
        module
            + " required username=\""
            + quoted(user)
            + "\" password=\""
            + quoted(password)
            + "\";");
  }

  private static void clientCertificate(Properties p, JsonNode secret) {
    p.put("ssl.keystore.type", "PEM");
    p.put("ssl.keystore.certificate.chain", secret.path("certificate").asText());
    p.put("ssl.keystore.key", secret.path("privateKey").asText());
    if (secret.hasNonNull("privateKeyPassword")) {
      p.put("ssl.key.password", secret.get("privateKeyPassword").asText());
    }
  }

  /** JAAS values are double-quoted: escape what would end them. */
  private static String quoted(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  private static String member(JsonNode secret, String name, KafkaSource.Access a) {
    JsonNode v = secret.get(name);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException(
          "the secret " + a.uri() + " of " + a.type() + " has no text member " + name);
    }
    return v.asText();
  }

  private static JsonNode read(KafkaSource.Access a) {
    try {
      return JSON.readTree(Files.readAllBytes(Path.of(URI.create(a.uri()))));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "cannot read the secret " + a.uri() + " of " + a.type() + ": " + e.getMessage(), e);
    }
  }
}
