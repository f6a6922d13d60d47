package dev.sluice.sdk.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TestContextTest {
  /** A clock the test moves by hand. */
  static final class ManualClock extends Clock {
    Instant now;

    ManualClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void defaults_matchLambdaDefaults() {
    TestContext context =
        TestContext.builder()
            .clock(Clock.fixed(Instant.parse("2025-03-04T05:06:07Z"), ZoneOffset.UTC))
            .build();

    assertThat(context.getFunctionName()).isEqualTo("test-function");
    assertThat(context.getFunctionVersion()).isEqualTo("$LATEST");
    assertThat(context.getInvokedFunctionArn())
        .isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:test-function");
    assertThat(context.getMemoryLimitInMB()).isEqualTo(128);
    assertThat(context.getRemainingTimeInMillis()).isEqualTo(3000);
    assertThat(context.getLogGroupName()).isEqualTo("/aws/lambda/test-function");
    assertThat(context.getLogStreamName()).matches("2025/03/04/\\[\\$LATEST\\][0-9a-f]{32}");
    assertThat(context.getAwsRequestId())
        .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    assertThat(context.getIdentity()).isNull();
    assertThat(context.getClientContext()).isNull();
  }

  @Test
  void builder_settingsAppearInContext() {
    TestContext context =
        TestContext.builder()
            .functionName("orders")
            .functionVersion("7")
            .region("eu-west-1")
            .accountId("123456789012")
            .memoryLimitInMB(1024)
            .requestId("req-1")
            .logStreamName("stream-1")
            .build();

    assertThat(context.getInvokedFunctionArn())
        .isEqualTo("arn:aws:lambda:eu-west-1:123456789012:function:orders");
    assertThat(context.getFunctionVersion()).isEqualTo("7");
    assertThat(context.getMemoryLimitInMB()).isEqualTo(1024);
    assertThat(context.getAwsRequestId()).isEqualTo("req-1");
    assertThat(context.getLogGroupName()).isEqualTo("/aws/lambda/orders");
    assertThat(context.getLogStreamName()).isEqualTo("stream-1");
  }

  @Test
  void remainingTime_countsDownToZeroAtDeadline() {
    ManualClock clock = new ManualClock(Instant.parse("2025-01-01T00:00:00Z"));
    TestContext context =
        TestContext.builder().clock(clock).timeout(Duration.ofSeconds(10)).build();

    assertThat(context.getRemainingTimeInMillis()).isEqualTo(10_000);
    clock.now = clock.now.plusMillis(2_500);
    assertThat(context.getRemainingTimeInMillis()).isEqualTo(7_500);
    clock.now = clock.now.plusSeconds(60);
    assertThat(context.getRemainingTimeInMillis()).isZero();
    assertThat(context.deadline()).isEqualTo(Instant.parse("2025-01-01T00:00:10Z"));
  }

  @Test
  void logger_collectsLinesForAssertions() {
    TestContext context = TestContext.create();

    context.getLogger().log("first");
    context.getLogger().log("second\n");
    context.getLogger().log("third".getBytes(StandardCharsets.UTF_8));
    context.getLogger().log("fourth", LogLevel.WARN);

    assertThat(context.logLines()).containsExactly("first", "second", "third", "fourth");
    assertThat(context.logText()).isEqualTo("first\nsecond\nthird\nfourth");
  }

  @Test
  void nextInvocation_keepsSettingsWithFreshLoggerAndRequestId() {
    TestContext first = TestContext.builder().functionName("fn").requestId("a").build();
    first.getLogger().log("from first");

    TestContext second = first.nextInvocation("b");

    assertThat(second.getFunctionName()).isEqualTo("fn");
    assertThat(second.getAwsRequestId()).isEqualTo("b");
    assertThat(second.logLines()).isEmpty();
    assertThat(first.logLines()).containsExactly("from first");
  }
}
