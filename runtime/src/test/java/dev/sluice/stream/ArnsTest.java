package dev.sluice.stream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ArnsTest {

  final Arns arns = new Arns("eu-west-1", "123456789012");

  @Test
  void stream_thenStreamName_roundTrips() {
    String arn = arns.stream("orders");
    assertThat(arn).isEqualTo("arn:aws:kinesis:eu-west-1:123456789012:stream/orders");
    assertThat(arns.streamName(arn)).isEqualTo("orders");
  }

  @Test
  void shard_isTheStreamArnWithTheShardId() {
    assertThat(arns.shard("orders", "shardId-000000000001"))
        .isEqualTo(
            "arn:aws:kinesis:eu-west-1:123456789012:stream/orders/shard/shardId-000000000001");
  }

  @Test
  void streamName_otherRegionAccountOrShape_isNull() {
    assertThat(arns.streamName("arn:aws:kinesis:us-east-1:123456789012:stream/orders")).isNull();
    assertThat(arns.streamName("arn:aws:kinesis:eu-west-1:000000000000:stream/orders")).isNull();
    assertThat(arns.streamName("arn:aws:sqs:eu-west-1:123456789012:orders")).isNull();
    assertThat(arns.streamName("orders")).isNull();
  }
}
