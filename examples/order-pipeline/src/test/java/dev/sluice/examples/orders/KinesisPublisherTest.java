package dev.sluice.examples.orders;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

class KinesisPublisherTest {
  /** A client that answers PutRecords with the given results and keeps the requests. */
  private static final class FakeClient implements KinesisClient {
    final List<PutRecordsRequest> requests = new ArrayList<>();
    final List<PutRecordsResultEntry> results;

    FakeClient(PutRecordsResultEntry... results) {
      this.results = List.of(results);
    }

    @Override
    public PutRecordsResponse putRecords(PutRecordsRequest request) {
      requests.add(request);
      return PutRecordsResponse.builder().records(results).build();
    }

    @Override
    public String serviceName() {
      return SERVICE_NAME;
    }

    @Override
    public void close() {}
  }

  private static PutRecordsResultEntry ok() {
    return PutRecordsResultEntry.builder().sequenceNumber("1").shardId("shardId-0").build();
  }

  private static PutRecordsResultEntry throttled() {
    return PutRecordsResultEntry.builder()
        .errorCode("ProvisionedThroughputExceededException")
        .errorMessage("Rate exceeded")
        .build();
  }

  private static NotificationPublisher.Entry entry(String key, String data) {
    return new NotificationPublisher.Entry(key, data.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void publish_twoEntries_oneRequestToTheStreamWithKeysAndData() {
    FakeClient client = new FakeClient(ok(), ok());

    Map<Integer, String> failed =
        new KinesisPublisher(client, "notifications")
            .publish(List.of(entry("o-1", "{\"a\":1}"), entry("o-2", "{\"b\":2}")));

    assertThat(failed).isEmpty();
    PutRecordsRequest request = client.requests.get(0);
    assertThat(request.streamName()).isEqualTo("notifications");
    assertThat(request.records())
        .extracting(r -> r.partitionKey() + "=" + r.data().asUtf8String())
        .containsExactly("o-1={\"a\":1}", "o-2={\"b\":2}");
  }

  @Test
  void publish_streamArn_sentAsStreamArn() {
    FakeClient client = new FakeClient(ok());
    String arn = "arn:aws:kinesis:us-east-1:000000000000:stream/notifications";

    new KinesisPublisher(client, arn).publish(List.of(entry("o-1", "{}")));

    assertThat(client.requests.get(0).streamARN()).isEqualTo(arn);
    assertThat(client.requests.get(0).streamName()).isNull();
  }

  @Test
  void publish_entryWithErrorCode_reportedByPositionWithReason() {
    FakeClient client = new FakeClient(ok(), throttled(), ok());

    Map<Integer, String> failed =
        new KinesisPublisher(client, "n")
            .publish(List.of(entry("a", "1"), entry("b", "2"), entry("c", "3")));

    assertThat(failed)
        .containsExactly(Map.entry(1, "ProvisionedThroughputExceededException: Rate exceeded"));
  }

  @Test
  void failures_fewerResultsThanRecords_missingOnesFailed() {
    assertThat(KinesisPublisher.failures(List.of(ok()), 3)).containsOnlyKeys(1, 2);
  }

  @Test
  void endpoint_kinesisSpecificVariable_winsOverTheGeneralOne() {
    Map<String, String> env =
        Map.of(
            "AWS_ENDPOINT_URL", "http://localhost:4566",
            "AWS_ENDPOINT_URL_KINESIS", "http://localhost:4567");

    assertThat(KinesisPublisher.endpoint(env)).contains(URI.create("http://localhost:4567"));
    assertThat(KinesisPublisher.endpoint(Map.of("AWS_ENDPOINT_URL", "http://h:1")))
        .contains(URI.create("http://h:1"));
  }

  @Test
  void endpoint_nothingSet_emptySoTheSdkUsesAws() {
    assertThat(KinesisPublisher.endpoint(Map.of("AWS_ENDPOINT_URL", " "))).isEmpty();
  }

  @Test
  void streamName_fromVariableOrDefault() {
    assertThat(KinesisPublisher.streamName(Map.of())).isEqualTo("notifications");
    assertThat(KinesisPublisher.streamName(Map.of("NOTIFICATIONS_STREAM", "alerts")))
        .isEqualTo("alerts");
  }
}
