package dev.sluice.examples.orders;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.KinesisClientBuilder;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

/** Writes notifications to a Kinesis stream with the AWS SDK's PutRecords. */
final class KinesisPublisher implements NotificationPublisher {
  static final String STREAM_VARIABLE = "NOTIFICATIONS_STREAM";
  static final String DEFAULT_STREAM = "notifications";

  private final KinesisClient client;
  private final String stream;

  KinesisPublisher(KinesisClient client, String stream) {
    this.client = client;
    this.stream = stream;
  }

  /**
   * A publisher to the stream named by {@code NOTIFICATIONS_STREAM} (a name or an ARN). Region and
   * credentials come from the SDK's default chains (on Lambda and on Sluice, from the environment).
   */
  static KinesisPublisher fromEnvironment(Map<String, String> env) {
    KinesisClientBuilder builder =
        KinesisClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder());
    endpoint(env).ifPresent(builder::endpointOverride);
    return new KinesisPublisher(builder.build(), streamName(env));
  }

  /** {@code AWS_ENDPOINT_URL_KINESIS}, else {@code AWS_ENDPOINT_URL}; empty on AWS itself. */
  static Optional<URI> endpoint(Map<String, String> env) {
    for (String variable : List.of("AWS_ENDPOINT_URL_KINESIS", "AWS_ENDPOINT_URL")) {
      String value = env.get(variable);
      if (value != null && !value.isBlank()) {
        return Optional.of(URI.create(value.trim()));
      }
    }
    return Optional.empty();
  }

  static String streamName(Map<String, String> env) {
    String value = env.get(STREAM_VARIABLE);
    return value == null || value.isBlank() ? DEFAULT_STREAM : value.trim();
  }

  @Override
  public Map<Integer, String> publish(List<Entry> entries) {
    List<PutRecordsRequestEntry> records = new ArrayList<>(entries.size());
    for (Entry entry : entries) {
      records.add(
          PutRecordsRequestEntry.builder()
              .partitionKey(entry.partitionKey())
              .data(SdkBytes.fromByteArrayUnsafe(entry.data()))
              .build());
    }
    PutRecordsRequest.Builder request = PutRecordsRequest.builder().records(records);
    if (stream.startsWith("arn:")) {
      request.streamARN(stream);
    } else {
      request.streamName(stream);
    }
    return failures(client.putRecords(request.build()).records(), entries.size());
  }

  /** Positions whose result has an error code; a missing result counts as a failure. */
  static Map<Integer, String> failures(List<PutRecordsResultEntry> results, int sent) {
    Map<Integer, String> failed = new TreeMap<>();
    for (int i = 0; i < sent; i++) {
      PutRecordsResultEntry result = i < results.size() ? results.get(i) : null;
      if (result == null) {
        failed.put(i, "no result for this record");
      } else if (result.errorCode() != null) {
        failed.put(i, result.errorCode() + ": " + result.errorMessage());
      }
    }
    return failed;
  }
}
