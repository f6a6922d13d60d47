package dev.sluice.mapper.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.mapper.KafkaSource;
import dev.sluice.mapper.MappingConfig;
import dev.sluice.mapper.StartingPosition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientPropsTest {

  @TempDir Path dir;

  String secret(String name, String json) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, json);
    return f.toUri().toString();
  }

  Properties props(KafkaSource.Access... access) {
    return KafkaClientProps.of(
        new KafkaSource(List.of("b1:9092", "b2:9092"), "t", "g", List.of(access)));
  }

  @Test
  void of_noAccess_plaintextWithBootstrapServers() {
    Properties p = props();
    assertThat(p.getProperty("bootstrap.servers")).isEqualTo("b1:9092,b2:9092");
    assertThat(p.getProperty("security.protocol")).isNull();
  }

  @Test
  void of_scram512WithRootCa_saslSslWithScramLoginAndPemTruststore() throws Exception {
    String login = secret("login.json", "{\"username\":\"alice\",\"password\":\"p\\\"w\"}");
    String ca = secret("ca.json", "{\"certificate\":\"-----BEGIN CERTIFICATE-----\\nX\"}");
    Properties p =
        props(
            new KafkaSource.Access("SASL_SCRAM_512_AUTH", login),
            new KafkaSource.Access("SERVER_ROOT_CA_CERTIFICATE", ca));
    assertThat(p.getProperty("security.protocol")).isEqualTo("SASL_SSL");
    assertThat(p.getProperty("sasl.mechanism")).isEqualTo("SCRAM-SHA-512");
    assertThat(p.getProperty("sasl.jaas.config"))
        .isEqualTo(
            "org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"alice\" password=\"p\\\"w\";");
    assertThat(p.getProperty("ssl.truststore.type")).isEqualTo("PEM");
    assertThat(p.getProperty("ssl.truststore.certificates"))
        .isEqualTo("-----BEGIN CERTIFICATE-----\nX");
  }

  @Test
  void of_basicAuthAlone_saslSslWithPlainLoginAndTheJvmsTrustedCas() throws Exception {
    String login = secret("login.json", "{\"username\":\"bob\",\"password\":\"pw\"}");
    Properties p = props(new KafkaSource.Access("BASIC_AUTH", login));
    assertThat(p.getProperty("security.protocol")).isEqualTo("SASL_SSL");
    assertThat(p.getProperty("ssl.truststore.certificates")).isNull();
    assertThat(p.getProperty("sasl.mechanism")).isEqualTo("PLAIN");
    assertThat(p.getProperty("sasl.jaas.config"))
        .startsWith("org.apache.kafka.common.security.plain.PlainLoginModule required");
  }

  @Test
  void of_scram256_scramSha256() throws Exception {
    String login = secret("login.json", "{\"username\":\"u\",\"password\":\"pw\"}");
    Properties p = props(new KafkaSource.Access("SASL_SCRAM_256_AUTH", login));
    assertThat(p.getProperty("sasl.mechanism")).isEqualTo("SCRAM-SHA-256");
  }

  @Test
  void of_clientCertificate_sslWithPemKeystore() throws Exception {
    String cert =
        secret(
            "cert.json",
            "{\"certificate\":\"CERT\",\"privateKey\":\"KEY\",\"privateKeyPassword\":\"kp\"}");
    Properties p = props(new KafkaSource.Access("CLIENT_CERTIFICATE_TLS_AUTH", cert));
    assertThat(p.getProperty("security.protocol")).isEqualTo("SSL");
    assertThat(p.getProperty("ssl.keystore.type")).isEqualTo("PEM");
    assertThat(p.getProperty("ssl.keystore.certificate.chain")).isEqualTo("CERT");
    assertThat(p.getProperty("ssl.keystore.key")).isEqualTo("KEY");
    assertThat(p.getProperty("ssl.key.password")).isEqualTo("kp");
  }

  @Test
  void of_secretWithoutPassword_failsNamingTheMember() throws Exception {
    String login = secret("login.json", "{\"username\":\"u\"}");
    assertThatThrownBy(() -> props(new KafkaSource.Access("SASL_SCRAM_512_AUTH", login)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("password");
  }

  @Test
  void validate_unknownTypeOrSecretsManagerArnOrTwoSasl_rejected() {
    assertThatThrownBy(
            () -> KafkaClientProps.validate(List.of(new KafkaSource.Access("X", "file:///a"))))
        .hasMessageContaining("SourceAccessConfigurations.Type");
    assertThatThrownBy(
            () ->
                KafkaClientProps.validate(
                    List.of(new KafkaSource.Access("BASIC_AUTH", "arn:aws:secretsmanager:r:1:s"))))
        .hasMessageContaining("SourceAccessConfigurations.URI");
    assertThatThrownBy(
            () ->
                KafkaClientProps.validate(
                    List.of(
                        new KafkaSource.Access("BASIC_AUTH", "file:///a"),
                        new KafkaSource.Access("SASL_SCRAM_256_AUTH", "file:///b"))))
        .hasMessageContaining("one SASL");
    KafkaClientProps.validate(List.of(new KafkaSource.Access("VPC_SUBNET", "subnet:abc")));
  }

  @Test
  void runnerProps_batchOfAThousand_pollsABatchAndBrokerHoldsEmptyFetchesOnlyBriefly() {
    KafkaSource source = new KafkaSource(List.of("b1:9092"), "t", "g", List.of());
    MappingConfig config =
        new MappingConfig(
            "u",
            "f",
            null,
            true,
            1000,
            0,
            StartingPosition.TRIM_HORIZON,
            null,
            1,
            false,
            -1,
            -1,
            null,
            false,
            List.of(),
            0,
            false,
            0,
            source);
    Properties p = KafkaRunner.props(config);
    assertThat(p.getProperty("group.id")).isEqualTo("g");
    assertThat(p.getProperty("enable.auto.commit")).isEqualTo("false");
    // a poll takes everything buffered (a partition's remainder would hold back the next fetch),
    // and small per-partition fetches bound what that is
    assertThat(Integer.parseInt(p.getProperty("max.poll.records"))).isGreaterThanOrEqualTo(100_000);
    assertThat(p.getProperty("max.partition.fetch.bytes")).isEqualTo("262144");
    assertThat(Integer.parseInt(p.getProperty("fetch.max.bytes"))).isLessThanOrEqualTo(16 << 20);
    // a resumed partition waits for the fetch in flight: it must not be held for the default 500 ms
    assertThat(Integer.parseInt(p.getProperty("fetch.max.wait.ms"))).isLessThanOrEqualTo(50);
    // a killed node's partitions move to the other nodes within 30 s
    assertThat(Integer.parseInt(p.getProperty("session.timeout.ms"))).isLessThanOrEqualTo(20_000);
  }
}
