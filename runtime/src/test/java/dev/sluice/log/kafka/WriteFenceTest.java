package dev.sluice.log.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WriteFenceTest {

  final AtomicLong ticker = new AtomicLong(1_000);
  final AtomicLong viewAge = new AtomicLong();
  final WriteFence fence = new WriteFence(Duration.ofSeconds(4), ticker::get);

  @Test
  void refusal_notFollowingASharedState_neverRefusesNorIsLate() {
    viewAge.set(Long.MAX_VALUE);
    long sent = fence.now();
    ticker.addAndGet(TimeUnit.MINUTES.toNanos(5));

    assertThat(fence.refusal()).isNull();
    assertThat(fence.tooLate(sent)).isFalse();
  }

  @Test
  void refusal_viewAtMostHalfTheGraceOld_lets() {
    fence.follow(viewAge::get);
    viewAge.set(TimeUnit.SECONDS.toNanos(2));

    assertThat(fence.refusal()).isNull();
  }

  @Test
  void refusal_viewOlderThanHalfTheGrace_saysHowOld() {
    fence.follow(viewAge::get);
    viewAge.set(TimeUnit.MILLISECONDS.toNanos(2_001));

    assertThat(fence.refusal()).contains("2001 ms").contains("try again");
  }

  @Test
  void refusal_viewNeverCurrent_refuses() {
    fence.follow(viewAge::get);
    viewAge.set(Long.MAX_VALUE);

    assertThat(fence.refusal()).contains("for ever");
  }

  @Test
  void tooLate_acknowledgedWithinHalfTheGrace_isNot() {
    fence.follow(viewAge::get);
    long sent = fence.now();
    ticker.addAndGet(TimeUnit.SECONDS.toNanos(2));

    assertThat(fence.tooLate(sent)).isFalse();
  }

  @Test
  void tooLate_acknowledgedAfterHalfTheGrace_is() {
    fence.follow(viewAge::get);
    long sent = fence.now();
    ticker.addAndGet(TimeUnit.SECONDS.toNanos(2) + 1);

    assertThat(fence.tooLate(sent)).isTrue();
  }

  @Test
  void refusal_withoutGrace_neverRefuses() {
    WriteFence none = new WriteFence(Duration.ZERO, ticker::get);
    none.follow(() -> Long.MAX_VALUE);

    assertThat(none.refusal()).isNull();
  }
}
