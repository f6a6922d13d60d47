package dev.sluice.function.classloader.bridge;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** The Context a handler gets: Lambda's fields, and a logger that feeds the invocation's log. */
final class BridgeContext implements Context, LambdaLogger {

  private final String requestId;
  private final String functionName;
  private final String functionVersion;
  private final String functionArn;
  private final int memoryLimitMb;
  private final long deadlineMillis;
  private final String logGroup;
  private final String logStream;
  private final ClientContext clientContext;
  private final Consumer<String> log;

  BridgeContext(
      String requestId,
      String functionName,
      String functionVersion,
      String functionArn,
      int memoryLimitMb,
      long deadlineMillis,
      String logGroup,
      String logStream,
      ClientContext clientContext,
      Consumer<String> log) {
    this.requestId = requestId;
    this.functionName = functionName;
    this.functionVersion = functionVersion;
    this.functionArn = functionArn;
    this.memoryLimitMb = memoryLimitMb;
    this.deadlineMillis = deadlineMillis;
    this.logGroup = logGroup;
    this.logStream = logStream;
    this.clientContext = clientContext;
    this.log = log;
  }

  @Override
  public String getAwsRequestId() {
    return requestId;
  }

  @Override
  public String getLogGroupName() {
    return logGroup;
  }

  @Override
  public String getLogStreamName() {
    return logStream;
  }

  @Override
  public String getFunctionName() {
    return functionName;
  }

  @Override
  public String getFunctionVersion() {
    return functionVersion;
  }

  @Override
  public String getInvokedFunctionArn() {
    return functionArn;
  }

  @Override
  public CognitoIdentity getIdentity() {
    return null;
  }

  @Override
  public ClientContext getClientContext() {
    return clientContext;
  }

  @Override
  public int getRemainingTimeInMillis() {
    return (int) Math.max(0, deadlineMillis - System.currentTimeMillis());
  }

  @Override
  public int getMemoryLimitInMB() {
    return memoryLimitMb;
  }

  @Override
  public LambdaLogger getLogger() {
    return this;
  }

  /**
   * Writes {@code message} as a line of its own: in Lambda each call is a log event of its own, so
   * two calls never run together into one line, whether or not the message ends in a newline.
   */
  @Override
  public void log(String message) {
    String text = String.valueOf(message);
    log.accept(text.endsWith("\n") ? text : text + "\n");
  }

  @Override
  public void log(byte[] message) {
    log(new String(message, StandardCharsets.UTF_8));
  }
}
