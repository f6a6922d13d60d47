package dev.sluice.sdk.testing;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A Lambda {@link Context} for calling a handler directly from a unit test.
 *
 * <p>Defaults match what Lambda gives a function named {@code test-function} with its default
 * settings: version {@code $LATEST}, 128 MB, a 3 s timeout, log group {@code
 * /aws/lambda/test-function}. The remaining time counts down from a deadline fixed when the context
 * is built, read from the given {@link Clock} (a fixed clock makes it constant). The logger keeps
 * every message, so a test can assert on {@link #logLines()}.
 *
 * <pre>{@code
 * TestContext context = TestContext.builder().functionName("orders").build();
 * handler.handleRequest(event, context);
 * assertThat(context.logLines()).contains("order-1 OrderPlaced");
 * }</pre>
 */
public final class TestContext implements Context {
  private static final DateTimeFormatter STREAM_DATE =
      DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);

  private final Builder settings;
  private final String requestId;
  private final Instant deadline;
  private final CollectingLogger logger = new CollectingLogger();

  private TestContext(Builder settings, String requestId) {
    this.settings = settings.copy();
    this.requestId = requestId;
    this.deadline =
        settings.deadline != null
            ? settings.deadline
            : settings.clock.instant().plus(settings.timeout);
  }

  /** A context with every default and a random request id. */
  public static TestContext create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * A context for a further invocation of the same function: same settings, the given request id, a
   * fresh deadline (unless one was fixed in the builder) and an empty logger.
   */
  public TestContext nextInvocation(String requestId) {
    return new TestContext(settings, Objects.requireNonNull(requestId, "requestId"));
  }

  /** Every message logged through {@link #getLogger()}, in order; one entry per call. */
  public List<String> logLines() {
    return logger.lines();
  }

  /** The logged messages joined with newlines. */
  public String logText() {
    return String.join("\n", logger.lines());
  }

  /** The instant after which {@link #getRemainingTimeInMillis()} is zero. */
  public Instant deadline() {
    return deadline;
  }

  @Override
  public String getAwsRequestId() {
    return requestId;
  }

  @Override
  public String getLogGroupName() {
    return "/aws/lambda/" + settings.functionName;
  }

  @Override
  public String getLogStreamName() {
    if (settings.logStreamName != null) {
      return settings.logStreamName;
    }
    String instance =
        UUID.nameUUIDFromBytes(settings.functionName.getBytes(StandardCharsets.UTF_8))
            .toString()
            .replace("-", "");
    return STREAM_DATE.format(settings.clock.instant())
        + "/["
        + settings.functionVersion
        + "]"
        + instance;
  }

  @Override
  public String getFunctionName() {
    return settings.functionName;
  }

  @Override
  public String getFunctionVersion() {
    return settings.functionVersion;
  }

  @Override
  public String getInvokedFunctionArn() {
    return "arn:aws:lambda:"
        + settings.region
        + ":"
        + settings.accountId
        + ":function:"
        + settings.functionName;
  }

  /** {@code null}, as for every invocation that does not come from the AWS Mobile SDK. */
  @Override
  public CognitoIdentity getIdentity() {
    return null;
  }

  /** {@code null}, as for every invocation that does not come from the AWS Mobile SDK. */
  @Override
  public ClientContext getClientContext() {
    return null;
  }

  @Override
  public int getRemainingTimeInMillis() {
    long left = deadline.toEpochMilli() - settings.clock.millis();
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, left));
  }

  @Override
  public int getMemoryLimitInMB() {
    return settings.memoryLimitInMB;
  }

  @Override
  public LambdaLogger getLogger() {
    return logger;
  }

  @Override
  public String toString() {
    return "TestContext{" + settings.functionName + ", requestId=" + requestId + "}";
  }

  /** Settings of a {@link TestContext}. A builder can build any number of contexts. */
  public static final class Builder {
    private String functionName = "test-function";
    private String functionVersion = "$LATEST";
    private String region = "us-east-1";
    private String accountId = "000000000000";
    private int memoryLimitInMB = 128;
    private Duration timeout = Duration.ofSeconds(3);
    private Instant deadline;
    private Clock clock = Clock.systemUTC();
    private String requestId;
    private String logStreamName;

    private Builder() {}

    public Builder functionName(String functionName) {
      this.functionName = Objects.requireNonNull(functionName, "functionName");
      return this;
    }

    public Builder functionVersion(String functionVersion) {
      this.functionVersion = Objects.requireNonNull(functionVersion, "functionVersion");
      return this;
    }

    /** Region of the function ARN; default {@code us-east-1}. */
    public Builder region(String region) {
      this.region = Objects.requireNonNull(region, "region");
      return this;
    }

    /** Account of the function ARN; default {@code 000000000000}. */
    public Builder accountId(String accountId) {
      this.accountId = Objects.requireNonNull(accountId, "accountId");
      return this;
    }

    public Builder memoryLimitInMB(int memoryLimitInMB) {
      if (memoryLimitInMB <= 0) {
        throw new IllegalArgumentException("memoryLimitInMB must be positive");
      }
      this.memoryLimitInMB = memoryLimitInMB;
      return this;
    }

    /** The function timeout: the deadline is the clock's time at build plus this. Default 3 s. */
    public Builder timeout(Duration timeout) {
      if (timeout == null || timeout.isNegative()) {
        throw new IllegalArgumentException("timeout must be zero or positive");
      }
      this.timeout = timeout;
      return this;
    }

    /** A fixed deadline, instead of one computed from the timeout. */
    public Builder deadline(Instant deadline) {
      this.deadline = deadline;
      return this;
    }

    /** The clock that the remaining time is read from; default the system clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The request id; default a random UUID per built context. */
    public Builder requestId(String requestId) {
      this.requestId = requestId;
      return this;
    }

    /** Default {@code yyyy/MM/dd/[VERSION]} followed by 32 hex digits derived from the name. */
    public Builder logStreamName(String logStreamName) {
      this.logStreamName = logStreamName;
      return this;
    }

    public TestContext build() {
      return new TestContext(this, requestId != null ? requestId : UUID.randomUUID().toString());
    }

    private Builder copy() {
      Builder b = new Builder();
      b.functionName = functionName;
      b.functionVersion = functionVersion;
      b.region = region;
      b.accountId = accountId;
      b.memoryLimitInMB = memoryLimitInMB;
      b.timeout = timeout;
      b.deadline = deadline;
      b.clock = clock;
      b.requestId = requestId;
      b.logStreamName = logStreamName;
      return b;
    }
  }

  /**
   * Keeps each logged message as one entry. A single trailing newline is dropped, since handlers
   * often end messages with one; bytes are decoded as UTF-8.
   */
  private static final class CollectingLogger implements LambdaLogger {
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void log(String message) {
      String text = String.valueOf(message);
      if (text.endsWith("\r\n")) {
        text = text.substring(0, text.length() - 2);
      } else if (text.endsWith("\n")) {
        text = text.substring(0, text.length() - 1);
      }
      lines.add(text);
    }

    @Override
    public void log(byte[] message) {
      log(message == null ? "null" : new String(message, StandardCharsets.UTF_8));
    }

    @Override
    public void log(String message, LogLevel logLevel) {
      log(message);
    }

    @Override
    public void log(byte[] message, LogLevel logLevel) {
      log(message);
    }

    List<String> lines() {
      synchronized (lines) {
        return List.copyOf(lines);
      }
    }
  }
}
