package dev.sluice.it;

import dev.sluice.testing.KafkaBroker;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.LambdaClient;

/** SDK clients of a server in a child process, which the tests may kill at any moment. */
final class ItClients {

  private static final StaticCredentialsProvider CREDENTIALS =
      StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b"));

  private ItClients() {}

  /** A Kinesis client that does not retry: a call to a killed server simply fails. */
  static KinesisClient kinesis(URI endpoint) {
    return KinesisClient.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(CREDENTIALS)
        .httpClient(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(10)).build())
        .overrideConfiguration(c -> c.retryPolicy(RetryPolicy.none()))
        .build();
  }

  /**
   * Waits until {@code stream} is ACTIVE as {@code kinesis}'s server sees it; a server that does
   * not know it yet (another node created it) is asked again.
   */
  static void awaitActive(KinesisClient kinesis, String stream) {
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < until) {
      try {
        String status =
            kinesis
                .describeStreamSummary(b -> b.streamName(stream))
                .streamDescriptionSummary()
                .streamStatusAsString();
        if (status.equals("ACTIVE")) {
          return;
        }
      } catch (ResourceNotFoundException e) {
        // not there yet on this node
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError("stream " + stream + " not ACTIVE within 30 s");
  }

  /** A Lambda client. */
  static LambdaClient lambda(URI endpoint) {
    return LambdaClient.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(CREDENTIALS)
        .httpClient(UrlConnectionHttpClient.create())
        .build();
  }

  /** Sleeps, turning an interrupt into a test failure. */
  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The serve options of a node on the tests' broker, with its own topic prefix. */
  static List<String> kafkaStorage(String topicPrefix) {
    return List.of(
        "--storage",
        "kafka",
        "--kafka-bootstrap",
        KafkaBroker.bootstrapServers(),
        "--kafka-topic-prefix",
        topicPrefix);
  }
}
