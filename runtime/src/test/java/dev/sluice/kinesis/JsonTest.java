package dev.sluice.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.stream.HashKeys;
import dev.sluice.stream.Shard;
import org.junit.jupiter.api.Test;

class JsonTest {

  final Shard open = Shard.open(0, null, null, HashKeys.split(1).get(0), 1_000);

  @Test
  void shard_closedWithAProvisionalEnd_showsNoEndingSequenceNumberUntilSettled() {
    Shard provisional = open.close(2_000, 5, true);

    assertThat(
            Json.shard(provisional, 1_000)
                .at("/SequenceNumberRange/EndingSequenceNumber")
                .isMissingNode())
        .isTrue();
    assertThat(
            Json.shard(provisional.settled(7), 1_000)
                .at("/SequenceNumberRange/EndingSequenceNumber")
                .asText())
        .isEqualTo(provisional.settled(7).endingSequenceNumber(1_000));
  }

  @Test
  void shard_open_showsNoEndingSequenceNumber() {
    assertThat(
            Json.shard(open, 1_000).at("/SequenceNumberRange/EndingSequenceNumber").isMissingNode())
        .isTrue();
    assertThat(Json.shard(open, 1_000).at("/SequenceNumberRange/StartingSequenceNumber").asText())
        .isEqualTo(open.startingSequenceNumber(1_000));
  }
}
