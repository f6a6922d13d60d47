package dev.sluice.testing;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.lambda.LambdaClient;

/** Real AWS SDK v2 clients pointed at a Sluice server, with placeholder credentials. */
public final class AwsClients {

  private static final StaticCredentialsProvider CREDENTIALS =
      StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b"));

  private AwsClients() {}

  /** A synchronous Kinesis client (CBOR, the SDK's default) for the server at {@code root}. */
  public static KinesisClient kinesis(String root) {
    return KinesisClient.builder()
        .endpointOverride(URI.create(root))
        .region(Region.US_EAST_1)
        .credentialsProvider(CREDENTIALS)
        .httpClient(UrlConnectionHttpClient.create())
        .build();
  }

  /** A synchronous Lambda client for the server at {@code root}. */
  public static LambdaClient lambda(String root) {
    return LambdaClient.builder()
        .endpointOverride(URI.create(root))
        .region(Region.US_EAST_1)
        .credentialsProvider(CREDENTIALS)
        .httpClient(UrlConnectionHttpClient.create())
        .build();
  }
}
