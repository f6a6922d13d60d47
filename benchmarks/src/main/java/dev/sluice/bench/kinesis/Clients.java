package dev.sluice.bench.kinesis;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/** Builds the SDK client the load generator uses. */
public final class Clients {

  private Clients() {}

  /**
   * An async Kinesis client for {@code endpoint} with enough connections for {@code concurrency}
   * calls in flight and no retries, so that every failure and every latency is seen as it is.
   */
  public static KinesisAsyncClient kinesis(
      URI endpoint, int concurrency, boolean json, boolean http2) {
    // The SDK picks CBOR or JSON when the client is built, from this property (default CBOR).
    System.setProperty("aws.cborEnabled", Boolean.toString(!json));
    NettyNioAsyncHttpClient.Builder http =
        NettyNioAsyncHttpClient.builder()
            .protocol(http2 ? Protocol.HTTP2 : Protocol.HTTP1_1)
            .maxConcurrency(Math.max(64, concurrency * 2))
            .maxPendingConnectionAcquires(10_000)
            .connectionAcquisitionTimeout(Duration.ofSeconds(30))
            .readTimeout(Duration.ofSeconds(60))
            .writeTimeout(Duration.ofSeconds(60));
    return KinesisAsyncClient.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("sluice", "sluice")))
        .httpClientBuilder(http)
        .overrideConfiguration(
            c ->
                c.retryStrategy(AwsRetryStrategy.doNotRetry())
                    .apiCallTimeout(Duration.ofSeconds(60)))
        .build();
  }
}
