package dev.sluice.sdk.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent.KinesisEventRecord;
import dev.sluice.sdk.Fixtures;
import dev.sluice.sdk.Records;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KinesisEventsTest {
  @Test
  void builder_fillsEveryFieldLikeLambda() {
    KinesisEvent event =
        KinesisEvents.builder()
            .streamName("orders")
            .region("us-east-2")
            .accountId("123456789012")
            .shard(6)
            .firstOffset(41)
            .firstArrival(Instant.parse("2025-01-01T00:00:00.250Z"))
            .record("order-1", "{\"type\":\"OrderPlaced\"}")
            .record("order-2", "{\"type\":\"OrderShipped\"}")
            .build();

    KinesisEventRecord first = event.getRecords().get(0);
    String seq = first.getKinesis().getSequenceNumber();
    assertThat(seq)
        .hasSize(56)
        .startsWith("49")
        .endsWith("0000000006" + String.format("%019d", 41));
    assertThat(first.getEventID()).isEqualTo("shardId-000000000006:" + seq);
    assertThat(first.getEventName()).isEqualTo("aws:kinesis:record");
    assertThat(first.getEventSource()).isEqualTo("aws:kinesis");
    assertThat(first.getEventVersion()).isEqualTo("1.0");
    assertThat(first.getAwsRegion()).isEqualTo("us-east-2");
    assertThat(first.getEventSourceARN())
        .isEqualTo("arn:aws:kinesis:us-east-2:123456789012:stream/orders");
    assertThat(first.getInvokeIdentityArn())
        .isEqualTo("arn:aws:iam::123456789012:role/lambda-role");
    assertThat(first.getKinesis().getKinesisSchemaVersion()).isEqualTo("1.0");
    assertThat(first.getKinesis().getPartitionKey()).isEqualTo("order-1");
    assertThat(first.getKinesis().getApproximateArrivalTimestamp().toInstant())
        .isEqualTo(Instant.parse("2025-01-01T00:00:00.250Z"));
    assertThat(Records.utf8(first)).isEqualTo("{\"type\":\"OrderPlaced\"}");
    assertThat(event.getRecords().get(1).getKinesis().getApproximateArrivalTimestamp())
        .isAfter(first.getKinesis().getApproximateArrivalTimestamp());
  }

  @Test
  void builtRecord_hasEveryFieldARealLambdaEventHas() {
    KinesisEventRecord real = Fixtures.kinesisEvent("kinesis-docs-sample.json").getRecords().get(0);
    KinesisEventRecord built = KinesisEvents.records("x").get(0);

    // Same set of non-null fields as the record deserialized from Lambda's JSON.
    assertThat(nonNullFields(built)).isEqualTo(nonNullFields(real));
    assertThat(built.getEventID()).matches("shardId-\\d{12}:\\d{56}");
    assertThat(real.getEventID()).matches("shardId-\\d{12}:\\d{56}");
  }

  private static List<Boolean> nonNullFields(KinesisEventRecord r) {
    return List.of(
        r.getEventSource() != null,
        r.getEventVersion() != null,
        r.getEventID() != null,
        r.getEventName() != null,
        r.getInvokeIdentityArn() != null,
        r.getAwsRegion() != null,
        r.getEventSourceARN() != null,
        r.getKinesis().getKinesisSchemaVersion() != null,
        r.getKinesis().getPartitionKey() != null,
        r.getKinesis().getSequenceNumber() != null,
        r.getKinesis().getData() != null,
        r.getKinesis().getApproximateArrivalTimestamp() != null);
  }

  @Test
  void sequenceNumbers_have56DigitsAndIncrease() {
    List<KinesisEventRecord> records = KinesisEvents.records("a", "b", "c", "d");

    BigInteger previous = BigInteger.valueOf(-1);
    for (KinesisEventRecord record : records) {
      String seq = record.getKinesis().getSequenceNumber();
      assertThat(seq).hasSize(56).containsOnlyDigits();
      assertThat(new BigInteger(seq)).isGreaterThan(previous);
      previous = new BigInteger(seq);
    }
  }

  @Test
  void of_dataStrings_getNumberedPartitionKeys() {
    KinesisEvent event = KinesisEvents.of("{\"n\":1}", "{\"n\":2}");

    assertThat(event.getRecords())
        .extracting(r -> r.getKinesis().getPartitionKey())
        .containsExactly("partitionKey-0", "partitionKey-1");
    assertThat(event.getRecords())
        .extracting(Records::utf8)
        .containsExactly("{\"n\":1}", "{\"n\":2}");
  }

  @Test
  void ofPairs_keepsKeysAndOrder() {
    KinesisEvent event =
        KinesisEvents.ofPairs(
            List.of(Map.entry("k1", "v1"), Map.entry("k2", "v2"), Map.entry("k1", "v3")));

    assertThat(event.getRecords())
        .extracting(r -> r.getKinesis().getPartitionKey() + "=" + Records.utf8(r))
        .containsExactly("k1=v1", "k2=v2", "k1=v3");
  }

  @Test
  void build_isDeterministic() {
    assertThat(KinesisEvents.of("a", "b")).isEqualTo(KinesisEvents.of("a", "b"));
  }
}
