package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.node.SluiceNode;
import dev.sluice.testing.FreshDataDir;
import dev.sluice.testing.HandlerJars;
import dev.sluice.testing.KafkaBroker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Templates with SelfManagedKafka events, deployed against a real in-process Kafka broker. */
@QuarkusTest
@QuarkusTestResource(FreshDataDir.class)
class KafkaDeployTest {

  static final Map<String, String> HANDLER =
      Map.of(
          "fixture.KafkaOk",
          """
          package fixture;
          import com.amazonaws.services.lambda.runtime.Context;
          import com.amazonaws.services.lambda.runtime.RequestHandler;
          import com.amazonaws.services.lambda.runtime.events.KafkaEvent;
          public class KafkaOk implements RequestHandler<KafkaEvent, String> {
            public String handleRequest(KafkaEvent event, Context ctx) {
              if (event.getRecords().isEmpty()) {
                throw new IllegalStateException("no records");
              }
              return "ok";
            }
          }
          """);

  static final String TEMPLATE =
      """
      Transform: AWS::Serverless-2016-10-31
      Resources:
        Handler:
          Type: AWS::Serverless::Function
          Properties:
            FunctionName: %1$s-fn
            CodeUri: %2$s
            Runtime: java17
            Handler: fixture.KafkaOk::handleRequest
            Events:
              Payments:
                Type: SelfManagedKafka
                Properties:
                  KafkaBootstrapServers: [%3$s]
                  Topics: [%1$s]
                  ConsumerGroupId: %1$s-group
                  StartingPosition: TRIM_HORIZON
                  BatchSize: 100
      """;

  @TestHTTPResource("/")
  String root;

  @Inject SluiceNode node;

  Cli.Result cli(String... args) {
    String[] all = Arrays.copyOf(args, args.length + 2);
    all[args.length] = "--endpoint";
    all[args.length + 1] = root;
    return Cli.run("", all);
  }

  @Test
  void deploy_kafkaEvent_createsRunningMappingThenUpdatesThenDeletes() throws Exception {
    String servers = KafkaBroker.bootstrapServers();
    String topic = "kd-" + UUID.randomUUID().toString().substring(0, 8);
    Path dir = Files.createTempDirectory("tpl-");
    // a Lambda zip: the handler's classes and aws-lambda-java-events in lib/
    Path jar = dir.resolve("handler.zip");
    Files.write(jar, HandlerJars.lambdaZip(HANDLER));
    Path t = dir.resolve("template.yaml");
    Files.writeString(t, TEMPLATE.formatted(topic, jar, servers));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers));
        KafkaProducer<String, String> producer =
            new KafkaProducer<>(
                Map.of("bootstrap.servers", servers),
                new StringSerializer(),
                new StringSerializer())) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
      for (int i = 0; i < 3; i++) {
        producer.send(new ProducerRecord<>(topic, "k", "v" + i)).get();
      }

      Cli.Result first = cli("deploy", t.toString());
      assertThat(first.exit()).as(first.err()).isZero();
      assertThat(first.out())
          .contains("+ mapping " + topic + "-fn ← kafka " + topic + ": uuid ")
          .contains("group " + topic + "-group, from TRIM_HORIZON");
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> committed(admin, topic + "-group", topic) == 3L);

      Cli.Result second = cli("deploy", t.toString());
      assertThat(second.out()).contains("= mapping " + topic + "-fn ← kafka " + topic);
      String uuid = first.out().replaceAll("(?s).*uuid ([0-9a-f-]{36}).*", "$1");
      // no window in the template: Lambda's 500 ms for Kafka, not a window of 0
      assertThat(windowMillis(uuid)).isEqualTo(500);

      String noWindow = Files.readString(t);
      String label = "~ mapping " + topic + "-fn ← kafka " + topic + ": ";
      Files.writeString(t, withWindow(noWindow, 0)); // 0 is no window: not the 500 ms default
      assertThat(cli("deploy", t.toString()).out())
          .contains(label + "MaximumBatchingWindowInSeconds unset (500 ms) → 0");
      assertThat(windowMillis(uuid)).isZero();
      Files.writeString(t, withWindow(noWindow, 2));
      assertThat(cli("deploy", t.toString()).out())
          .contains(label + "MaximumBatchingWindowInSeconds 0 → 2");
      assertThat(windowMillis(uuid)).isEqualTo(2000);
      Files.writeString(t, noWindow); // as in Lambda, the 500 ms default does not come back
      assertThat(cli("deploy", t.toString()).out())
          .contains("= mapping " + topic + "-fn ← kafka " + topic);
      assertThat(windowMillis(uuid)).isEqualTo(2000);

      Files.writeString(t, Files.readString(t).replace("BatchSize: 100", "BatchSize: 5"));
      Cli.Result third = cli("deploy", t.toString());
      assertThat(third.out())
          .contains("~ mapping " + topic + "-fn ← kafka " + topic + ": BatchSize 100 → 5");

      // beyond Lambda, so in Metadata.Sluice, which sam deploy ignores
      String lanesOfOne = Files.readString(t);
      Files.writeString(
          t,
          lanesOfOne.replace(
              "    Properties:\n      FunctionName",
              "    Metadata:\n      Sluice:\n        Events:\n          Payments:\n"
                  + "            ParallelizationFactor: 3\n    Properties:\n"
                  + "      FunctionName"));
      assertThat(cli("deploy", t.toString()).out()).contains(label + "ParallelizationFactor 1 → 3");
      assertThat(node.mappings().get(uuid).config().parallelizationFactor()).isEqualTo(3);
      Files.writeString(t, lanesOfOne);
      assertThat(cli("deploy", t.toString()).out()).contains(label + "ParallelizationFactor 3 → 1");

      // another topic, the same ConsumerGroupId: the old mapping goes before the new one comes
      String moved = topic + "-v2";
      Files.writeString(
          t, Files.readString(t).replace("Topics: [" + topic + "]", "Topics: [" + moved + "]"));
      Cli.Result fourth = cli("deploy", t.toString());
      assertThat(fourth.exit()).as(fourth.err()).isZero();
      assertThat(fourth.out())
          .contains("- mapping " + topic + "-fn ← kafka " + topic)
          .contains("+ mapping " + topic + "-fn ← kafka " + moved);

      String noEvents = Files.readString(t);
      Files.writeString(t, noEvents.substring(0, noEvents.indexOf("      Events:")));
      Cli.Result fifth = cli("deploy", t.toString());
      assertThat(fifth.out()).contains("- mapping " + topic + "-fn ← kafka " + moved);
    }
  }

  static String withWindow(String template, int seconds) {
    return template.replaceAll(
        "( *)BatchSize: 100", "$1BatchSize: 100\n$1MaximumBatchingWindowInSeconds: " + seconds);
  }

  long windowMillis(String uuid) {
    var config = node.mappings().get(uuid).config();
    return config.kafka().windowMillis(config.maxBatchingWindowSeconds());
  }

  static long committed(Admin admin, String group, String topic) throws Exception {
    var o =
        admin
            .listConsumerGroupOffsets(group)
            .partitionsToOffsetAndMetadata()
            .get()
            .get(new TopicPartition(topic, 0));
    return o == null ? -1 : o.offset();
  }
}
