package dev.sluice.examples.hello;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import java.util.Map;

/** Always throws {@code IllegalStateException("boom")}: a function error. */
public class FailingHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
  @Override
  public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
    throw new IllegalStateException("boom");
  }
}
