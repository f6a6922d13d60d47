package dev.sluice.examples.hello;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

/** Calls {@code System.exit(3)}: the worker process dies in the middle of an invocation. */
public class ExitHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
  @Override
  public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
    context.getLogger().log("exiting with status 3");
    System.exit(3);
    throw new IllegalStateException("System.exit returned");
  }
}
