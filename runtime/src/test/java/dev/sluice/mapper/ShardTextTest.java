package dev.sluice.mapper;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.stream.HashKeys;
import dev.sluice.stream.SequenceNumbers;
import dev.sluice.stream.Shard;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ShardTextTest {

  final Shard shard = Shard.open(12, null, null, HashKeys.split(1).get(0), 0);

  @Test
  void sequenceNumber_consecutiveAndJumpingOffsets_matchSequenceNumbers() {
    ShardText text = ShardText.of(shard, 1_795_000_000_123L);
    long[] offsets = {0, 1, 2, 9, 10, 11, 99, 100, 101, 999_999, 1_000_000, 5, 6, 1L << 40};
    for (long start : offsets) {
      for (long o = start; o < start + 25; o++) {
        assertThat(eventId(text, o))
            .isEqualTo(
                shard.id() + ":" + SequenceNumbers.of(1_795_000_000_123L, shard.ordinal(), o));
      }
    }
    assertThat(eventId(text, Long.MAX_VALUE - 1)).endsWith("9223372036854775806");
    assertThat(eventId(text, Long.MAX_VALUE)).endsWith("9223372036854775807");
  }

  static String eventId(ShardText text, long offset) {
    return new String(text.sequenceNumber(offset), StandardCharsets.ISO_8859_1);
  }
}
