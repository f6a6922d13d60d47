package dev.sluice.kinesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.testing.TestClock;
import org.junit.jupiter.api.Test;

class TokensTest {

  final TestClock clock = new TestClock(1_700_000_000_000L);
  final Tokens tokens = new Tokens(new Signer(new byte[32]), clock, 300_000);

  @Test
  void readIterator_withinFiveMinutes_returnsThePosition() {
    String it =
        tokens.iterator(
            new Tokens.Position("orders", 1_700_000_000_000L, "shardId-000000000001", 42));
    clock.advance(299_000);
    assertThat(tokens.readIterator(it))
        .isEqualTo(new Tokens.Position("orders", 1_700_000_000_000L, "shardId-000000000001", 42));
  }

  @Test
  void readIterator_afterFiveMinutes_expiredIteratorException() {
    String it =
        tokens.iterator(
            new Tokens.Position("orders", 1_700_000_000_000L, "shardId-000000000001", 42));
    clock.advance(300_001);
    assertThatThrownBy(() -> tokens.readIterator(it))
        .isInstanceOfSatisfying(
            KinesisException.class,
            e -> assertThat(e.type()).isEqualTo(KinesisError.ExpiredIteratorException));
  }

  @Test
  void readIterator_signedWithAnotherKey_invalidArgument() {
    Tokens other = new Tokens(new Signer(new byte[] {1, 2, 3}), clock, 300_000);
    String it =
        other.iterator(
            new Tokens.Position("orders", 1_700_000_000_000L, "shardId-000000000001", 42));
    assertThatThrownBy(() -> tokens.readIterator(it))
        .isInstanceOfSatisfying(
            KinesisException.class,
            e -> assertThat(e.type()).isEqualTo(KinesisError.InvalidArgumentException));
  }

  @Test
  void readShardPage_afterExpiry_expiredNextTokenException() {
    String page = tokens.shardPage("orders", "shardId-000000000003");
    assertThat(tokens.readShardPage(page)).containsExactly("orders", "shardId-000000000003");
    clock.advance(300_001);
    assertThatThrownBy(() -> tokens.readShardPage(page))
        .isInstanceOfSatisfying(
            KinesisException.class,
            e -> assertThat(e.type()).isEqualTo(KinesisError.ExpiredNextTokenException));
  }

  @Test
  void readIterator_pageTokenInstead_invalidArgument() {
    String page = tokens.streamPage("orders");
    assertThatThrownBy(() -> tokens.readIterator(page)).isInstanceOf(KinesisException.class);
  }
}
