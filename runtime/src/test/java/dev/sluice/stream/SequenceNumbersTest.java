package dev.sluice.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class SequenceNumbersTest {

  @Test
  void of_thenDecode_roundTripsOrdinalAndOffset() {
    String seq = SequenceNumbers.of(7, 123_456_789L);
    assertThat(seq).hasSize(56).startsWith("49");
    SequenceNumbers.Decoded d = SequenceNumbers.decode(seq);
    assertThat(d.ordinal()).isEqualTo(7);
    assertThat(d.offset()).isEqualTo(123_456_789L);
  }

  @Test
  void of_laterOffsetsAndChildShards_compareGreaterAsBigIntegers() {
    BigInteger parentLast = new BigInteger(SequenceNumbers.of(0, Long.MAX_VALUE));
    BigInteger childFirst = new BigInteger(SequenceNumbers.of(1, 0));
    assertThat(childFirst).isGreaterThan(parentLast);
    assertThat(new BigInteger(SequenceNumbers.of(3, 11)))
        .isGreaterThan(new BigInteger(SequenceNumbers.of(3, 10)));
  }

  @Test
  void decode_foreignOrMalformed_isNull() {
    assertThat(SequenceNumbers.decode("12x")).isNull();
    assertThat(SequenceNumbers.decode("0123")).isNull();
    assertThat(SequenceNumbers.decode("1")).isNull();
    assertThat(SequenceNumbers.decode("9".repeat(80))).isNull();
  }

  @Test
  void shardStart_belowTheShardsFirstRecordAndAboveItsParents_decodesToOffsetMinusOne() {
    for (int ordinal : new int[] {0, 1, 3}) {
      String start = SequenceNumbers.shardStart(ordinal);
      assertThat(start).hasSize(SequenceNumbers.LENGTH);
      assertThat(new BigInteger(start)).isLessThan(new BigInteger(SequenceNumbers.of(ordinal, 0)));
      assertThat(SequenceNumbers.decode(start)).isEqualTo(new SequenceNumbers.Decoded(ordinal, -1));
    }
    // a child (ordinal 3) starts above every record a parent (ordinals 1, 2) can hold
    assertThat(new BigInteger(SequenceNumbers.shardStart(3)))
        .isGreaterThan(new BigInteger(SequenceNumbers.of(2, Long.MAX_VALUE)))
        .isGreaterThan(new BigInteger(SequenceNumbers.of(1, 12)));
  }

  @Test
  void decode_shardStartFormWithAnOffset_isNull() {
    String start = SequenceNumbers.shardStart(0);
    assertThat(SequenceNumbers.decode(start.substring(0, start.length() - 1) + "1")).isNull();
  }
}
