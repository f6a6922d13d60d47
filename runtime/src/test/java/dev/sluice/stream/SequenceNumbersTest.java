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
  void shardStart_belowTheShardsFirstRecord_decodesToOffsetMinusOne() {
    String start = SequenceNumbers.shardStart(3);
    assertThat(start).hasSize(SequenceNumbers.LENGTH);
    assertThat(new BigInteger(start)).isLessThan(new BigInteger(SequenceNumbers.of(3, 0)));
    assertThat(SequenceNumbers.decode(start)).isEqualTo(new SequenceNumbers.Decoded(3, -1));
  }

  @Test
  void decode_shardStartFormWithAnOffset_isNull() {
    String start = SequenceNumbers.shardStart(3);
    assertThat(SequenceNumbers.decode(start.substring(0, start.length() - 1) + "1")).isNull();
  }
}
