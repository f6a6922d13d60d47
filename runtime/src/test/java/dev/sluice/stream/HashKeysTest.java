package dev.sluice.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;

class HashKeysTest {

  @Test
  void ofPartitionKey_isTheUnsignedMd5() {
    // MD5("a") = 0cc175b9c0f1b6a831c399e269772661
    assertThat(HashKeys.ofPartitionKey("a"))
        .isEqualTo(new BigInteger("0cc175b9c0f1b6a831c399e269772661", 16));
  }

  @Test
  void split_anyCount_coversTheSpaceWithoutGapsOrOverlap() {
    for (int n : new int[] {1, 2, 3, 7, 64}) {
      List<HashKeyRange> ranges = HashKeys.split(n);
      assertThat(ranges).hasSize(n);
      assertThat(ranges.get(0).start()).isZero();
      assertThat(ranges.get(n - 1).end()).isEqualTo(HashKeys.MAX);
      for (int i = 1; i < n; i++) {
        assertThat(ranges.get(i - 1).adjacentTo(ranges.get(i))).isTrue();
      }
    }
  }

  @Test
  void parse_outsideTheSpaceOrNotDecimal_isNull() {
    assertThat(HashKeys.parse("0")).isZero();
    assertThat(HashKeys.parse(HashKeys.MAX.toString())).isEqualTo(HashKeys.MAX);
    assertThat(HashKeys.parse(HashKeys.MAX.add(BigInteger.ONE).toString())).isNull();
    assertThat(HashKeys.parse("-1")).isNull();
    assertThat(HashKeys.parse("01")).isNull();
  }
}
