package dev.sluice.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class SequenceNumbersTest {

  private static final long CREATED = 1_795_000_000_123L;

  @Test
  void of_thenDecode_roundTripsGenerationOrdinalAndOffset() {
    String seq = SequenceNumbers.of(CREATED, 7, 123_456_789L);
    assertThat(seq).hasSize(56).startsWith("49");
    SequenceNumbers.Decoded d = SequenceNumbers.decode(seq);
    assertThat(d).isEqualTo(new SequenceNumbers.Decoded(CREATED, 7, 123_456_789L));
  }

  @Test
  void of_laterOffsetsAndChildShards_compareGreaterAsBigIntegers() {
    BigInteger parentLast = new BigInteger(SequenceNumbers.of(CREATED, 0, Long.MAX_VALUE));
    BigInteger childFirst = new BigInteger(SequenceNumbers.of(CREATED, 1, 0));
    assertThat(childFirst).isGreaterThan(parentLast);
    assertThat(new BigInteger(SequenceNumbers.of(CREATED, 3, 11)))
        .isGreaterThan(new BigInteger(SequenceNumbers.of(CREATED, 3, 10)));
  }

  @Test
  void of_aStreamCreatedAgain_numbersAboveEveryOneOfTheOldStream() {
    BigInteger oldLast = new BigInteger(SequenceNumbers.of(CREATED, 99, Long.MAX_VALUE));
    BigInteger newFirst = new BigInteger(SequenceNumbers.of(CREATED + 1, 0, 0));
    assertThat(newFirst).isGreaterThan(oldLast);
  }

  @Test
  void decode_foreignOrMalformed_isNull() {
    assertThat(SequenceNumbers.decode("12x")).isNull();
    assertThat(SequenceNumbers.decode("0123")).isNull();
    assertThat(SequenceNumbers.decode("1")).isNull();
    assertThat(SequenceNumbers.decode("9".repeat(80))).isNull();
    assertThat(SequenceNumbers.decode("47" + "0".repeat(54))).isNull();
    // a generation beyond a long
    assertThat(SequenceNumbers.decode("49" + "9".repeat(25) + "0".repeat(29))).isNull();
  }

  @Test
  void isOf_otherGenerationOrShard_isFalse_andGenerationZeroIsAnyGeneration() {
    SequenceNumbers.Decoded d = SequenceNumbers.decode(SequenceNumbers.of(CREATED, 2, 5));
    assertThat(d.isOf(CREATED, 2)).isTrue();
    assertThat(d.isOf(CREATED + 1, 2)).isFalse();
    assertThat(d.isOf(CREATED, 3)).isFalse();
    // issued before generations were encoded: 49, 25 zeros, ordinal, offset
    String legacy = "49" + "0".repeat(25) + "0000000002" + "0".repeat(18) + "5";
    assertThat(SequenceNumbers.decode(legacy).isOf(CREATED + 1, 2)).isTrue();
    assertThat(SequenceNumbers.decode(legacy).offset()).isEqualTo(5);
  }

  @Test
  void shardStart_belowTheShardsFirstRecordAndAboveItsParents_decodesToOffsetMinusOne() {
    for (int ordinal : new int[] {0, 1, 3}) {
      String start = SequenceNumbers.shardStart(CREATED, ordinal);
      assertThat(start).hasSize(SequenceNumbers.LENGTH);
      assertThat(new BigInteger(start))
          .isLessThan(new BigInteger(SequenceNumbers.of(CREATED, ordinal, 0)));
      assertThat(SequenceNumbers.decode(start))
          .isEqualTo(new SequenceNumbers.Decoded(CREATED, ordinal, -1));
    }
    // a child (ordinal 3) starts above every record a parent (ordinals 1, 2) can hold
    assertThat(new BigInteger(SequenceNumbers.shardStart(CREATED, 3)))
        .isGreaterThan(new BigInteger(SequenceNumbers.of(CREATED, 2, Long.MAX_VALUE)))
        .isGreaterThan(new BigInteger(SequenceNumbers.of(CREATED, 1, 12)));
  }

  @Test
  void decode_shardStartFormWithAnOffset_isNull() {
    String start = SequenceNumbers.shardStart(CREATED, 0);
    assertThat(SequenceNumbers.decode(start.substring(0, start.length() - 1) + "1")).isNull();
  }
}
