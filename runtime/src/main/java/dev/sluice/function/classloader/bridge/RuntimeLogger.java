package dev.sluice.function.classloader.bridge;

import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.LambdaRuntime;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;

/**
 * The logger {@code LambdaRuntime.getLogger()} returns to handlers (log4j2's and slf4j's Lambda
 * appenders use it): a line per call, like the context's logger. Core's default prints each message
 * as it is, so two calls without a newline ran together into one line; Lambda's Java runtime puts
 * its own logger there, where each call is a log event of its own.
 *
 * <p>It writes to System.out, which Sluice routes to the running invocation's log by thread.
 */
final class RuntimeLogger implements LambdaLogger {

  private RuntimeLogger() {}

  /**
   * Puts this logger into the platform's {@code LambdaRuntime}, shared by every function; once is
   * enough, and a failure leaves core's own in place.
   */
  static void install() {
    try {
      Field f = LambdaRuntime.class.getDeclaredField("logger");
      f.setAccessible(true);
      if (!(f.get(null) instanceof RuntimeLogger)) {
        f.set(null, new RuntimeLogger());
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      // another core version without the field: its logger keeps printing as it did
    }
  }

  @Override
  public void log(String message) {
    String text = String.valueOf(message);
    System.out.print(text.endsWith("\n") ? text : text + "\n"); // one write: never split
  }

  @Override
  public void log(byte[] message) {
    log(new String(message, StandardCharsets.UTF_8));
  }
}
