package dev.sluice.mapper;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testing.HandlerJars;
import dev.sluice.testing.KafkaBroker;
import dev.sluice.testing.SecuredKafkaStorage;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.EventSourcePosition;

/**
 * A Kinesis mapping end to end with streams stored in Kafka, reached as a secured cluster is (SASL
 * SCRAM-SHA-512 through a client config file, for the log, the shared state and the shard leases):
 * records put through the SDK reach a real handler jar, each once and in per-key order. The Kinesis
 * API tests on Kafka storage ({@code KinesisSdkKafkaTest}) use the plaintext listener.
 */
@QuarkusTest
@QuarkusTestResource(value = SecuredKafkaStorage.class, restrictToAnnotatedClass = true)
class KafkaStorageMappingTest {

  @TestHTTPResource("/")
  String root;

  @ConfigProperty(name = "sluice.storage.kafka.topic-prefix")
  String topicPrefix;

  KinesisClient kinesis;
  LambdaClient lambda;
  String mapping;

  @BeforeEach
  void clients() {
    var creds = StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b"));
    kinesis =
        KinesisClient.builder()
            .endpointOverride(URI.create(root))
            .region(Region.US_EAST_1)
            .credentialsProvider(creds)
            .httpClient(UrlConnectionHttpClient.create())
            .build();
    lambda =
        LambdaClient.builder()
            .endpointOverride(URI.create(root))
            .region(Region.US_EAST_1)
            .credentialsProvider(creds)
            .httpClient(UrlConnectionHttpClient.create())
            .build();
  }

  @AfterEach
  void cleanUp() {
    if (mapping != null) {
      lambda.deleteEventSourceMapping(b -> b.uuid(mapping));
    }
    kinesis.close();
    lambda.close();
  }

  /** A mapping of {@code stream} to {@code fn} from TRIM_HORIZON, with {@code more} settings. */
  private String map(
      String fn,
      String stream,
      java.util.function.Consumer<
              software.amazon.awssdk.services.lambda.model.CreateEventSourceMappingRequest.Builder>
          more) {
    return lambda
        .createEventSourceMapping(
            b -> {
              b.functionName(fn)
                  .eventSourceArn("arn:aws:kinesis:us-east-1:000000000000:stream/" + stream)
                  .startingPosition(EventSourcePosition.TRIM_HORIZON);
              more.accept(b);
            })
        .uuid();
  }

  @Test
  void mapping_onKafkaStorage_deliversEveryRecordOnceInPerKeyOrder() throws Exception {
    String stream = activeStream(2);
    String fn = recorder();
    putRecords(stream, 0, 30);
    mapping = map(fn, stream, b -> b.batchSize(10).parallelizationFactor(2));
    putRecords(stream, 30, 60);

    List<String> lines = received(fn, 60);
    assertThat(lines).hasSize(60);
    Map<String, Integer> last = new HashMap<>();
    for (String l : lines) {
      String[] p = l.split("\\|");
      int n = Integer.parseInt(p[1].substring("event-".length()));
      Integer prev = last.put(p[0], n);
      assertThat(prev == null || prev < n).as("order of %s", p[0]).isTrue();
    }
  }

  @Test
  void deleteStream_whileAMappingReadsIt_itsTopicStaysDeleted() throws Exception {
    String stream = activeStream(1);
    String fn = recorder();
    mapping = map(fn, stream, b -> {});
    putRecords(stream, 0, 5);
    assertThat(received(fn, 5)).hasSize(5); // the mapping's shard lease runs

    kinesis.deleteStream(b -> b.streamName(stream));
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", KafkaBroker.bootstrapServers()))) {
      String topic = topicPrefix + stream;
      for (int i = 0; i < 500 && admin.listTopics().names().get().contains(topic); i++) {
        Thread.sleep(10);
      }
      Thread.sleep(5_000); // the lease's consumer refreshes its metadata every 2 s
      assertThat(admin.listTopics().names().get())
          .as("the deleted stream's topic not created again by the broker")
          .doesNotContain(topic);
    }
  }

  /** Deploys a function that records what it receives; returns its name. */
  private String recorder() {
    String fn = "rec-" + UUID.randomUUID().toString().substring(0, 8);
    lambda.createFunction(
        b ->
            b.functionName(fn)
                .runtime("java17")
                .role("arn:aws:iam::000000000000:role/r")
                .handler("fixture.Recorder")
                .timeout(10)
                .code(
                    c ->
                        c.zipFile(
                            SdkBytes.fromByteArray(
                                HandlerJars.lambdaZip(RecordingHandler.SOURCES)))));
    return fn;
  }

  private String activeStream(int shards) throws InterruptedException {
    String name = "k-" + UUID.randomUUID().toString().substring(0, 8);
    kinesis.createStream(b -> b.streamName(name).shardCount(shards));
    for (int i = 0; i < 3000; i++) {
      String status =
          kinesis
              .describeStreamSummary(b -> b.streamName(name))
              .streamDescriptionSummary()
              .streamStatusAsString();
      if (status.equals("ACTIVE")) {
        return name;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("stream not ACTIVE");
  }

  private void putRecords(String stream, int from, int to) {
    List<PutRecordsRequestEntry> entries = new ArrayList<>();
    for (int i = from; i < to; i++) {
      entries.add(
          PutRecordsRequestEntry.builder()
              .partitionKey("order-" + (i % 5))
              .data(SdkBytes.fromUtf8String("event-" + i))
              .build());
    }
    var out = kinesis.putRecords(b -> b.streamName(stream).records(entries));
    assertThat(out.records())
        .as("PutRecords outcomes")
        .allSatisfy(r -> assertThat(r.errorMessage()).isNull());
  }

  /** The lines the function recorded, waiting until there are at least {@code n}. */
  private static List<String> received(String function, int n) throws Exception {
    Path log = MappingEndToEndTest.OUT.resolve(function + ".log");
    List<String> lines = List.of();
    for (int i = 0; i < 1500; i++) {
      lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
      if (lines.size() >= n) {
        return lines;
      }
      Thread.sleep(10);
    }
    return lines;
  }
}
