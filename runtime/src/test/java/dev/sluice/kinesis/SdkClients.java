package dev.sluice.kinesis;

import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * Real AWS SDK v2 clients pointed at a Sluice server. The SDK decides between CBOR and JSON when a
 * client is built, from the {@code aws.cborEnabled} system property; the clients record the
 * Content-Type they really sent so tests can prove which encoding they exercised.
 */
final class SdkClients {

  final List<String> contentTypes = new CopyOnWriteArrayList<>();
  private final URI endpoint;
  private final boolean cbor;

  SdkClients(URI endpoint, boolean cbor) {
    this.endpoint = endpoint;
    this.cbor = cbor;
  }

  KinesisClient sync() {
    return withCbor(
        () ->
            KinesisClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(credentials())
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.addExecutionInterceptor(recorder()))
                .build());
  }

  KinesisAsyncClient async() {
    return withCbor(
        () ->
            KinesisAsyncClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(credentials())
                .overrideConfiguration(c -> c.addExecutionInterceptor(recorder()))
                .build());
  }

  private <T> T withCbor(java.util.function.Supplier<T> build) {
    synchronized (SdkClients.class) {
      String old = System.getProperty("aws.cborEnabled");
      System.setProperty("aws.cborEnabled", Boolean.toString(cbor));
      try {
        return build.get();
      } finally {
        if (old == null) {
          System.clearProperty("aws.cborEnabled");
        } else {
          System.setProperty("aws.cborEnabled", old);
        }
      }
    }
  }

  private ExecutionInterceptor recorder() {
    return new ExecutionInterceptor() {
      @Override
      public void beforeTransmission(
          Context.BeforeTransmission context, ExecutionAttributes attributes) {
        context.httpRequest().firstMatchingHeader("Content-Type").ifPresent(contentTypes::add);
      }
    };
  }

  private static StaticCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create("sluice", "sluice"));
  }
}
